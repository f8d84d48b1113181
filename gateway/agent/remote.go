package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Errors of the remote agents.
var (
	// ErrInvalidToken is returned by Client.Run when the server refused the agent's token; a
	// verify function given to NewRemote returns it (wrapped or not) for a token of no office.
	ErrInvalidToken = errors.New("invalid agent token")
	// ErrAgentGone is returned by a remote Source's Fetch when the agent that had the job
	// disconnected before its result was complete.
	ErrAgentGone = errors.New("execution agent disconnected")
	// ErrAgentFailed is returned by a remote Source's Fetch when the agent's source failed.
	ErrAgentFailed = errors.New("execution agent failed")
	// ErrBadTransfer is returned by a remote Source's Fetch when a file's bytes do not match
	// the checksum the agent declared.
	ErrBadTransfer = errors.New("corrupt transfer from execution agent")
	// ErrJobTimeout is returned by a remote Source's Fetch when the agent did not answer within
	// Remote.JobTimeout.
	ErrJobTimeout = errors.New("execution agent did not answer in time")
	// ErrJobInFlight is returned by a remote Source's Fetch when the same job is already being
	// fetched by an agent of the office.
	ErrJobInFlight = errors.New("job already in flight")
	// ErrClosed is returned by a remote Source's Fetch after Remote.Close, and with
	// ErrAgentGone by one in flight when Close disconnected its agent: the server is stopping,
	// and the job is no more at fault than its agent.
	ErrClosed = errors.New("remote agents closed")
)

// Defaults of Remote.
const (
	DefaultHeartbeat  = 15 * time.Second
	DefaultJobTimeout = 5 * time.Minute

	helloTimeout       = 10 * time.Second
	writeTimeout       = 10 * time.Second
	defaultConcurrency = 4
)

// Remote is the registry of the remote agents connected to this server, by office. Its
// Handler is the websocket endpoint agents connect to; Source(office) is an office's Source
// that hands each job to one of its connected agents.
//
// Each connection is served on its HTTP handler's goroutine, plus one heartbeat goroutine;
// Close disconnects every agent and waits for both.
type Remote struct {
	// Heartbeat is how often the server pings each agent; an agent that does not answer within
	// the next Heartbeat is disconnected. Set before serving; DefaultHeartbeat when zero.
	Heartbeat time.Duration
	// JobTimeout bounds one Fetch: waiting for a free slot, the agent's work and the transfer
	// of its files. Set before serving; DefaultJobTimeout when zero.
	JobTimeout time.Duration

	verify   func(ctx context.Context, token string) (string, error)
	log      *slog.Logger
	onChange func(office string, online int)

	ctx    context.Context // cancelled by Close: ends every connection
	cancel context.CancelFunc
	wg     sync.WaitGroup // connection handlers and heartbeat goroutines
	notify sync.Mutex     // serializes onChange calls, so they arrive in order

	mu      sync.Mutex
	closed  bool
	agents  map[string][]*remoteAgent // online agents by office
	changed chan struct{}             // closed and replaced when a slot frees or agents change
	seq     uint64                    // agent ids and round-robin ticks
}

// remoteAgent is one connected agent.
type remoteAgent struct {
	id          uint64
	office      string
	name        string
	version     string
	concurrency int
	since       time.Time
	conn        *websocket.Conn
	ctx         context.Context // the connection's life
	log         *slog.Logger

	// Lock Remote.mu to use these.
	calls    map[string]*call // jobs sent and not yet answered, by job id
	lastUsed uint64
}

// call is one job waiting for its agent's answer.
type call struct {
	done chan outcome // buffered: exactly one outcome is sent, by whoever removes the call
}

type outcome struct {
	res Result
	err error
}

// AgentInfo describes a connected agent.
type AgentInfo struct {
	Name        string
	Version     string
	Since       time.Time
	Concurrency int
	Busy        int // jobs in flight
}

// NewRemote returns an empty registry. verify maps an agent's bearer token to its office: it
// returns ErrInvalidToken (or an empty office) for a token of no office, which is answered
// with 401; any other error is answered with 503 and the agent retries later. onChange, when
// not nil, is called with an office's number of online agents each time it changes, in order;
// it must not block (and may call Online).
func NewRemote(verify func(ctx context.Context, token string) (office string, err error), log *slog.Logger, onChange func(office string, online int)) *Remote {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Remote{
		verify: verify, log: log, onChange: onChange,
		ctx: ctx, cancel: cancel,
		agents: map[string][]*remoteAgent{}, changed: make(chan struct{}),
	}
}

// Online returns the number of agents of the office connected now.
func (r *Remote) Online(office string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.agents[office])
}

