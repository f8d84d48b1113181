package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/bench"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// server is a `balcao serve` child process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs string // file holding what it wrote to stderr (also passed on to the test's): read it after exited
	// exited is closed once the process has exited, waitErr saying how (cmd.Wait's error): the
	// process's one Wait, which a test's select and the clean-up's kill share.
	exited  chan struct{}
	waitErr error
}

// wait waits for the process to exit and says how.
func (s *server) wait() error {
	<-s.exited
	return s.waitErr
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds the balcao binary once for every test of the package.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "balcao-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "balcao")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func startServer(t *testing.T, bin, data string) *server {
	t.Helper()
	srv, _ := startServerWith(t, bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--demo", "--demo-password", "segredo", "--log-level", "warn")
	return srv
}

// startServerWith runs the binary with args, a `balcao serve`, and returns it once it has
// printed its banner, with the banner.
func startServerWith(t *testing.T, bin string, args ...string) (*server, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(t.TempDir(), "stderr")
	f, err := os.Create(logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	cmd.Stderr = io.MultiWriter(os.Stderr, f)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &server{cmd: cmd, logs: logs, exited: make(chan struct{})}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-srv.exited })
	var banner strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		banner.WriteString(lines.Text() + "\n")
		if rest, ok := strings.CutPrefix(lines.Text(), "Balcão is running at "); ok {
			srv.base = strings.TrimSpace(rest)
		}
		if strings.HasPrefix(lines.Text(), "Press Ctrl-C") {
			break
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout) // Wait only once the pipe is read to its end
		srv.waitErr = cmd.Wait()
		close(srv.exited)
	}()
	if srv.base == "" {
		t.Fatalf("server printed no address: %v\n%s", lines.Err(), banner.String())
	}
	return srv, banner.String()
}

// login signs a demo staff member in (the tests' password) and returns a client holding the
// session.
func (s *server) login(t *testing.T, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	if status, body, err := post(c, s.base+"/api/login", map[string]string{"office": "demo", "user": user, "password": "segredo"}); err != nil || status != 200 {
		t.Fatalf("login as %s: %d %s %v", user, status, body, err)
	}
	return c
}

func post(c *http.Client, url string, body any) (int, []byte, error) {
	raw, _ := json.Marshal(body)
	resp, err := c.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, nil
}

func phoneOf(i int) string { return fmt.Sprintf("55479%08d", 90000000+i) }

