package main

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestServeSecondOnSameDataDir starts a second `balcao serve` on the data dir of a running one:
// it must exit at once, non-zero, saying in plain words that the directory is in use, and the
// first must keep serving.
func TestServeSecondOnSameDataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	first := startServer(t, bin, data)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--demo", "--demo-password", "segredo").CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the second server did not exit within 10 s:\n%s", out)
	}
	if err == nil {
		t.Fatalf("the second server exited 0:\n%s", out)
	}
	if !strings.Contains(string(out), "in use by another process") {
		t.Errorf("the second server's error does not say the data dir is in use:\n%s", out)
	}
	resp, err := http.Get(first.base + "/healthz")
	if err != nil {
		t.Fatalf("the first server after the second's attempt: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the first server's /healthz after the second's attempt: %d", resp.StatusCode)
	}
}
