package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Defaults of Client.
const (
	DefaultMinBackoff = 500 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
	DefaultFetchGrace = 5 * time.Second

	dialTimeout      = 15 * time.Second
	chunkTimeout     = 30 * time.Second // one frame to the server
	maxServerFrame   = 64 << 10         // read limit of the agent: the server sends small frames
	stableConnection = time.Minute      // a connection that lived this long resets the backoff
)

// Client is the remote execution agent (`balcao agent`): it connects to the server's /agent
// websocket with the office's token, runs the jobs it receives against a local Source, streams
// the files back, answers heartbeats, and reconnects with exponential backoff and jitter when
// the connection drops.
//
// When a connection ends, the jobs running on it are cancelled and Run waits at most
// FetchGrace for their Source.Fetch calls to return before it reconnects: a source that
// ignores cancellation (a hung call to the accounting system, a blocked network share) does
// not keep the agent offline. The calls still running are logged and left to end on their
// own; their results are discarded, never sent on a later connection (the server failed those
// jobs with ErrAgentGone when the connection dropped, and retries them). They do not count
// against the Concurrency announced to the next connection (see session).
//
// When ctx ends, Run likewise cancels the jobs and waits at most FetchGrace for every Fetch
// still running, those left behind by earlier connections included, then returns: a Fetch
// that ignores cancellation may still be running on its own goroutine after Run returned.
type Client struct {
	// Server is the server's address: http(s):// or ws(s)://host[:port][/base]; /agent is
	// appended to its path.
	Server string
	Token  string // the office's agent token
	Source Source // where documents come from (a Folder)

	Name    string // shown to the office (e.g. the host name)
	Version string
	// Concurrency is how many jobs run at once: 4 when zero, at most MaxConcurrency.
	Concurrency int
	Log         *slog.Logger
	// OnConnect, when not nil, is called each time a connection is established, with the
	// endpoint's address.
	OnConnect func(endpoint string)

	// MinBackoff and MaxBackoff bound the wait before reconnecting; it doubles after each failed
	// attempt. DefaultMinBackoff and DefaultMaxBackoff when zero.
	MinBackoff, MaxBackoff time.Duration
	// FetchGrace bounds the wait for cancelled fetches when a connection ends, before
	// reconnecting, and when Run's ctx ends, before returning. DefaultFetchGrace when zero.
	FetchGrace time.Duration
}

