package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/balcao/balcao"
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

// TestServeSecondSignalStopsAtOnce holds a request in flight (its body never comes), so that
// the graceful stop after SIGINT waits for it; a second SIGINT must end the process at once,
// as Ctrl-C pressed twice does, rather than after the whole shutdown budget.
func TestServeSecondSignalStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	srv := startServer(t, bin, t.TempDir())
	u := stallRequest(t, srv)
	if err := srv.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// The stop has begun once the listener is closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5 s after SIGINT")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-srv.exited:
		t.Fatalf("the server exited (%v) before the request in flight ended: nothing to test", srv.waitErr)
	case <-time.After(300 * time.Millisecond):
	}
	if err := srv.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
		if srv.waitErr == nil {
			t.Errorf("the server stopped by a second signal exited 0")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the server still runs 3 s after a second SIGINT") // the clean-up kills it
	}
}

// TestServeStopCutsAStalledRequest holds a request in flight whose body never comes, then
// sends one SIGTERM: the stop must not wait out its whole budget for that client and then stop
// the actors and storage with no time left; it cuts the request and exits 0.
func TestServeStopCutsAStalledRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	srv := startServer(t, bin, t.TempDir())
	stallRequest(t, srv)
	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
		took := time.Since(start)
		if logs, _ := os.ReadFile(srv.logs); srv.waitErr != nil || took > 10*time.Second {
			t.Errorf("the server exited with %v after %v, want 0 within 10 s:\n%s", srv.waitErr, took.Round(time.Millisecond), logs)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("the server still runs 25 s after SIGTERM") // the clean-up kills it
	}
}

// TestHelpFlagExitsZero: `balcao serve -h` prints the flags and exits 0, as the flag package
// does by itself, without an error line after them; `balcao assistant -h`, whose flags belong
// to its subcommands, prints their usage.
func TestHelpFlagExitsZero(t *testing.T) {
	bin := buildBinary(t)
	tests := []struct{ args, want string }{
		{"serve -h", "-log-level"},
		{"agent -h", "-log-level"},
		{"bench -h", "-rate"},
		{"assistant -h", "balcao assistant parse"},
		{"assistant --help", "balcao assistant eval"},
	}
	for _, tt := range tests {
		out, err := exec.Command(bin, strings.Fields(tt.args)...).CombinedOutput()
		if err != nil || strings.Contains(string(out), "help requested") || strings.Contains(string(out), "unknown") || !strings.Contains(string(out), tt.want) {
			t.Errorf("balcao %s = %v, want exit 0 and %q without an error:\n%s", tt.args, err, tt.want, out)
		}
	}
}

// TestServeBannerNamesSimOnlyWithSim: serve prints the simulated WhatsApp's page only when it
// runs one; with the real WhatsApp /sim/ does not exist. No office exists, so the whatsmeow
// gateway opens no session and nothing reaches WhatsApp.
func TestServeBannerNamesSimOnlyWithSim(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	for _, tt := range []struct {
		whatsapp string
		sim      bool
	}{{"sim", true}, {"whatsmeow", false}} {
		t.Run(tt.whatsapp, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--whatsapp", tt.whatsapp, "--log-level", "warn")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			var out strings.Builder
			base := ""
			lines := bufio.NewScanner(stdout)
			for lines.Scan() {
				out.WriteString(lines.Text() + "\n")
				if rest, ok := strings.CutPrefix(lines.Text(), "Balcão is running at "); ok {
					base = rest
				}
				if strings.HasPrefix(lines.Text(), "Press Ctrl-C") {
					break
				}
			}
			resp, err := http.Get(base + "/sim/")
			if err != nil {
				t.Fatalf("GET /sim/: %v\n%s", err, out.String())
			}
			resp.Body.Close()
			if served := resp.StatusCode == http.StatusOK; served != tt.sim {
				t.Fatalf("GET /sim/ with --whatsapp %s = %d, want the page served: %v", tt.whatsapp, resp.StatusCode, tt.sim)
			}
			if printed := strings.Contains(out.String(), "/sim/"); printed != tt.sim {
				t.Errorf("serve --whatsapp %s printed:\n%s\nwant the simulated WhatsApp's page named: %v", tt.whatsapp, out.String(), tt.sim)
			}
			_ = cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
}

// TestServeSignalRightAfterStart sends SIGTERM as soon as serve printed its address: the
// signal must already be handled then (a clean stop, exit 0), not kill the process.
func TestServeSignalRightAfterStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	for i := range 10 {
		srv := startServer(t, bin, data)
		_ = srv.cmd.Process.Signal(syscall.SIGTERM)
		if err := srv.wait(); err != nil {
			t.Fatalf("start %d: SIGTERM right after the address was printed: %v", i, err)
		}
	}
}

// TestServeDemoPasswordOnExistingOffice: --demo-password sets the demo users' password when the
// demo office is created; on a data dir where it exists, the users keep theirs (an admin may
// have changed them), and serve says the flag was not applied instead of leaving the user to
// find out at the login.
func TestServeDemoPasswordOnExistingOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	first := startServer(t, bin, data) // --demo-password segredo
	_ = first.cmd.Process.Signal(syscall.SIGTERM)
	if err := first.wait(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--demo", "--demo-password", "outra", "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var out strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if strings.HasPrefix(lines.Text(), "Press Ctrl-C") {
			break
		}
	}
	if !strings.Contains(out.String(), "--demo-password not applied") {
		t.Errorf("serve --demo-password on an existing demo office printed:\n%s\nwant it to say the password was not applied", out.String())
	}
	base := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(l, "Balcão is running at "); ok {
			base = rest
		}
	}
	if status, body, err := post(http.DefaultClient, base+"/api/login", map[string]string{"office": "demo", "user": "ana", "password": "segredo"}); err != nil || status != 200 {
		t.Errorf("login with the first password after the restart: %d %s %v", status, body, err)
	}
}

