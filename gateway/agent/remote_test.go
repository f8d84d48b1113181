package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const (
	testOffice = "contabil-silva"
	testToken  = "agente-secreto-1"
	testCNPJ   = "12345678000190"
)

// testServer is a real HTTP server on a loopback port with Remote.Handler at /agent.
type testServer struct {
	remote  *Remote
	srv     *httptest.Server
	logs    *syncBuffer
	mu      sync.Mutex
	changes []int // onChange values for testOffice, in order
	verifs  atomic.Int64
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestServer(t *testing.T, configure func(*Remote)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startTestServer(t, ln, configure)
}

func startTestServer(t *testing.T, ln net.Listener, configure func(*Remote)) *testServer {
	t.Helper()
	ts := &testServer{logs: &syncBuffer{}}
	verify := func(_ context.Context, token string) (string, error) {
		ts.verifs.Add(1)
		if token == testToken {
			return testOffice, nil
		}
		return "", ErrInvalidToken
	}
	log := slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts.remote = NewRemote(verify, log, func(office string, online int) {
		if office == testOffice {
			ts.mu.Lock()
			ts.changes = append(ts.changes, online)
			ts.mu.Unlock()
		}
	})
	if configure != nil {
		configure(ts.remote)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /agent", ts.remote.Handler())
	ts.srv = httptest.NewUnstartedServer(mux)
	ts.srv.Listener.Close()
	ts.srv.Listener = ln
	ts.srv.Start()
	t.Cleanup(ts.close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", ts.logs)
		}
	})
	return ts
}

func (ts *testServer) close() {
	ts.remote.Close()
	ts.srv.Close()
}

func (ts *testServer) onlineChanges() []int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]int(nil), ts.changes...)
}

// waitFor polls cond until it holds or 5 s have passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitOnline(t *testing.T, r *Remote, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d agents online", n), func() bool { return r.Online(testOffice) == n })
}

// fakePDF returns a PDF-looking file of n bytes whose content depends on seed.
func fakePDF(n int, seed byte) []byte {
	b := make([]byte, n)
	copy(b, "%PDF-1.7\n")
	for i := 9; i < n; i++ {
		b[i] = seed + byte(i*7)
	}
	return b
}

func writeDoc(t *testing.T, dir, intent, comp, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, testCNPJ, intent, comp)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countingSource counts the jobs a source received.
type countingSource struct {
	Source
	n atomic.Int64
}

func (c *countingSource) Fetch(ctx context.Context, j Job) (Result, error) {
	c.n.Add(1)
	return c.Source.Fetch(ctx, j)
}

type failingSource struct{}

func (failingSource) Fetch(context.Context, Job) (Result, error) {
	return Result{}, errors.New("sistema contábil fora do ar")
}

// startClient runs a real Client against the server until the test ends.
func startClient(t *testing.T, server, token string, src Source, name string) (done <-chan error, stop func()) {
	t.Helper()
	_, done, stop = runClient(t, &Client{Server: server, Token: token, Source: src, Name: name})
	return done, stop
}

// runClient runs c until the test ends, with short backoffs and its log in logs.
func runClient(t *testing.T, c *Client) (logs *syncBuffer, done <-chan error, stop func()) {
	t.Helper()
	logs = &syncBuffer{}
	name := c.Name
	c.Version = "test"
	c.Log = slog.New(slog.NewTextHandler(logs, nil))
	c.MinBackoff, c.MaxBackoff = 10*time.Millisecond, 100*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ch <- c.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-finished:
			case <-time.After(5 * time.Second):
				t.Errorf("client %s: Run did not return after cancel", name)
			}
		})
	}
	t.Cleanup(stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("client %s log:\n%s", name, logs)
		}
	})
	return logs, ch, stop
}

func testJob(id, intent, comp, person string) Job {
	return Job{ID: id, CNPJ: testCNPJ, Intent: intent, Competence: comp, Person: person}
}

func fetch(t *testing.T, src Source, j Job) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return src.Fetch(ctx, j)
}