// Run connects and serves jobs until ctx ends, reconnecting whenever the connection drops. It
// returns nil when ctx ends, and an error wrapping ErrInvalidToken, without retrying, when the
// server refuses the token.
func (c *Client) Run(ctx context.Context) error {
	endpoint, err := Endpoint(c.Server)
	if err != nil {
		return err
	}
	switch {
	case c.Token == "":
		return errors.New("agent token is empty")
	case c.Source == nil:
		return errors.New("agent has no source")
	case c.Concurrency < 0 || c.Concurrency > MaxConcurrency:
		return fmt.Errorf("agent concurrency %d out of 1..%d", c.Concurrency, MaxConcurrency)
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("server", endpoint)
	// Every job goroutine of every connection, for the bounded wait when Run returns.
	var fetches fetchGroup
	defer func() {
		if n := fetches.wait(c.fetchGrace(), nil); n > 0 {
			log.Warn("fetches still running as the agent stops; stopping anyway", "fetches", n)
		}
	}()
	attempt := 0
	for {
		start := time.Now()
		connected, err := c.session(ctx, endpoint, log, &fetches)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrInvalidToken) {
			return err
		}
		if connected && time.Since(start) >= stableConnection {
			attempt = 0
		}
		wait := c.backoff(attempt)
		attempt++
		log.Warn("agent disconnected", "err", err, "retry_in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// Endpoint is the agent endpoint's URL at the server's address (see Client.Server), or an
// error saying what an address looks like.
func Endpoint(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("server address %q: want http(s)://host[:port]", server)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("server address %q: want http(s)://host[:port]", server)
	}
	if !strings.HasSuffix(u.Path, "/agent") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/agent"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String(), nil
}

// backoff is the wait before the attempt-th reconnection: exponential, capped, with jitter
// (between half and all of it), so that the agents of a restarted server don't come back at
// the same instant.
func (c *Client) backoff(attempt int) time.Duration {
	lo, hi := c.MinBackoff, c.MaxBackoff
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi <= 0 {
		hi = DefaultMaxBackoff
	}
	// lo<<attempt only when it cannot pass hi: shifting first overflowed for a large
	// MinBackoff, and a negative wait made rand.N panic.
	d := hi
	if attempt < 63 && lo <= hi>>attempt {
		d = lo << attempt
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) fetchGrace() time.Duration {
	if c.FetchGrace > 0 {
		return c.FetchGrace
	}
	return DefaultFetchGrace
}

// session is one connection. It reports whether the server welcomed the agent.
// all counts the job goroutines of every connection of Run.
func (c *Client) session(ctx context.Context, endpoint string, log *slog.Logger, all *fetchGroup) (connected bool, err error) {
	s := &session{c: c, all: all, jobs: map[string]*run{}}
	s.lastPing.Store(time.Now().UnixNano())
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	conn, resp, err := websocket.Dial(dctx, endpoint, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + c.Token}},
		OnPingReceived: func(context.Context, []byte) bool {
			s.lastPing.Store(time.Now().UnixNano())
			return true
		},
	})
	cancel()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return false, fmt.Errorf("connect %s: %w", endpoint, ErrInvalidToken)
		}
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxServerFrame)
	s.conn = conn

	// Fetches an earlier connection left running (they ignored its end) do not count: the full
	// concurrency is announced, as attempts the server cancelled do not count either (see
	// start). The announcement holds for the whole connection: announcing fewer would keep
	// the agent below its concurrency long after those fetches ended, and at zero jobs when
	// it runs one at a time and that one hangs. The source may meanwhile see more calls at
	// once than Concurrency, the hung ones included.
	concurrency := c.Concurrency
	if concurrency == 0 {
		concurrency = defaultConcurrency
	}
	s.concurrency = concurrency
	if err := s.write(ctx, &frame{Type: frameHello, Name: c.Name, Version: c.Version, Protocol: ProtocolVersion, Concurrency: concurrency}); err != nil {
		return false, fmt.Errorf("send hello: %w", err)
	}
	wctx, wcancel := context.WithTimeout(ctx, helloTimeout)
	welcome, err := readFrame(wctx, conn)
	wcancel()
	if err != nil {
		return false, fmt.Errorf("read welcome: %w", err)
	}
	if welcome.Type != frameWelcome {
		return false, fmt.Errorf("read welcome: %w: got %s", errProtocol, welcome.Type)
	}
	s.log = log.With("office", welcome.Office)
	s.log.Info("agent connected", "heartbeat_ms", welcome.HeartbeatMS)
	if c.OnConnect != nil {
		c.OnConnect(endpoint)
	}
	return true, s.run(ctx, time.Duration(welcome.HeartbeatMS)*time.Millisecond)
}

// session is the state of one connection.
type session struct {
	c           *Client
	conn        *websocket.Conn
	log         *slog.Logger
	concurrency int
	lastPing    atomic.Int64 // unix nanoseconds of the last ping from the server

	send sync.Mutex // held for a whole result: its header and chunks must not interleave

	watchdog sync.WaitGroup
	fetches  fetchGroup  // this connection's job goroutines
	all      *fetchGroup // every connection's job goroutines
	mu       sync.Mutex
	jobs     map[string]*run // jobs whose result the server waits for, by id; Lock mu
}