// stallRequest sends srv a request whose body never comes and returns the server's URL once
// the server read its headers: the request is in flight until its connection closes (at the
// test's end).
func stallRequest(t *testing.T, srv *server) *url.URL {
	t.Helper()
	u, _ := url.Parse(srv.base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.Write([]byte("POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server reads the headers
	return u
}

// TestServeDemoWithPrintedPassword is `make run` as a newcomer meets it: `serve --demo` without
// --demo-password prints a password that logs admin, ana and bruno in, to a demo office of five
// companies with valid CNPJs where 5548999990001 speaks for one and 5548999990002 for two. A
// restart with --demo on the same data prints the same password and changes nothing: what the
// administrator changed meanwhile stays as they left it.
func TestServeDemoWithPrintedPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	args := []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--demo", "--log-level", "warn"}
	password := func(banner string) string {
		t.Helper()
		for _, l := range strings.Split(banner, "\n") {
			if _, rest, ok := strings.Cut(l, `demo login:         office "demo", users admin, ana, bruno, password `); ok && rest != "" {
				return rest
			}
		}
		t.Fatalf("serve --demo printed no password:\n%s", banner)
		return ""
	}
	login := func(srv *server, user, pw string) *http.Client {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
		if status, body, err := post(c, srv.base+"/api/login", map[string]string{"office": "demo", "user": user, "password": pw}); err != nil || status != 200 {
			t.Fatalf("login as %s with the printed password: %d %s %v", user, status, body, err)
		}
		return c
	}
	type company struct{ ID, Name, CNPJ string }
	type contact struct {
		Phone     string
		Companies []string
	}
	get := func(c *http.Client, url string, v any) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
		}
	}
	office := func(srv *server, c *http.Client) (map[string]company, map[string][]string) {
		t.Helper()
		var cos struct{ Companies []company }
		get(c, srv.base+"/api/companies", &cos)
		var cts struct{ Contacts []contact }
		get(c, srv.base+"/api/contacts", &cts)
		companies, contacts := map[string]company{}, map[string][]string{}
		for _, co := range cos.Companies {
			companies[co.ID] = co
		}
		for _, ct := range cts.Contacts {
			contacts[ct.Phone] = ct.Companies
		}
		return companies, contacts
	}

	srv, banner := startServerWith(t, bin, args...)
	pw := password(banner)
	var admin *http.Client
	for _, user := range []string{"admin", "ana", "bruno"} {
		if c := login(srv, user, pw); user == "admin" {
			admin = c
		}
	}
	companies, contacts := office(srv, admin)
	if len(companies) != 5 {
		t.Errorf("demo companies = %+v, want 5", companies)
	}
	for _, co := range companies {
		if cnpj, err := balcao.NormalizeCNPJ(co.CNPJ); err != nil || cnpj != co.CNPJ {
			t.Errorf("demo company %s has CNPJ %q: %v", co.ID, co.CNPJ, err)
		}
	}
	if len(contacts["5548999990001"]) != 1 || len(contacts["5548999990002"]) != 2 {
		t.Fatalf("demo contacts = %v, want 5548999990001 for one company and 5548999990002 for two", contacts)
	}
	// The administrator renames a company and takes one of 5548999990002's companies away.
	renamed := companies[contacts["5548999990001"][0]]
	if status, body, err := doJSON(admin, "PUT", srv.base+"/api/companies/"+renamed.ID, map[string]any{"name": "Padaria Renomeada Ltda", "cnpj": renamed.CNPJ, "enabled": true, "useAssistant": true}); err != nil || status != 200 {
		t.Fatalf("rename company: %d %s %v", status, body, err)
	}
	removed := contacts["5548999990002"][1]
	if status, body, err := doJSON(admin, "DELETE", srv.base+"/api/contacts/5548999990002/companies/"+removed, nil); err != nil || status != http.StatusNoContent {
		t.Fatalf("remove a company of 5548999990002: %d %s %v", status, body, err)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.wait(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	srv, banner = startServerWith(t, bin, args...)
	if again := password(banner); again != pw {
		t.Errorf("the restart printed the password %q, want the first one %q", again, pw)
	}
	admin = login(srv, "admin", pw)
	companies, contacts = office(srv, admin)
	if len(companies) != 5 || companies[renamed.ID].Name != "Padaria Renomeada Ltda" {
		t.Errorf("companies after a restart with --demo = %+v, want the five with the rename kept", companies)
	}
	if got := contacts["5548999990002"]; len(got) != 1 || got[0] == removed {
		t.Errorf("5548999990002 speaks for %v after a restart with --demo, want one company, without %s", got, removed)
	}
}

// doJSON sends a request with a JSON body (nil for none).
func doJSON(c *http.Client, method, url string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, nil
}