func TestAgentFetchFiles(t *testing.T) {
	ts := newTestServer(t, nil)
	dir := t.TempDir()
	big := fakePDF(700<<10, 1) // three chunks
	small := fakePDF(2000, 2)
	writeDoc(t, dir, "holerite", "2026-10", "holerite-ana-souza.pdf", big)
	writeDoc(t, dir, "holerite", "2026-10", "holerite-bruno-lima.pdf", small)
	startClient(t, ts.srv.URL, testToken, Folder{Dir: dir}, "escritorio")
	waitOnline(t, ts.remote, 1)

	res, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "holerite", "2026-10", ""))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if res.Pending != "" || len(res.Files) != 2 {
		t.Fatalf("Fetch = pending %q, %d files; want 2 files", res.Pending, len(res.Files))
	}
	want := []File{{"holerite-ana-souza.pdf", big}, {"holerite-bruno-lima.pdf", small}}
	for i, f := range res.Files {
		if f.Name != want[i].Name || !bytes.Equal(f.Data, want[i].Data) {
			t.Errorf("file %d = %s (%d bytes), want %s (%d bytes, same bytes)", i, f.Name, len(f.Data), want[i].Name, len(want[i].Data))
		}
	}

	res, err = fetch(t, ts.remote.Source(testOffice), testJob("j2", "holerite", "2026-10", "Bruno Lima"))
	if err != nil || len(res.Files) != 1 || res.Files[0].Name != "holerite-bruno-lima.pdf" {
		t.Fatalf("Fetch(person) = %d files, %v; want bruno's payslip", len(res.Files), err)
	}
	if got := ts.remote.Agents(testOffice); len(got) != 1 || got[0].Name != "escritorio" || got[0].Busy != 0 {
		t.Errorf("Agents = %+v, want one idle agent named escritorio", got)
	}
}

func TestAgentPending(t *testing.T) {
	ts := newTestServer(t, nil)
	startClient(t, ts.srv.URL, testToken, Folder{Dir: t.TempDir()}, "escritorio")
	waitOnline(t, ts.remote, 1)
	res, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "holerite", "2026-11", ""))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := "Folha de 11/2026 ainda não calculada."; res.Pending != want || len(res.Files) != 0 {
		t.Fatalf("Fetch = %q, %d files; want %q", res.Pending, len(res.Files), want)
	}
}

func TestAgentSourceError(t *testing.T) {
	ts := newTestServer(t, nil)
	startClient(t, ts.srv.URL, testToken, failingSource{}, "escritorio")
	waitOnline(t, ts.remote, 1)
	_, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
	if !errors.Is(err, ErrAgentFailed) || !strings.Contains(err.Error(), "fora do ar") {
		t.Fatalf("Fetch = %v, want ErrAgentFailed with the source's message", err)
	}
}

func TestAgentWrongToken(t *testing.T) {
	ts := newTestServer(t, nil)
	for name, header := range map[string]string{"wrong": "Bearer outro", "missing": "", "not bearer": "Basic " + testToken} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.srv.URL+"/agent", nil)
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 401 || body.Error.Code != "invalid_token" || body.Error.Message != "Token do agente inválido." {
				t.Errorf("GET /agent = %d %+v, want 401 invalid_token", resp.StatusCode, body)
			}
		})
	}

	before := ts.verifs.Load()
	done, _ := startClient(t, ts.srv.URL, "outro", Folder{Dir: t.TempDir()}, "errado")
	select {
	case err := <-done:
		if !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("Run = %v, want ErrInvalidToken", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run with a wrong token did not stop")
	}
	if n := ts.verifs.Load() - before; n != 1 {
		t.Errorf("the client tried %d times, want 1 (no retry loop on 401)", n)
	}
}

func TestAgentNoAgent(t *testing.T) {
	ts := newTestServer(t, nil)
	_, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
	if !errors.Is(err, ErrNoAgent) {
		t.Fatalf("Fetch = %v, want ErrNoAgent", err)
	}
	dir := t.TempDir()
	writeDoc(t, dir, "das", "2026-10", "das.pdf", fakePDF(100, 3))
	res, err := fetch(t, Fallback{Primary: ts.remote.Source(testOffice), Secondary: Folder{Dir: dir}}, testJob("j1", "das", "2026-10", ""))
	if err != nil || len(res.Files) != 1 {
		t.Fatalf("Fallback.Fetch = %d files, %v; want the folder's file", len(res.Files), err)
	}
}

