package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/balcao/balcao/gateway/agent"
)

// agentServer is a Remote behind a real HTTP server on a loopback port.
func agentServer(t *testing.T, office, token string) (remote *agent.Remote, url string) {
	t.Helper()
	verify := func(_ context.Context, got string) (string, error) {
		if got == token {
			return office, nil
		}
		return "", agent.ErrInvalidToken
	}
	remote = agent.NewRemote(verify, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	mux := http.NewServeMux()
	mux.Handle("GET /agent", remote.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { remote.Close(); srv.Close() })
	return remote, srv.URL
}

// TestAgentBinary builds the real binary and runs `balcao agent` as a child process against a
// real Remote.
func TestAgentBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	t.Run("serves jobs", func(t *testing.T) { testAgentServesJobs(t, bin) })
	t.Run("wrong token", func(t *testing.T) { testAgentWrongToken(t, bin) })
}

// testAgentServesJobs: the agent connects, prints one line, serves jobs from its --dir, and
// stops cleanly on SIGINT.
func testAgentServesJobs(t *testing.T, bin string) {
	const office, token, cnpj = "demo", "token-do-agente", "12345678000190"
	remote, url := agentServer(t, office, token)
	dir := t.TempDir()
	doc := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("guia do DAS "), 50_000)...) // 600 KB: three chunks
	if err := os.MkdirAll(filepath.Join(dir, cnpj, "das", "2026-10"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, cnpj, "das", "2026-10", "das-10-2026.pdf"), doc, 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "agent", "--server", url, "--dir", dir, "--name", "teste", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "BALCAO_AGENT_TOKEN="+token)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	connected := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			connected <- lines.Text()
		}
		close(connected)
	}()
	select {
	case line := <-connected:
		if want := "agent connected to ws://"; !strings.HasPrefix(line, want) || !strings.HasSuffix(line, "/agent") {
			t.Fatalf("agent printed %q, want %q…/agent", line, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent did not connect")
	}

	// The agent hears "welcome" a moment before the server counts it as online.
	for deadline := time.Now().Add(10 * time.Second); remote.Online(office) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server never counted the agent as online")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := remote.Source(office).Fetch(ctx, agent.Job{ID: "j1", CNPJ: cnpj, Intent: "das", Competence: "2026-10"})
	if err != nil || len(res.Files) != 1 || res.Files[0].Name != "das-10-2026.pdf" || !bytes.Equal(res.Files[0].Data, doc) {
		t.Fatalf("Fetch = %d files, pending %q, %v; want das-10-2026.pdf with its bytes", len(res.Files), res.Pending, err)
	}
	res, err = remote.Source(office).Fetch(ctx, agent.Job{ID: "j2", CNPJ: cnpj, Intent: "holerite", Competence: "2026-11"})
	if err != nil || res.Pending != "Folha de 11/2026 ainda não calculada." {
		t.Fatalf("Fetch = pending %q, %v; want the folder's pending reason", res.Pending, err)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("agent exited with %v after SIGINT, want 0", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the agent did not stop on SIGINT")
	}
	deadline := time.Now().Add(5 * time.Second)
	for remote.Online(office) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the server still sees the stopped agent")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testAgentWrongToken: a wrong token stops the agent at once with a clear error instead of
// retrying forever.
func testAgentWrongToken(t *testing.T, bin string) {
	_, url := agentServer(t, "demo", "certo")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "agent", "--server", url, "--token", "errado", "--dir", t.TempDir()).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "invalid agent token") {
		t.Fatalf("agent with a wrong token = %v, output:\n%s\nwant exit 1 and \"invalid agent token\"", err, out)
	}
}

func TestRunAgentFlags(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BALCAO_AGENT_TOKEN", "")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no server", []string{"--token", "t", "--dir", dir}, "--server"},
		{"no token", []string{"--server", "http://127.0.0.1:1", "--dir", dir}, "--token"},
		{"no dir", []string{"--server", "http://127.0.0.1:1", "--token", "t"}, "--dir"},
		{"missing dir", []string{"--server", "http://127.0.0.1:1", "--token", "t", "--dir", filepath.Join(dir, "nada")}, "not a directory"},
		{"bad jobs", []string{"--server", "http://127.0.0.1:1", "--token", "t", "--dir", dir, "--jobs", "0"}, "--jobs"},
		{"bad server", []string{"--server", "127.0.0.1:1", "--token", "t", "--dir", dir}, "server address"},
		{"stray argument", []string{"--server", "http://127.0.0.1:1", "--token", "t", "stray", "--dir", dir}, `unexpected arguments ["stray"`},
	}
	for _, c := range cases {
		err := runAgent(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: runAgent(%q) = %v, want an error about %s", c.name, c.args, err, c.want)
		} else if !errors.As(err, new(usageError)) {
			t.Errorf("%s: runAgent(%q) = %v, not a usageError (exit 1, not 2)", c.name, c.args, err)
		}
	}
}