// run is one attempt at a job. A cancelled attempt leaves session.jobs at once, although its
// Fetch may take a while to notice; the server may meanwhile send the same job again, and the
// old attempt, when it ends, must neither remove nor answer for the new one.
type run struct {
	stop context.CancelFunc
}

// run reads the server's frames until the connection ends, then cancels the jobs it started
// and waits for them at most FetchGrace, or until Run's ctx ends (Run then waits for every
// connection's jobs). A job still running afterwards can no longer send anything: its context
// is cancelled, which discards its result, and its connection is closed.
func (s *session) run(parent context.Context, heartbeat time.Duration) error {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		cancel()
		s.conn.CloseNow()
		s.watchdog.Wait()
		if n := s.fetches.wait(s.c.fetchGrace(), parent.Done()); n > 0 && parent.Err() == nil {
			s.log.Warn("fetches still running after the connection ended; reconnecting anyway", "fetches", n)
		}
	}()
	if heartbeat > 0 {
		s.watchdog.Add(1)
		go func() {
			defer s.watchdog.Done()
			s.watch(ctx, heartbeat)
		}()
	}
	for {
		f, err := readFrame(ctx, s.conn)
		if err != nil {
			return err
		}
		switch f.Type {
		case frameJob:
			s.start(ctx, f)
		case frameCancel:
			// The server freed the job's slot when it sent cancel, and may at once send another
			// job, or this one again: the cancelled attempt no longer counts, and its result,
			// whenever its Fetch returns, is not sent.
			s.mu.Lock()
			if r, ok := s.jobs[f.Job]; ok {
				r.stop()
				delete(s.jobs, f.Job)
			}
			s.mu.Unlock()
		default:
			s.log.Warn("unexpected frame from server ignored", "type", f.Type)
		}
	}
}

// watch drops the connection when the server has not pinged for three heartbeats.
func (s *session) watch(ctx context.Context, heartbeat time.Duration) {
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if silent := time.Since(time.Unix(0, s.lastPing.Load())); silent > 3*heartbeat {
			s.log.Warn("server silent: reconnecting", "silent_for", silent.Round(time.Millisecond))
			s.conn.CloseNow()
			return
		}
	}
}

// start runs a job on its own goroutine. The server sends no more jobs than the concurrency
// the agent announced; a job beyond it is answered with an error (the server retries it).
// Attempts cancelled by the server do not count, even while their Fetch winds down.
func (s *session) start(ctx context.Context, f *frame) {
	j := Job{ID: f.Job, CNPJ: f.CNPJ, Intent: f.Intent, Competence: f.Competence, Person: f.Person}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.jobs[j.ID]; dup {
		s.log.Warn("job already running ignored", "job", j.ID)
		return
	}
	busy := len(s.jobs) >= s.concurrency
	jctx, stop := context.WithCancel(ctx)
	r := &run{stop: stop}
	if !busy {
		s.jobs[j.ID] = r
	}
	s.fetches.add()
	s.all.add()
	go func() {
		defer s.fetches.done()
		defer s.all.done()
		defer stop()
		if busy {
			s.reply(ctx, j.ID, Result{}, errors.New("agent busy"))
			return
		}
		s.log.Info("job received", "job", j.ID, "intent", j.Intent, "competence", j.Competence)
		start := time.Now()
		res, err := s.c.Source.Fetch(jctx, j)
		s.mu.Lock()
		current := s.jobs[j.ID] == r // false once cancelled, even if a retry took the id
		if current {
			delete(s.jobs, j.ID)
		}
		s.mu.Unlock()
		if !current || jctx.Err() != nil {
			// Cancelled by the server, or the connection ended (perhaps long ago, the agent
			// since reconnected: this session's conn is the old one, and the server, which
			// failed the job when it dropped, may have sent it again on the new one, where
			// this result must not answer for the retry): nobody wants it.
			s.log.Info("job cancelled", "job", j.ID)
			return
		}
		s.log.Info("job done", "job", j.ID, "files", len(res.Files), "pending", res.Pending != "", "err", err, "took", time.Since(start).Round(time.Millisecond))
		if err := s.reply(ctx, j.ID, res, err); err != nil {
			s.log.Warn("send result", "job", j.ID, "err", err)
		}
	}()
}