func TestAgentTwoAgentsOneJob(t *testing.T) {
	ts := newTestServer(t, nil)
	dir := t.TempDir()
	writeDoc(t, dir, "das", "2026-10", "das.pdf", fakePDF(100, 3))
	a, b := &countingSource{Source: Folder{Dir: dir}}, &countingSource{Source: Folder{Dir: dir}}
	startClient(t, ts.srv.URL, testToken, a, "a")
	startClient(t, ts.srv.URL, testToken, b, "b")
	waitOnline(t, ts.remote, 2)

	if _, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", "")); err != nil {
		t.Fatal(err)
	}
	if a.n.Load()+b.n.Load() != 1 {
		t.Fatalf("one job ran %d + %d times, want once", a.n.Load(), b.n.Load())
	}
	if _, err := fetch(t, ts.remote.Source(testOffice), testJob("j2", "das", "2026-10", "")); err != nil {
		t.Fatal(err)
	}
	if a.n.Load() != 1 || b.n.Load() != 1 {
		t.Fatalf("two jobs ran %d and %d times on the agents, want once each (round robin)", a.n.Load(), b.n.Load())
	}
	if got := ts.onlineChanges(); fmt.Sprint(got) != "[1 2]" {
		t.Errorf("onChange = %v, want [1 2]", got)
	}
}

func TestAgentReconnectsAfterServerRestart(t *testing.T) {
	ts := newTestServer(t, nil)
	addr := ts.srv.Listener.Addr().String()
	dir := t.TempDir()
	writeDoc(t, dir, "das", "2026-10", "das.pdf", fakePDF(100, 3))
	startClient(t, ts.srv.URL, testToken, Folder{Dir: dir}, "escritorio")
	waitOnline(t, ts.remote, 1)

	ts.close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	ts2 := startTestServer(t, ln, nil)
	waitOnline(t, ts2.remote, 1)
	res, err := fetch(t, ts2.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
	if err != nil || len(res.Files) != 1 {
		t.Fatalf("Fetch after restart = %d files, %v", len(res.Files), err)
	}
}

func TestAgentCloseDisconnects(t *testing.T) {
	ts := newTestServer(t, nil)
	startClient(t, ts.srv.URL, testToken, Folder{Dir: t.TempDir()}, "escritorio")
	waitOnline(t, ts.remote, 1)
	ts.remote.Close()
	if n := ts.remote.Online(testOffice); n != 0 {
		t.Errorf("Online after Close = %d, want 0", n)
	}
	if _, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", "")); !errors.Is(err, ErrClosed) {
		t.Errorf("Fetch after Close = %v, want ErrClosed", err)
	}
	if got := ts.onlineChanges(); fmt.Sprint(got) != "[1 0]" {
		t.Errorf("onChange = %v, want [1 0]", got)
	}
}

// TestAgentCloseFailsJobsInFlightAsClosed: a job whose agent Close disconnects fails as
// ErrAgentGone and ErrClosed: the server stopping is no fault of the job (the job actor
// counts no attempt for it), unlike an agent that went away on its own.
func TestAgentCloseFailsJobsInFlightAsClosed(t *testing.T) {
	ts := newTestServer(t, nil)
	src := &blockingSource{started: make(chan string, 1), cancelled: make(chan string, 1)}
	startClient(t, ts.srv.URL, testToken, src, "lento")
	waitOnline(t, ts.remote, 1)
	res := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
	<-src.started
	ts.remote.Close()
	if o := await(t, res); !errors.Is(o.err, ErrAgentGone) || !errors.Is(o.err, ErrClosed) {
		t.Fatalf("Fetch in flight at Close = %v, want ErrAgentGone and ErrClosed", o.err)
	}
}

// rawAgent speaks the protocol by hand, to misbehave in ways the real Client never does.
type rawAgent struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialRaw(t *testing.T, ts *testServer, concurrency int) *rawAgent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ts.srv.URL+"/agent", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + testToken}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	a := &rawAgent{t: t, conn: conn}
	a.send(&frame{Type: frameHello, Name: "raw", Version: "0", Protocol: ProtocolVersion, Concurrency: concurrency})
	if f := a.next(); f.Type != frameWelcome || f.Office != testOffice {
		t.Fatalf("first frame = %+v, want welcome to %s", f, testOffice)
	}
	return a
}