// TestCrashLosesNothingAcknowledged kills the server with SIGKILL in the middle of a stream of
// inbound messages and checks, after a restart on the same data, that every message answered
// with 202 is stored exactly once and every conversation kept the state it had.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	srv := startServer(t, bin, data)
	staff := srv.login(t, "ana")
	// Unlinked phones go to pending on their first message; five of them are then attended.
	const controlled, attended = 10, 5
	for i := range controlled {
		status, body, err := post(staff, srv.base+"/sim/inbound", map[string]string{"office": "demo", "from": phoneOf(i), "text": "preciso de ajuda"})
		if err != nil || status != 202 {
			t.Fatalf("inbound: %d %s %v", status, body, err)
		}
	}
	for i := range attended {
		if status, body, err := post(staff, srv.base+"/api/conversations/"+phoneOf(i)+"/start", nil); err != nil || status != 200 {
			t.Fatalf("start: %d %s %v", status, body, err)
		}
	}

	// A stream from 30 phones, 8 at a time; the server dies after 150 acknowledgements.
	const phones, perPhone, workers, killAfter = 30, 20, 8, 150
	type sent struct{ phone, id string }
	jobs := make(chan sent)
	var mu sync.Mutex
	acked := map[string]string{} // id → phone
	var nacked atomic.Int64
	var killed sync.Once
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				status, _, err := post(client, srv.base+"/sim/inbound", map[string]string{"office": "demo", "from": j.phone, "text": "mensagem " + j.id, "id": j.id})
				if err == nil && status == http.StatusAccepted {
					mu.Lock()
					acked[j.id] = j.phone
					mu.Unlock()
					if nacked.Add(1) >= killAfter {
						killed.Do(func() { _ = srv.cmd.Process.Signal(syscall.SIGKILL) })
					}
				}
			}
		}()
	}
	for n := range perPhone {
		for p := range phones {
			jobs <- sent{phone: phoneOf(p), id: fmt.Sprintf("ID%03d%03d", p, n)}
		}
	}
	close(jobs)
	wg.Wait()
	killed.Do(func() { _ = srv.cmd.Process.Signal(syscall.SIGKILL) })
	_ = srv.wait()
	if len(acked) < killAfter {
		t.Fatalf("only %d messages acknowledged before the kill", len(acked))
	}

	srv = startServer(t, bin, data)
	staff = srv.login(t, "ana")
	stored := map[string]int{} // waId → count
	for p := range phones {
		for _, m := range allMessages(t, staff, srv.base, phoneOf(p)) {
			if m.Direction == "in" && m.WAID != "" {
				stored[m.WAID]++
			}
		}
	}
	for id, phone := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged message %s from %s stored %d times, want 1", id, phone, stored[id])
		}
	}
	for id, n := range stored {
		if n > 1 {
			t.Errorf("message %s stored %d times", id, n)
		}
	}
	for i := range controlled {
		resp, err := staff.Get(srv.base + "/api/conversations/" + phoneOf(i))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Conversation struct {
				State     string `json:"state"`
				Attendant string `json:"attendant"`
			} `json:"conversation"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		want, wantBy := "pending", ""
		if i < attended {
			want, wantBy = "attending", "ana"
		}
		if v.Conversation.State != want || v.Conversation.Attendant != wantBy {
			t.Errorf("conversation %s after restart = %+v, want %s %s", phoneOf(i), v.Conversation, want, wantBy)
		}
	}
	// The inbox tabs: each conversation once in contatos, the attended ones in atendimento, the
	// others (the unlinked phones of the stream too) in pendentes. A turn moves its
	// conversation's contatos entry (a set and a single deletion in one batch), and the kill
	// came in the middle of those moves.
	withMessages := map[string]bool{}
	for _, phone := range acked {
		withMessages[phone] = true
	}
	for i := range controlled {
		withMessages[phoneOf(i)] = true
	}
	tabs := map[string]map[string]int{}
	for _, tab := range []string{"contatos", "pendentes", "atendimento"} {
		tabs[tab] = tabPhones(t, staff, srv.base, tab)
		for phone, n := range tabs[tab] {
			if n != 1 {
				t.Errorf("%s listed %d times in %s", phone, n, tab)
			}
		}
	}
	for phone := range withMessages {
		isAttended := false
		for i := range attended {
			isAttended = isAttended || phone == phoneOf(i)
		}
		want := map[string]int{"contatos": 1, "pendentes": 1, "atendimento": 0}
		if isAttended {
			want["pendentes"], want["atendimento"] = 0, 1
		}
		for tab, n := range want {
			if tabs[tab][phone] != n {
				t.Errorf("%s (attended %v) is %d times in %s, want %d", phone, isAttended, tabs[tab][phone], tab, n)
			}
		}
	}
	if len(tabs["contatos"]) != len(withMessages) || len(tabs["pendentes"])+len(tabs["atendimento"]) != len(withMessages) {
		t.Errorf("tabs list %d / %d / %d conversations for %d with messages", len(tabs["contatos"]), len(tabs["pendentes"]), len(tabs["atendimento"]), len(withMessages))
	}

	// A clean stop flushes the memtable the restart replayed the log into, where a key set twice
	// and deleted with DeleteSingle would be found and logged.
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.wait(); err != nil {
		t.Errorf("stop after the restart: %v", err)
	}
	if logs, err := os.ReadFile(srv.logs); err != nil || bytes.Contains(logs, []byte("DeleteSingle")) {
		t.Errorf("the stop found keys deleted with DeleteSingle that had been set twice (%v):\n%s", err, logs)
	}
	t.Logf("acknowledged %d messages before SIGKILL; all found once after restart", len(acked))
}

// TestCrashDuringDocumentDeliveries kills the server with SIGKILL while clients' document
// requests are being fetched and their documents sent, and checks, after a restart on the same
// data, that every request acknowledged with 202 ends with its documents in the chat once each,
// every one of them delivered, and its job done.
func TestCrashDuringDocumentDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	srv := startServer(t, bin, data)
	admin := srv.login(t, "admin")
	// Clients of the padaria, whose payroll of last month the demo documents hold (a payslip
	// per employee).
	const clients, workers = 60, 8
	phone := func(i int) string { return fmt.Sprintf("55479%08d", 80000000+i) }
	for i := range clients {
		status, body, err := post(admin, srv.base+"/api/contacts", map[string]any{"phone": phone(i), "name": fmt.Sprint("Sócio ", i), "companies": []string{"padaria-pao-quente"}})
		if err != nil || status != http.StatusCreated {
			t.Fatalf("add contact: %d %s %v", status, body, err)
		}
	}
	now := time.Now().In(assistant.Location())
	prev := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, now.Location()).AddDate(0, -1, 0)
	months := []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}
	ask := "me manda o holerite de " + months[prev.Month()-1] + " de " + prev.Format("2006")

	// The requests go 8 at a time; the server dies as soon as a document reached a phone, with
	// the fetches and sends of the other requests under way.
	jobs := make(chan string)
	var mu sync.Mutex
	acked := map[string]bool{}
	var order []string // acknowledged phones, in order
	var killed sync.Once
	kill := func() { killed.Do(func() { _ = srv.cmd.Process.Signal(syscall.SIGKILL) }) }
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	for range workers {
		wg.Go(func() {
			for p := range jobs {
				status, _, err := post(client, srv.base+"/sim/inbound", map[string]string{"office": "demo", "from": p, "text": ask})
				if err == nil && status == http.StatusAccepted {
					mu.Lock()
					acked[p] = true
					order = append(order, p)
					mu.Unlock()
				}
			}
		})
	}
	var watcher sync.WaitGroup
	var seen atomic.Int64 // documents on the phones when the kill was sent
	stopWatching := make(chan struct{})
	watcher.Go(func() {
		for {
			select {
			case <-stopWatching:
				return
			default:
			}
			mu.Lock()
			phones := slices.Clone(order)
			mu.Unlock()
			for _, p := range phones {
				resp, err := client.Get(srv.base + "/sim/outbound?office=demo&to=" + p)
				if err != nil {
					return // killed
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if n := bytes.Count(body, []byte(`"document":{`)); n > 0 {
					seen.Store(int64(n))
					kill()
					return
				}
			}
		}
	})
	for i := range clients {
		jobs <- phone(i)
	}
	close(jobs)
	wg.Wait()
	close(stopWatching)
	watcher.Wait()
	kill()
	_ = srv.wait()
	// What the kill left to do: requests open, replies and documents not handed to WhatsApp.
	db, err := storage.Open(engine.PebbleDir(data), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	open, err := db.OpenJobs("demo")
	if err != nil {
		t.Fatal(err)
	}
	unsent := 0
	if err := db.Outbox("demo", func(string, uint64, bool) bool { unsent++; return true }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	srv = startServer(t, bin, data)
	admin = srv.login(t, "admin")
	// Every acknowledged request's documents reach the chat once each and are delivered.
	deadline := time.Now().Add(60 * time.Second)
	for p := range acked {
		for {
			docs, delivered := map[string]int{}, 0
			for _, m := range allMessages(t, admin, srv.base, p) {
				if m.Document != nil {
					docs[m.Document.Name]++
					if m.Status == "delivered" {
						delivered++
					}
				}
			}
			for name, n := range docs {
				if n > 1 {
					t.Fatalf("%s got %s %d times in its chat", p, name, n)
				}
			}
			if len(docs) > 0 && delivered == len(docs) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: documents %v, %d delivered, after the restart; want its payslips, each delivered", p, docs, delivered)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// No request stays open: each job is done and delivered, one per phone that asked.
	resp, err := admin.Get(srv.base + "/api/jobs?tab=processados&limit=200")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Jobs []struct {
			Phone     string `json:"phone"`
			State     string `json:"state"`
			Delivered bool   `json:"delivered"`
		} `json:"jobs"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	done := map[string]int{}
	for _, j := range page.Jobs {
		if j.Delivered {
			done[j.Phone]++
		}
	}
	for p := range acked {
		if done[p] != 1 {
			t.Errorf("%s has %d delivered jobs, want 1", p, done[p])
		}
	}
	for _, tab := range []string{"pendentes", "aguardando", "processando"} {
		resp, err := admin.Get(srv.base + "/api/jobs?tab=" + tab)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte(`"jobs":[]`)) {
			t.Errorf("jobs left in %s after the restart: %s", tab, body)
		}
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.wait(); err != nil {
		t.Errorf("stop after the restart: %v", err)
	}
	t.Logf("%d requests acknowledged, SIGKILL with %d documents on a phone, %d jobs open and %d outbox entries; all delivered once after the restart", len(acked), seen.Load(), len(open), unsent)
}

// tabPhones lists an inbox tab whole: how many times each conversation is in it.
func tabPhones(t *testing.T, c *http.Client, base, tab string) map[string]int {
	t.Helper()
	phones := map[string]int{}
	cursor := ""
	for {
		resp, err := c.Get(base + "/api/conversations?tab=" + tab + "&limit=200&cursor=" + cursor)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Conversations []struct {
				ID string `json:"id"`
			} `json:"conversations"`
			Next string `json:"next"`
		}
		status := resp.StatusCode
		_ = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if status != http.StatusOK {
			t.Fatalf("GET tab %s: %d", tab, status)
		}
		for _, c := range page.Conversations {
			phones[c.ID]++
		}
		if page.Next == "" {
			return phones
		}
		cursor = page.Next
	}
}

type storedMessage struct {
	ID        uint64 `json:"id"`
	Direction string `json:"direction"`
	WAID      string `json:"waId"`
	Status    string `json:"status"`
	Document  *struct {
		Name string `json:"name"`
	} `json:"document"`
}

// allMessages pages through a conversation's whole history.
func allMessages(t *testing.T, c *http.Client, base, phone string) []storedMessage {
	t.Helper()
	var all []storedMessage
	before := ""
	for {
		resp, err := c.Get(base + "/api/conversations/" + phone + "/messages?limit=200" + before)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Messages []storedMessage `json:"messages"`
			More     bool            `json:"more"`
		}
		status := resp.StatusCode
		_ = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if status == http.StatusNotFound {
			return nil // the phone's first message was never acknowledged
		}
		all = append(page.Messages, all...)
		if !page.More || len(page.Messages) == 0 {
			return all
		}
		before = fmt.Sprintf("&before=%d", page.Messages[0].ID)
	}
}

func TestMain(m *testing.M) {
	bench.RunBrowsersIfChild() // as main does: a bench run from a test starts this binary again
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}
