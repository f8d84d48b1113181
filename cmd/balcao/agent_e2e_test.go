package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
)

// TestAgentBinaryAgainstServer runs the real `balcao agent` against the real `balcao serve`:
// the office makes an agent token, the agent connects, and a client's request is served from
// the agent's folder (the remote agent goes before the embedded demo documents).
func TestAgentBinaryAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binaries")
	}
	bin := buildBinary(t)
	srv := startServer(t, bin, t.TempDir())
	admin := srv.login(t, "admin")
	status, body, err := post(admin, srv.base+"/api/agents/token", nil)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("agent token: %d %s %v", status, body, err)
	}
	var tok struct{ Token string }
	_ = json.Unmarshal(body, &tok)

	now := time.Now().In(assistant.Location())
	prev := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, now.Location()).AddDate(0, -1, 0)
	dir := t.TempDir()
	folder := filepath.Join(dir, balcao.CNPJCheckDigits("123456780001"), "fgts", prev.Format("2006-01"))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "fgts-do-agente.pdf"), []byte("%PDF-1.4\nguia do FGTS\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "agent", "--server", srv.base, "--dir", dir)
	cmd.Env = append(os.Environ(), "BALCAO_AGENT_TOKEN="+tok.Token)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	connected := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if strings.Contains(lines.Text(), "connected") {
				connected <- true
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(20 * time.Second):
		t.Fatal("the agent never connected")
	}
	// The agent hears "welcome" a moment before the server counts it as online.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := admin.Get(srv.base + "/api/agents")
		if err != nil {
			t.Fatal(err)
		}
		agents, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(agents), `"remote":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("agents = %s, want one remote agent online", agents)
		}
	}

	months := []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}
	ask := "guia do fgts de " + months[prev.Month()-1] + " de " + prev.Format("2006")
	if status, body, err := post(admin, srv.base+"/sim/inbound", map[string]string{"office": "demo", "from": "5548999990001", "text": ask}); err != nil || status != 202 {
		t.Fatalf("inbound: %d %s %v", status, body, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := admin.Get(srv.base + "/sim/outbound?office=demo&to=5548999990001")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(page), "fgts-do-agente.pdf") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's document never reached the phone: %s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