func (a *rawAgent) send(f *frame) {
	a.t.Helper()
	data, _ := json.Marshal(f)
	if err := a.conn.Write(context.Background(), websocket.MessageText, data); err != nil {
		a.t.Fatalf("raw agent write: %v", err)
	}
}

func (a *rawAgent) chunk(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.conn.Write(ctx, websocket.MessageBinary, b)
}

func (a *rawAgent) next() *frame {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f, err := readFrame(ctx, a.conn)
	if err != nil {
		a.t.Fatalf("raw agent read: %v", err)
	}
	return f
}

func header(name string, data []byte) fileHeader {
	sum := sha256.Sum256(data)
	return fileHeader{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}

// fetchAsync runs Fetch on its own goroutine.
func fetchAsync(src Source, j Job) <-chan outcome {
	return fetchAsyncCtx(context.Background(), src, j)
}

// fetchAsyncCtx runs Fetch on its own goroutine with ctx, bounded to 10 s: the server sends
// cancel when ctx ends.
func fetchAsyncCtx(ctx context.Context, src Source, j Job) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		res, err := src.Fetch(ctx, j)
		ch <- outcome{res, err}
	}()
	return ch
}

func await(t *testing.T, ch <-chan outcome) outcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("Fetch did not return")
		return outcome{}
	}
}

func TestAgentKilledMidTransfer(t *testing.T) {
	ts := newTestServer(t, nil)
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	got := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "balancete", "2026-10", ""))
	if f := a.next(); f.Type != frameJob || f.Job != "j1" || f.CNPJ != testCNPJ {
		t.Fatalf("raw agent got %+v, want job j1", f)
	}
	data := fakePDF(3*ChunkSize, 4)
	a.send(&frame{Type: frameResult, Job: "j1", Files: []fileHeader{header("balancete.pdf", data)}})
	if err := a.chunk(data[:ChunkSize]); err != nil {
		t.Fatal(err)
	}
	a.conn.CloseNow()

	o := await(t, got)
	if !errors.Is(o.err, ErrAgentGone) || errors.Is(o.err, ErrClosed) || len(o.res.Files) != 0 {
		t.Fatalf("Fetch = %d files, %v; want no file and ErrAgentGone (not ErrClosed)", len(o.res.Files), o.err)
	}
	waitOnline(t, ts.remote, 0)
}

func TestAgentDeclaredTooLarge(t *testing.T) {
	ts := newTestServer(t, nil)
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	got := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "balancete", "2026-10", ""))
	a.next()
	huge := fileHeader{Name: "balancete.pdf", Size: 200 << 20, SHA256: strings.Repeat("ab", 32)}
	a.send(&frame{Type: frameResult, Job: "j1", Files: []fileHeader{huge}})

	chunk := fakePDF(ChunkSize, 5)
	var sent int64
	for sent < huge.Size && a.chunk(chunk) == nil {
		sent += ChunkSize
	}
	o := await(t, got)
	if o.err != nil || len(o.res.Files) != 0 || !strings.Contains(o.res.Pending, "grande demais") {
		t.Fatalf("Fetch = %d files, pending %q, %v; want a pending reason about the size", len(o.res.Files), o.res.Pending, o.err)
	}
	if sent >= huge.Size {
		t.Fatalf("the server read all %d MB of a file it should refuse up front", huge.Size>>20)
	}
	t.Logf("the agent could send %d MB of the 200 MB before the server hung up", sent>>20)
	waitOnline(t, ts.remote, 0)
}

// A result declaring more than MaxFiles files is answered to its job as pending, like one
// over the byte limits, before any byte is read; it was refused as a malformed frame, so the
// job failed as ErrAgentGone and was retried five times for the same answer.
func TestAgentDeclaredTooManyFiles(t *testing.T) {
	ts := newTestServer(t, nil)
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	got := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "holerite", "2026-10", ""))
	a.next()
	files := make([]fileHeader, MaxFiles+1)
	for i := range files {
		files[i] = header(fmt.Sprintf("holerite-%04d.pdf", i), fakePDF(16, byte(i)))
	}
	a.send(&frame{Type: frameResult, Job: "j1", Files: files})
	o := await(t, got)
	if o.err != nil || len(o.res.Files) != 0 || !strings.Contains(o.res.Pending, "arquivos demais") {
		t.Fatalf("Fetch = %d files, pending %q, %v; want a pending reason about the number of files", len(o.res.Files), o.res.Pending, o.err)
	}
	waitOnline(t, ts.remote, 0)
}