// Agents describes the agents of the office connected now.
func (r *Remote) Agents(office string) []AgentInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]AgentInfo, 0, len(r.agents[office]))
	for _, a := range r.agents[office] {
		out = append(out, AgentInfo{Name: a.name, Version: a.version, Since: a.since, Concurrency: a.concurrency, Busy: len(a.calls)})
	}
	return out
}

// Close disconnects every agent, fails the jobs in flight with ErrAgentGone, refuses new
// connections, and waits for every goroutine of the registry. The HTTP server does not track
// websocket connections: call Close when shutting it down.
func (r *Remote) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

// Source returns the office's remote source: each Fetch goes to the least busy of the office's
// connected agents (round robin among equals). When every agent has as many jobs as it
// announced, Fetch waits for a free slot (until ctx ends or JobTimeout): the callers bound
// how many wait.
func (r *Remote) Source(office string) Source {
	return remoteSource{r: r, office: office}
}

type remoteSource struct {
	r      *Remote
	office string
}

// Fetch implements Source. It returns ErrNoAgent when no agent of the office is connected,
// and ErrAgentGone, ErrAgentFailed, ErrBadTransfer, ErrJobTimeout or ctx's error when the job
// must be tried again.
func (s remoteSource) Fetch(ctx context.Context, j Job) (Result, error) {
	return s.r.fetch(ctx, s.office, j)
}

func (r *Remote) heartbeat() time.Duration {
	if r.Heartbeat > 0 {
		return r.Heartbeat
	}
	return DefaultHeartbeat
}

func (r *Remote) jobTimeout() time.Duration {
	if r.JobTimeout > 0 {
		return r.JobTimeout
	}
	return DefaultJobTimeout
}

func (r *Remote) fetch(ctx context.Context, office string, j Job) (Result, error) {
	// No agent connected is the answer of most offices most of the time (a Fallback then asks
	// its other source): given before a deadline and an error message are made for the call
	// (2 % of the CPU of a document request in the bench, whose offices have no agent).
	if !r.mayAssign(office) {
		return Result{}, ErrNoAgent
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.jobTimeout(), ErrJobTimeout)
	defer cancel()
	a, c, err := r.assign(ctx, office, j.ID)
	if err != nil {
		return Result{}, fmt.Errorf("job %s: %w", j.ID, err)
	}
	jf := &frame{Type: frameJob, Job: j.ID, CNPJ: j.CNPJ, Intent: j.Intent, Competence: j.Competence, Person: j.Person}
	if err := jf.validate(); err != nil {
		r.release(a, j.ID, c)
		return Result{}, fmt.Errorf("job %s: %w", j.ID, err)
	}
	if err := a.send(jf); err != nil {
		// The write closed the connection: its handler fails the call with ErrAgentGone.
		a.log.Warn("send job", "job", j.ID, "err", err)
	}
	select {
	case o := <-c.done:
		return o.res, o.err
	case <-ctx.Done():
		// The cancel goes out before the slot is freed: a job waiting for the slot must reach
		// the agent after it, or an agent of concurrency 1 would still count this one and
		// refuse the next as busy. A cancel that crosses the job's answer is ignored.
		if err := a.send(&frame{Type: frameCancel, Job: j.ID}); err != nil {
			a.log.Warn("send cancel", "job", j.ID, "err", err)
		}
		if !r.release(a, j.ID, c) {
			o := <-c.done // answered at the same moment
			return o.res, o.err
		}
		return Result{}, fmt.Errorf("job %s on agent %s: %w", j.ID, a.name, context.Cause(ctx))
	}
}

// assign reserves a slot on the least busy agent of the office, waiting while all are busy.
func (r *Remote) assign(ctx context.Context, office, job string) (*remoteAgent, *call, error) {
	for {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return nil, nil, ErrClosed
		}
		agents := r.agents[office]
		if len(agents) == 0 {
			r.mu.Unlock()
			return nil, nil, ErrNoAgent
		}
		var best *remoteAgent
		for _, a := range agents {
			if _, dup := a.calls[job]; dup {
				r.mu.Unlock()
				return nil, nil, ErrJobInFlight
			}
			if len(a.calls) >= a.concurrency {
				continue
			}
			if best == nil || len(a.calls) < len(best.calls) || (len(a.calls) == len(best.calls) && a.lastUsed < best.lastUsed) {
				best = a
			}
		}
		if best != nil {
			c := &call{done: make(chan outcome, 1)}
			best.calls[job] = c
			r.seq++
			best.lastUsed = r.seq
			r.mu.Unlock()
			return best, c, nil
		}
		wait := r.changed
		r.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, nil, context.Cause(ctx)
		}
	}
}

// mayAssign reports whether assign could find an agent of the office: false when none is
// connected (and the Remote is open).
func (r *Remote) mayAssign(office string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed || len(r.agents[office]) > 0
}