// reply sends a job's outcome: an error frame, a pending result, or a result header followed
// by each file's bytes in chunks.
func (s *session) reply(ctx context.Context, job string, res Result, ferr error) error {
	s.send.Lock()
	defer s.send.Unlock()
	if ferr != nil {
		return s.write(ctx, &frame{Type: frameError, Job: job, Message: truncate(ferr.Error(), maxTextLen)})
	}
	headers, pending, err := fileHeaders(res)
	switch {
	case err != nil:
		return s.write(ctx, &frame{Type: frameError, Job: job, Message: truncate(err.Error(), maxTextLen)})
	case pending != "":
		return s.write(ctx, &frame{Type: frameResult, Job: job, Pending: truncate(pending, maxTextLen)})
	}
	if err := s.write(ctx, &frame{Type: frameResult, Job: job, Files: headers}); err != nil {
		return err
	}
	for _, f := range res.Files {
		for data := f.Data; len(data) > 0; {
			n := min(len(data), ChunkSize)
			wctx, cancel := context.WithTimeout(ctx, chunkTimeout)
			err := s.conn.Write(wctx, websocket.MessageBinary, data[:n])
			cancel()
			if err != nil {
				return fmt.Errorf("send %s: %w", f.Name, err)
			}
			data = data[n:]
		}
	}
	return nil
}

// fileHeaders describes a result's files, or says why they cannot be sent: a pending reason
// for the office (too large, nothing found) or an error (a name the protocol refuses).
func fileHeaders(res Result) (headers []fileHeader, pending string, err error) {
	if res.Pending != "" {
		return nil, res.Pending, nil
	}
	if len(res.Files) == 0 {
		return nil, "O sistema contábil não devolveu nenhum documento.", nil
	}
	var total int64
	for _, f := range res.Files {
		if !validFileName(f.Name) {
			return nil, "", fmt.Errorf("file name %q not allowed", f.Name)
		}
		if len(f.Data) > MaxFileSize {
			return nil, (&tooLargeError{name: f.Name}).pending(), nil
		}
		if len(f.Data) == 0 || CheckPDF(f.Data) != nil {
			return nil, fmt.Sprintf("O arquivo %s não é um PDF válido.", f.Name), nil
		}
		total += int64(len(f.Data))
		sum := sha256.Sum256(f.Data)
		headers = append(headers, fileHeader{Name: f.Name, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	if total > MaxResultSize || len(headers) > MaxFiles {
		return nil, (&tooLargeError{}).pending(), nil
	}
	return headers, "", nil
}

// write sends one text frame.
func (s *session) write(ctx context.Context, f *frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode %s frame: %w", f.Type, err)
	}
	ctx, cancel := context.WithTimeout(ctx, chunkTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// fetchGroup counts running goroutines like a sync.WaitGroup, but can be waited on for a
// bounded time: a Fetch may ignore its cancellation for as long as it likes.
type fetchGroup struct {
	mu   sync.Mutex
	n    int           // Lock mu
	idle chan struct{} // closed when n drops to zero; Lock mu
}

func (g *fetchGroup) add() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == 0 {
		g.idle = make(chan struct{})
	}
	g.n++
}

func (g *fetchGroup) done() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.n == 0 {
		close(g.idle)
	}
}

// wait waits until no goroutine of the group runs, d has passed or stop is closed (a nil stop
// never is), and returns how many still run.
func (g *fetchGroup) wait(d time.Duration, stop <-chan struct{}) int {
	g.mu.Lock()
	n, idle := g.n, g.idle
	g.mu.Unlock()
	if n == 0 {
		return 0
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	case <-stop:
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}