func TestAgentReplayedResult(t *testing.T) {
	ts := newTestServer(t, nil)
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	src := ts.remote.Source(testOffice)

	got := fetchAsync(src, testJob("j1", "fgts", "2026-10", ""))
	a.next()
	reply := &frame{Type: frameResult, Job: "j1", Pending: "Guia do FGTS de 10/2026 ainda não gerada."}
	a.send(reply)
	if o := await(t, got); o.err != nil || o.res.Pending != reply.Pending {
		t.Fatalf("Fetch = %q, %v; want %q", o.res.Pending, o.err, reply.Pending)
	}

	// The same result again, a result with a file for a job nobody asked for, and an error for
	// a finished job: ignored, and the connection stays usable.
	a.send(reply)
	stray := fakePDF(1000, 6)
	a.send(&frame{Type: frameResult, Job: "fantasma", Files: []fileHeader{header("x.pdf", stray)}})
	if err := a.chunk(stray); err != nil {
		t.Fatal(err)
	}
	a.send(&frame{Type: frameError, Job: "j1", Message: "tarde demais"})

	got = fetchAsync(src, testJob("j2", "fgts", "2026-09", ""))
	if f := a.next(); f.Job != "j2" {
		t.Fatalf("raw agent got %+v, want job j2", f)
	}
	doc := fakePDF(5000, 7)
	a.send(&frame{Type: frameResult, Job: "j2", Files: []fileHeader{header("fgts.pdf", doc)}})
	if err := a.chunk(doc); err != nil {
		t.Fatal(err)
	}
	if o := await(t, got); o.err != nil || len(o.res.Files) != 1 || !bytes.Equal(o.res.Files[0].Data, doc) {
		t.Fatalf("Fetch j2 = %d files, %v; want the document", len(o.res.Files), o.err)
	}
	logs := ts.logs.String()
	if n := strings.Count(logs, "result for a job not in flight ignored"); n != 2 {
		t.Errorf("%d results logged as ignored, want 2:\n%s", n, logs)
	}
	if !strings.Contains(logs, "error for a job not in flight ignored") {
		t.Errorf("late error not logged as ignored:\n%s", logs)
	}
	if n := ts.remote.Online(testOffice); n != 1 {
		t.Errorf("Online = %d, want 1 (replays don't cost the connection)", n)
	}
}

func TestAgentBadFiles(t *testing.T) {
	doc := fakePDF(3000, 8)
	cases := []struct {
		name    string
		header  fileHeader
		data    []byte
		wantErr error
		pending string
	}{
		{"checksum mismatch", fileHeader{Name: "das.pdf", Size: int64(len(doc)), SHA256: strings.Repeat("00", 32)}, doc, ErrBadTransfer, ""},
		{"not a pdf", header("das.pdf", []byte("<html>erro</html>")), []byte("<html>erro</html>"), nil, "O arquivo das.pdf não é um PDF válido."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			a := dialRaw(t, ts, 1)
			waitOnline(t, ts.remote, 1)
			got := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
			a.next()
			a.send(&frame{Type: frameResult, Job: "j1", Files: []fileHeader{tc.header}})
			if err := a.chunk(tc.data); err != nil {
				t.Fatal(err)
			}
			o := await(t, got)
			if !errors.Is(o.err, tc.wantErr) || (tc.wantErr != nil) != (o.err != nil) || o.res.Pending != tc.pending || len(o.res.Files) != 0 {
				t.Fatalf("Fetch = %d files, pending %q, %v; want pending %q, error %v", len(o.res.Files), o.res.Pending, o.err, tc.pending, tc.wantErr)
			}
		})
	}
}

func TestAgentProtocolViolation(t *testing.T) {
	ts := newTestServer(t, nil)
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	got := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
	a.next()
	if err := a.chunk([]byte("%PDF-1.7 sem cabeçalho")); err != nil {
		t.Fatal(err)
	}
	if o := await(t, got); !errors.Is(o.err, ErrAgentGone) {
		t.Fatalf("Fetch = %v, want ErrAgentGone after a binary frame outside a transfer", o.err)
	}
	waitOnline(t, ts.remote, 0)
}