// signal wakes the fetches waiting for a slot. Lock r.mu must be held.
func (r *Remote) signal() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// release removes the call from its agent, freeing the slot, and reports whether it was still
// there: only the caller that removed it may send its outcome.
func (r *Remote) release(a *remoteAgent, job string, c *call) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c == nil || a.calls[job] != c {
		return false
	}
	delete(a.calls, job)
	r.signal()
	return true
}

// finish answers the call, unless it was already answered or abandoned.
func (r *Remote) finish(a *remoteAgent, job string, c *call, res Result, err error) {
	if r.release(a, job, c) {
		c.done <- outcome{res: res, err: err}
	}
}

// lookup returns the call of the job in flight on the agent, or nil.
func (r *Remote) lookup(a *remoteAgent, job string) *call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return a.calls[job]
}

// add registers a connected agent; it fails after Close.
func (r *Remote) add(a *remoteAgent) bool {
	r.notify.Lock()
	defer r.notify.Unlock()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return false
	}
	r.agents[a.office] = append(r.agents[a.office], a)
	n := len(r.agents[a.office])
	r.signal()
	r.mu.Unlock()
	if r.onChange != nil {
		r.onChange(a.office, n)
	}
	return true
}

// remove unregisters a disconnected agent and fails its calls with ErrAgentGone (and ErrClosed
// when Close disconnected it).
func (r *Remote) remove(a *remoteAgent, cause error) {
	r.notify.Lock()
	defer r.notify.Unlock()
	r.mu.Lock()
	list := r.agents[a.office]
	for i, x := range list {
		if x == a {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(r.agents, a.office)
	} else {
		r.agents[a.office] = list
	}
	calls := a.calls
	a.calls = map[string]*call{}
	r.signal()
	n, closed := len(list), r.closed
	r.mu.Unlock()
	for job, c := range calls {
		err := fmt.Errorf("job %s on agent %s: %w (%v)", job, a.name, ErrAgentGone, cause)
		if closed {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
		}
		c.done <- outcome{err: err}
	}
	if r.onChange != nil {
		r.onChange(a.office, n)
	}
}

// Handler returns the websocket endpoint of the agents (mounted at GET /agent).
func (r *Remote) Handler() http.Handler {
	return http.HandlerFunc(r.serveHTTP)
}

func (r *Remote) serveHTTP(w http.ResponseWriter, req *http.Request) {
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		httpError(w, http.StatusUnauthorized, "invalid_token", "Token do agente inválido.")
		return
	}
	office, err := r.verify(req.Context(), strings.TrimSpace(token))
	switch {
	case errors.Is(err, ErrInvalidToken) || (err == nil && office == ""):
		r.log.Warn("agent refused: invalid token", "remote", req.RemoteAddr)
		httpError(w, http.StatusUnauthorized, "invalid_token", "Token do agente inválido.")
		return
	case err != nil:
		r.log.Error("verify agent token", "err", err)
		httpError(w, http.StatusServiceUnavailable, "unavailable", "Serviço indisponível. Tente novamente em instantes.")
		return
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		httpError(w, http.StatusServiceUnavailable, "unavailable", "Serviço indisponível. Tente novamente em instantes.")
		return
	}
	r.wg.Add(1)
	r.mu.Unlock()
	defer r.wg.Done()

	// Agents are programs, not browsers: no Origin to check.
	conn, err := websocket.Accept(w, req, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		r.log.Warn("accept agent", "office", office, "err", err)
		return
	}
	conn.SetReadLimit(maxFrame)
	r.serve(conn, office)
}

func httpError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// serve runs one agent's connection until it ends.
func (r *Remote) serve(conn *websocket.Conn, office string) {
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	log := r.log.With("office", office)

	hctx, hcancel := context.WithTimeout(ctx, helloTimeout)
	hello, err := readFrame(hctx, conn)
	hcancel()
	switch {
	case err != nil:
		log.Warn("agent sent no hello", "err", err)
		conn.CloseNow()
		return
	case hello.Type != frameHello:
		log.Warn("agent sent no hello", "type", hello.Type)
		conn.Close(websocket.StatusPolicyViolation, "expected hello")
		return
	case hello.Protocol != ProtocolVersion:
		log.Warn("agent protocol not supported", "protocol", hello.Protocol)
		conn.Close(websocket.StatusPolicyViolation, fmt.Sprintf("protocol %d not supported, use %d", hello.Protocol, ProtocolVersion))
		return
	}
	r.mu.Lock()
	r.seq++
	a := &remoteAgent{
		id: r.seq, office: office, name: hello.Name, version: hello.Version, concurrency: hello.Concurrency,
		since: time.Now(), conn: conn, ctx: ctx, calls: map[string]*call{},
	}
	r.mu.Unlock()
	if a.concurrency == 0 {
		a.concurrency = defaultConcurrency
	}
	a.log = log.With("agent", a.id, "agent_name", a.name)
	if err := a.send(&frame{Type: frameWelcome, Office: office, HeartbeatMS: r.heartbeat().Milliseconds()}); err != nil {
		a.log.Warn("send welcome", "err", err)
		return
	}
	if !r.add(a) {
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	a.log.Info("agent connected", "version", a.version, "concurrency", a.concurrency)

	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.ping(ctx, cancel, a)
	}()

	err = r.read(ctx, a)
	cancel()
	r.remove(a, err)
	// CloseNow, not Close: a close handshake would read what the agent still sends (a 200 MB
	// file). The agent sees the connection drop and reconnects.
	conn.CloseNow()
	switch {
	case r.ctx.Err() != nil:
		a.log.Info("agent disconnected: server closing")
	case errors.Is(err, errProtocol):
		a.log.Warn("agent disconnected: protocol violation", "err", err)
	default:
		a.log.Info("agent disconnected", "err", err)
	}
}

// ping sends a ping every heartbeat and ends the connection when no pong comes back in time.
func (r *Remote) ping(ctx context.Context, hangup context.CancelFunc, a *remoteAgent) {
	hb := r.heartbeat()
	t := time.NewTicker(hb)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, hb)
		err := a.conn.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				a.log.Warn("agent silent: disconnecting", "err", err)
			}
			hangup()
			return
		}
	}
}

// read handles the agent's frames until the connection ends or breaks the protocol.
func (r *Remote) read(ctx context.Context, a *remoteAgent) error {
	var t *transfer
	var tc *call // the call the transfer answers, nil when discarded
	for {
		typ, data, err := a.conn.Read(ctx)
		if err != nil {
			if t != nil {
				return fmt.Errorf("read during transfer of job %s: %w", t.job, err)
			}
			return err
		}
		if typ == websocket.MessageBinary {
			if t == nil {
				return protocolErr("binary frame outside a transfer")
			}
			done, err := t.write(data)
			if err != nil {
				return err
			}
			if done {
				if tc != nil {
					res, err := t.result()
					r.finish(a, t.job, tc, res, err)
				}
				t, tc = nil, nil
			}
			continue
		}
		if t != nil {
			return protocolErr("text frame during the transfer of job %s", t.job)
		}
		f, err := parseFrame(data)
		if err != nil {
			return err
		}
		switch f.Type {
		case frameResult:
			c := r.lookup(a, f.Job)
			if c == nil {
				a.log.Warn("result for a job not in flight ignored", "job", f.Job)
			}
			if f.Pending != "" {
				r.finish(a, f.Job, c, Result{Pending: f.Pending}, nil)
				continue
			}
			t, err = newTransfer(f.Job, f.Files, c != nil)
			if tl := (*tooLargeError)(nil); errors.As(err, &tl) {
				r.finish(a, f.Job, c, Result{Pending: tl.pending()}, nil)
				return protocolErr("job %s: %v", f.Job, err)
			}
			tc = c
		case frameError:
			c := r.lookup(a, f.Job)
			if c == nil {
				a.log.Warn("error for a job not in flight ignored", "job", f.Job)
				continue
			}
			r.finish(a, f.Job, c, Result{}, fmt.Errorf("job %s on agent %s: %w: %s", f.Job, a.name, ErrAgentFailed, f.Message))
		default:
			return protocolErr("unexpected %s frame from agent", f.Type)
		}
	}
}

// send writes one frame to the agent. A write that does not finish within writeTimeout closes
// the connection: a slow agent is dropped, never waited on for long.
func (a *remoteAgent) send(f *frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode %s frame: %w", f.Type, err)
	}
	ctx, cancel := context.WithTimeout(a.ctx, writeTimeout)
	defer cancel()
	return a.conn.Write(ctx, websocket.MessageText, data)
}

// readFrame reads and parses one text frame.
func readFrame(ctx context.Context, conn *websocket.Conn) (*frame, error) {
	typ, data, err := conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, protocolErr("binary frame where a text frame was expected")
	}
	return parseFrame(data)
}

// Fallback is a Source that asks Primary first and Secondary when Primary has no agent
// connected (ErrNoAgent): an office's remote agents, then the embedded folder.
type Fallback struct {
	Primary, Secondary Source
}

// Fetch implements Source.
func (f Fallback) Fetch(ctx context.Context, j Job) (Result, error) {
	res, err := f.Primary.Fetch(ctx, j)
	if errors.Is(err, ErrNoAgent) && f.Secondary != nil {
		return f.Secondary.Fetch(ctx, j)
	}
	return res, err
}