func TestAgentJobTimeout(t *testing.T) {
	ts := newTestServer(t, func(r *Remote) { r.JobTimeout = 100 * time.Millisecond })
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	got := fetchAsync(ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", ""))
	a.next()
	if o := await(t, got); !errors.Is(o.err, ErrJobTimeout) {
		t.Fatalf("Fetch = %v, want ErrJobTimeout", o.err)
	}
	if f := a.next(); f.Type != frameCancel || f.Job != "j1" {
		t.Fatalf("raw agent got %+v, want cancel j1", f)
	}
	// The slot is free again: the next job reaches the agent.
	fetchAsync(ts.remote.Source(testOffice), testJob("j2", "das", "2026-10", ""))
	if f := a.next(); f.Type != frameJob || f.Job != "j2" {
		t.Fatalf("raw agent got %+v, want job j2", f)
	}
}

func TestAgentWaitsForFreeSlot(t *testing.T) {
	ts := newTestServer(t, nil)
	a := dialRaw(t, ts, 1)
	waitOnline(t, ts.remote, 1)
	src := ts.remote.Source(testOffice)
	first := fetchAsync(src, testJob("j1", "das", "2026-10", ""))
	if f := a.next(); f.Job != "j1" {
		t.Fatalf("got %+v, want j1", f)
	}
	second := fetchAsync(src, testJob("j2", "das", "2026-10", ""))
	if _, err := fetch(t, src, testJob("j1", "das", "2026-10", "")); !errors.Is(err, ErrJobInFlight) {
		t.Errorf("Fetch of a job in flight = %v, want ErrJobInFlight", err)
	}
	a.send(&frame{Type: frameResult, Job: "j1", Pending: "um"})
	if f := a.next(); f.Job != "j2" {
		t.Fatalf("got %+v, want j2 once j1 freed the only slot", f)
	}
	a.send(&frame{Type: frameResult, Job: "j2", Pending: "dois"})
	if o1, o2 := await(t, first), await(t, second); o1.res.Pending != "um" || o2.res.Pending != "dois" {
		t.Fatalf("results %q, %q; want um, dois", o1.res.Pending, o2.res.Pending)
	}
}

func TestAgentSilentIsDropped(t *testing.T) {
	ts := newTestServer(t, func(r *Remote) { r.Heartbeat = 50 * time.Millisecond })
	dialRaw(t, ts, 1) // never reads again, so never answers a ping
	waitOnline(t, ts.remote, 1)
	waitOnline(t, ts.remote, 0)
	if !strings.Contains(ts.logs.String(), "agent silent") {
		t.Errorf("drop not logged:\n%s", ts.logs)
	}
}

func TestAgentHeartbeatKeepsClient(t *testing.T) {
	// Each pong has a heartbeat to come back: 150 ms, so that a loaded machine running the
	// other packages' tests with -race does not drop it (at 20 ms it sometimes did).
	ts := newTestServer(t, func(r *Remote) { r.Heartbeat = 150 * time.Millisecond })
	startClient(t, ts.srv.URL, testToken, Folder{Dir: t.TempDir()}, "escritorio")
	waitOnline(t, ts.remote, 1)
	deadline := time.Now().Add(1200 * time.Millisecond) // 8 heartbeats
	for time.Now().Before(deadline) {
		if ts.remote.Online(testOffice) != 1 {
			t.Fatal("a client answering pings was dropped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := ts.onlineChanges(); fmt.Sprint(got) != "[1]" {
		t.Errorf("onChange = %v, want [1]", got)
	}
}

func TestAgentEndpointURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://127.0.0.1:8080", "ws://127.0.0.1:8080/agent"},
		{"https://balcao.example.com/", "wss://balcao.example.com/agent"},
		{"wss://balcao.example.com/base/agent", "wss://balcao.example.com/base/agent"},
		{"https://user:senha@balcao.example.com?x=1", "wss://balcao.example.com/agent"},
		{"balcao.example.com", ""},
		{"ftp://balcao.example.com", ""},
	}
	for _, c := range cases {
		got, err := Endpoint(c.in)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("Endpoint(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestAgentBackoff(t *testing.T) {
	c := &Client{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for attempt, max := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		max *= time.Millisecond
		for range 20 {
			if d := c.backoff(attempt); d < max/2 || d > max {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, max/2, max)
			}
		}
	}
	if d := c.backoff(1000); d > time.Second {
		t.Errorf("backoff(1000) = %v, want capped at 1s", d)
	}
}

// A large MinBackoff doubles up to MaxBackoff without overflowing into a negative wait (which
// made rand.N panic), for every attempt a long outage reaches.
func TestAgentBackoffLarge(t *testing.T) {
	cases := []struct{ lo, hi time.Duration }{
		{1 << 40, math.MaxInt64}, // 18 min, doubled past 2^63 at attempt 23
		{1 << 62, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64},
		{time.Hour, 0}, // over the default maximum
		{time.Hour, time.Minute},
	}
	for _, c := range cases {
		cl := &Client{MinBackoff: c.lo, MaxBackoff: c.hi}
		hi := c.hi
		if hi == 0 {
			hi = DefaultMaxBackoff
		}
		for attempt := range 100 {
			want := hi // min(lo·2^attempt, hi), in floating point: no overflow
			if w := float64(c.lo) * math.Pow(2, float64(attempt)); w < float64(hi) {
				want = time.Duration(w)
			}
			if d := cl.backoff(attempt); d < want/2 || d > want {
				t.Fatalf("Client{MinBackoff: %v, MaxBackoff: %v}.backoff(%d) = %v, want in [%v, %v]", c.lo, c.hi, attempt, d, want/2, want)
			}
		}
	}
}

var _ io.Writer = (*syncBuffer)(nil)

// blockingSource waits for its job to be cancelled.
type blockingSource struct {
	started   chan string
	cancelled chan string
}

func (b *blockingSource) Fetch(ctx context.Context, j Job) (Result, error) {
	b.started <- j.ID
	<-ctx.Done()
	b.cancelled <- j.ID
	return Result{}, ctx.Err()
}

func TestAgentClientCancelsJob(t *testing.T) {
	ts := newTestServer(t, func(r *Remote) { r.JobTimeout = 100 * time.Millisecond })
	src := &blockingSource{started: make(chan string, 1), cancelled: make(chan string, 1)}
	startClient(t, ts.srv.URL, testToken, src, "lento")
	waitOnline(t, ts.remote, 1)
	if _, err := fetch(t, ts.remote.Source(testOffice), testJob("j1", "das", "2026-10", "")); !errors.Is(err, ErrJobTimeout) {
		t.Fatalf("Fetch = %v, want ErrJobTimeout", err)
	}
	select {
	case id := <-src.cancelled:
		if id != "j1" {
			t.Fatalf("cancelled %s, want j1", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the agent's source was not cancelled")
	}
	if n := ts.remote.Online(testOffice); n != 1 {
		t.Errorf("Online = %d after a cancel, want 1", n)
	}
}

// stuckSource hands each attempt to the test, which decides when it ends and with what: an
// attempt ignores its cancellation the while, as a Folder does in the middle of reading a big
// file from a network share. Attempts still running end with the test.
type stuckSource struct {
	t        *testing.T
	attempts chan *attempt
}

var _ Source = (*stuckSource)(nil)

type attempt struct {
	job    Job
	ctx    context.Context
	answer chan Result
}

func newStuckSource(t *testing.T) *stuckSource {
	return &stuckSource{t: t, attempts: make(chan *attempt, 4)}
}

func (s *stuckSource) Fetch(ctx context.Context, j Job) (Result, error) {
	a := &attempt{job: j, ctx: ctx, answer: make(chan Result, 1)}
	s.attempts <- a
	select {
	case res := <-a.answer:
		return res, nil
	case <-s.t.Context().Done():
		return Result{}, ctx.Err()
	}
}

// next returns the next attempt to reach the source; it fails the test if pending, a fetch
// that should have become that attempt, returns first.
func (s *stuckSource) next(pending <-chan outcome) *attempt {
	s.t.Helper()
	select {
	case a := <-s.attempts:
		return a
	case o := <-pending:
		s.t.Fatalf("Fetch = %+v, %v before its job reached the source", o.res, o.err)
	case <-time.After(5 * time.Second):
		s.t.Fatal("no job reached the source")
	}
	return nil
}

// cancelled waits for the agent to cancel a.
func (a *attempt) cancelled(t *testing.T) {
	t.Helper()
	select {
	case <-a.ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("attempt at %s not cancelled", a.job.ID)
	}
}

// A cancelled job frees its slot on the agent at once, as on the server: with concurrency 1
// the next job runs while the cancelled one winds down. The agent refused it as busy, and the
// server counted that as a failure of the source against a job that never ran.
func TestAgentClientFreesSlotOnCancel(t *testing.T) {
	ts := newTestServer(t, nil)
	src := newStuckSource(t)
	runClient(t, &Client{Server: ts.srv.URL, Token: testToken, Source: src, Name: "um-slot", Concurrency: 1})
	waitOnline(t, ts.remote, 1)
	remote := ts.remote.Source(testOffice)

	ctx, cancel := context.WithCancel(context.Background())
	slow := fetchAsyncCtx(ctx, remote, testJob("lento", "das", "2026-10", ""))
	first := src.next(nil)
	next := fetchAsync(remote, testJob("proximo", "das", "2026-10", "")) // waits for the slot
	cancel()
	if o := await(t, slow); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("Fetch(lento) = %v, want context.Canceled", o.err)
	}
	first.cancelled(t)
	second := src.next(next)
	if second.job.ID != "proximo" {
		t.Fatalf("source got %s, want proximo", second.job.ID)
	}
	second.answer <- Result{Pending: "ok"}
	if o := await(t, next); o.err != nil || o.res.Pending != "ok" {
		t.Fatalf("Fetch(proximo) = %q, %v; want its pending answer", o.res.Pending, o.err)
	}
	first.answer <- Result{Pending: "tarde"}
}

// The server retries a cancelled job while its first attempt still winds down: the retry
// runs (the agent ignored it as "already running", and the server waited JobTimeout for
// nothing), the first attempt's late end neither answers for it nor takes its place, so a
// cancel still reaches the retry.
func TestAgentClientRunsRetryOfCancelledJob(t *testing.T) {
	ts := newTestServer(t, nil)
	src := newStuckSource(t)
	logs, _, _ := runClient(t, &Client{Server: ts.srv.URL, Token: testToken, Source: src, Name: "escritorio"})
	waitOnline(t, ts.remote, 1)
	remote := ts.remote.Source(testOffice)
	job := testJob("j1", "das", "2026-10", "")

	ctx, cancel := context.WithCancel(context.Background())
	res := fetchAsyncCtx(ctx, remote, job)
	first := src.next(nil)
	cancel()
	if o := await(t, res); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("first Fetch = %v, want context.Canceled", o.err)
	}
	first.cancelled(t)

	ctx, cancel = context.WithCancel(context.Background())
	res = fetchAsyncCtx(ctx, remote, job)
	second := src.next(res)
	first.answer <- Result{Pending: "tarde"}
	waitFor(t, "the first attempt to end", func() bool { return strings.Contains(logs.String(), "job cancelled") })
	cancel()
	if o := await(t, res); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("retry = %q, %v; want context.Canceled (the first attempt's late answer was sent)", o.res.Pending, o.err)
	}
	second.cancelled(t)
	second.answer <- Result{Pending: "tarde"}

	res = fetchAsync(remote, job)
	third := src.next(res)
	third.answer <- Result{Pending: "ok"}
	if o := await(t, res); o.err != nil || o.res.Pending != "ok" {
		t.Fatalf("third Fetch = %q, %v; want ok", o.res.Pending, o.err)
	}
}

// TestAgentClientReconnectsWhenServerSilent runs the Client against a hand-written server that
// welcomes it and then never pings: the client must give up on it and reconnect.
func TestAgentClientReconnectsWhenServerSilent(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		conns.Add(1)
		if _, err := readFrame(r.Context(), conn); err != nil {
			return
		}
		data, _ := json.Marshal(&frame{Type: frameWelcome, Office: testOffice, HeartbeatMS: 20})
		if conn.Write(r.Context(), websocket.MessageText, data) != nil {
			return
		}
		for { // read, never ping
			if _, _, err := conn.Read(r.Context()); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, stop := startClient(t, srv.URL, testToken, Folder{Dir: t.TempDir()}, "escritorio")
	waitFor(t, "a second connection", func() bool { return conns.Load() >= 2 })
	stop()
}
