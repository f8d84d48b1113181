package bench

// The simulated staff browsers run in a process of their own: this executable started again
// with BALCAO_BENCH_BROWSERS set (main and the tests' TestMain call RunBrowsersIfChild first).
// In the engine's process their socket readers shared its Go scheduler, and a frame the server
// had written waited for its reader until the runtime polled the network, which a busy
// scheduler does only when a P runs out of work: at 3 000 msg/s the staff p99 was 110 ms while
// publication → written on the socket was 8.4 ms. Real browsers are other processes on other
// machines; these are another process on the same CPUs, which the kernel wakes as soon as
// their socket has data.
//
// The protocol is lines of text. The parent writes the spec (JSON) on the child's stdin, then
// "kick M" to close M sockets from the client side; closing stdin ends the child. The child
// writes "open N" once its sockets are open (or "error TEXT" and exits), then for every
// inbound message's message.added frame "s SOCKET N UNIXNANO" (the bench message number and
// when it was read), "b SOCKET UNIXNANO" when a socket is open again after a drop (before any
// frame it reads then), and every 100 ms "c KICKS DROPS RECONNECTS RESYNCS DIALERRORS".

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/balcao/balcao/ui"
)

const browsersEnv = "BALCAO_BENCH_BROWSERS"

// RunBrowsersIfChild runs the staff browsers and exits when this process was started as the
// harness's browsers; otherwise it returns at once.
func RunBrowsersIfChild() {
	if os.Getenv(browsersEnv) == "" {
		return
	}
	if err := runBrowsers(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "bench browsers: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// browsersSpec is the child's first line.
type browsersSpec struct {
	Base      string   `json:"base"` // http://host:port of the engine
	Offices   []string `json:"offices"`
	PerOffice int      `json:"per_office"`
}

// browsers is the child's state: its sockets, their counters and the output.
type browsers struct {
	base    string
	client  *http.Client
	sockets []*staffSocket

	kicks, drops, reconnects, resyncs, dialErrors atomic.Int64

	outMu sync.Mutex
	out   *bufio.Writer
}

// runBrowsers is the child: it opens the sockets, reports what they read, and returns when in
// ends.
func runBrowsers(in io.Reader, w io.Writer) error {
	b := &browsers{out: bufio.NewWriterSize(w, 64<<10), client: httpClient()}
	lines := bufio.NewScanner(in)
	if !lines.Scan() {
		return errors.New("no spec on stdin")
	}
	var spec browsersSpec
	if err := json.Unmarshal(lines.Bytes(), &spec); err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	b.base = spec.Base
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := b.open(ctx, spec); err != nil {
		b.line("error %s", strings.ReplaceAll(err.Error(), "\n", " "))
		b.flush()
		return err
	}
	b.line("open %d", len(b.sockets))
	b.flush()

	var wg sync.WaitGroup
	for _, s := range b.sockets {
		wg.Add(1)
		go func() { defer wg.Done(); s.run(ctx) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); b.report(ctx) }()
	k := 0
	for lines.Scan() {
		var m int
		if _, err := fmt.Sscanf(lines.Text(), "kick %d", &m); err != nil {
			continue
		}
		for range min(m, len(b.sockets)) {
			b.sockets[k%len(b.sockets)].kick()
			k += 37
		}
	}
	cancel()
	wg.Wait()
	b.counters()
	b.flush()
	return nil
}

// report flushes the output every 10 ms, with the counters every 100 ms.
func (b *browsers) report(ctx context.Context) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for i := 1; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if i%10 == 0 {
				b.counters()
			}
			b.flush()
		}
	}
}

func (b *browsers) counters() {
	b.line("c %d %d %d %d %d", b.kicks.Load(), b.drops.Load(), b.reconnects.Load(), b.resyncs.Load(), b.dialErrors.Load())
}

func (b *browsers) line(format string, args ...any) {
	b.outMu.Lock()
	fmt.Fprintf(b.out, format+"\n", args...)
	b.outMu.Unlock()
}

// seen reports that socket idx read the message.added frame of bench message n at t.
func (b *browsers) seen(idx int, n uint64, t time.Time) { b.timed("s", idx, n, true, t) }

// back reports that socket idx is open again at t.
func (b *browsers) back(idx int, t time.Time) { b.timed("b", idx, 0, false, t) }

// timed writes the line "KIND SOCKET [N] UNIXNANO".
func (b *browsers) timed(kind string, idx int, n uint64, withN bool, t time.Time) {
	b.outMu.Lock()
	buf := b.out.AvailableBuffer()
	buf = append(buf, kind...)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(idx), 10)
	buf = append(buf, ' ')
	if withN {
		buf = strconv.AppendUint(buf, n, 10)
		buf = append(buf, ' ')
	}
	buf = strconv.AppendInt(buf, t.UnixNano(), 10)
	buf = append(buf, '\n')
	b.out.Write(buf)
	b.outMu.Unlock()
}

func (b *browsers) flush() {
	b.outMu.Lock()
	b.out.Flush()
	b.outMu.Unlock()
}

// open logs in and opens spec.PerOffice sockets per office, 32 at a time.
func (b *browsers) open(ctx context.Context, spec browsersSpec) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 32)
		idx  atomic.Int64
	)
	for _, office := range spec.Offices {
		for range spec.PerOffice {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				cookie, err := login(ctx, b.client, b.base, office)
				var s *staffSocket
				if err == nil {
					s = &staffSocket{b: b, idx: int(idx.Add(1)), cookie: cookie}
					err = s.dial(ctx)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				b.sockets = append(b.sockets, s)
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("open %d staff sockets: %d failed, first: %w", len(spec.Offices)*spec.PerOffice, len(errs), errs[0])
	}
	return nil
}

// httpClient is the harness's HTTP client: enough idle connections for its concurrency.
func httpClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func login(ctx context.Context, client *http.Client, base, office string) (string, error) {
	body, _ := json.Marshal(map[string]string{"office": office, "user": staffUser, "password": staffPassword})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login %s: %s", office, resp.Status)
	}
	for _, c := range resp.Cookies() {
		if c.Name == ui.SessionCookie {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", errors.New("login: no session cookie")
}

// staffSocket is one simulated staff browser: logged in over HTTP, holding GET /ws, timing
// each inbound message's message.added frame, and reconnecting with ?epoch=&since= when the
// socket closes (as the web client does).
type staffSocket struct {
	b      *browsers
	idx    int
	cookie string

	mu    sync.Mutex
	conn  *websocket.Conn
	epoch string
	seq   uint64
}

func (s *staffSocket) dial(ctx context.Context) error {
	u := "ws" + strings.TrimPrefix(s.b.base, "http") + "/ws"
	s.mu.Lock()
	if s.epoch != "" {
		u += fmt.Sprintf("?epoch=%s&since=%d", s.epoch, s.seq)
	}
	s.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{
		HTTPClient: s.b.client, HTTPHeader: http.Header{"Cookie": {s.cookie}},
	})
	if err != nil {
		return err
	}
	conn.SetReadLimit(1 << 20)
	_, msg, err := conn.Read(ctx)
	if err != nil {
		conn.CloseNow()
		return err
	}
	var hello struct {
		Epoch  string `json:"epoch"`
		Seq    uint64 `json:"seq"`
		Resync bool   `json:"resync"`
	}
	if err := json.Unmarshal(msg, &hello); err != nil {
		conn.CloseNow()
		return fmt.Errorf("hello: %w", err)
	}
	if hello.Resync {
		s.b.resyncs.Add(1)
	}
	s.mu.Lock()
	s.conn = conn
	if s.epoch == "" || hello.Resync {
		s.seq = hello.Seq
	}
	s.epoch = hello.Epoch
	s.mu.Unlock()
	return nil
}

// kick closes the socket from the client side (a browser tab that loses its network).
func (s *staffSocket) kick() {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		s.b.kicks.Add(1)
		c.CloseNow()
	}
}

func (s *staffSocket) run(ctx context.Context) {
	// The message buffer and the frame list are reused (conn.Read allocates every message
	// anew), and reads take no context (each read with one arms a context.AfterFunc); ctx
	// closes the socket.
	var (
		f      frame
		msg    bytes.Buffer
		frames [][]byte
	)
	for {
		s.mu.Lock()
		conn := s.conn
		s.mu.Unlock()
		stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
		for {
			_, r, err := conn.Reader(context.Background())
			if err != nil {
				break
			}
			msg.Reset()
			if _, err := msg.ReadFrom(r); err != nil {
				break
			}
			now := time.Now()
			frames = splitFrames(frames, msg.Bytes())
			var last uint64 // the highest seq of the message: where a reconnection resumes
			for _, one := range frames {
				if !parseStaffFrame(one, &f) {
					continue
				}
				last = max(last, f.seq)
				if !bytes.Equal(f.typ, typMessageAdded) || string(f.direction) != "in" {
					continue
				}
				if n, ok := parseBenchID(f.waID); ok {
					s.b.seen(s.idx, n, now)
				}
			}
			s.mu.Lock()
			if last > s.seq {
				s.seq = last
			}
			s.mu.Unlock()
		}
		stop()
		conn.CloseNow()
		if ctx.Err() != nil {
			return
		}
		s.b.drops.Add(1)
		for ctx.Err() == nil {
			if err := s.dial(ctx); err == nil {
				s.b.reconnects.Add(1)
				s.b.back(s.idx, time.Now())
				break
			}
			s.b.dialErrors.Add(1)
			time.Sleep(100 * time.Millisecond)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// browserProc is the harness's handle on the child.
type browserProc struct {
	cmd     *exec.Cmd
	pid     int
	sockets int

	inMu sync.Mutex
	in   io.WriteCloser

	ended    chan struct{} // closed when the child's output ended
	stopping atomic.Bool   // stop was called: the output's end is expected
	once     sync.Once
}

// startBrowsers starts the child, waits until its sockets are open, and records what it
// reports into the steps and the socket counters.
func (h *harness) startBrowsers(ctx context.Context) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("staff browsers: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), browsersEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the staff browsers: %w", err)
	}
	p := &browserProc{cmd: cmd, pid: cmd.Process.Pid, in: in, ended: make(chan struct{})}
	h.browsers = p
	spec, _ := json.Marshal(browsersSpec{Base: h.base, Offices: h.offices, PerOffice: h.cfg.Staff})
	if _, err := fmt.Fprintf(in, "%s\n", spec); err != nil {
		p.stop()
		return fmt.Errorf("staff browsers: %w", err)
	}
	lines := bufio.NewScanner(out)
	opened := make(chan error, 1)
	go func() {
		defer close(p.ended)
		if !lines.Scan() {
			opened <- errors.New("staff browsers: ended before opening their sockets")
			return
		}
		first := lines.Text()
		if n, err := fmt.Sscanf(first, "open %d", &p.sockets); n != 1 || err != nil {
			opened <- fmt.Errorf("staff browsers: %s", first)
			return
		}
		opened <- nil
		for lines.Scan() {
			h.browserLine(lines.Bytes())
		}
		if !p.stopping.Load() {
			h.say("bench: the staff browsers' process ended during the run (output: %v); staff latencies stop here", cmp.Or(lines.Err(), io.EOF))
		}
	}()
	select {
	case err = <-opened:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		p.stop()
	}
	return err
}

// browserLine takes one line of the child's reports.
func (h *harness) browserLine(line []byte) {
	// One line per timed frame (2 000 sockets: ~20 000 a second) in the engine's heap: the
	// fields go into an array on the stack, not a slice bytes.Fields would allocate.
	var buf [6][]byte
	f := buf[:0]
	for field := range bytes.FieldsSeq(line) {
		if len(f) == len(buf) {
			return // a line of no known shape
		}
		f = append(f, field)
	}
	switch {
	case len(f) == 4 && string(f[0]) == "s":
		idx, _ := strconv.Atoi(string(f[1]))
		n, err1 := strconv.ParseUint(string(f[2]), 10, 64)
		ns, err2 := strconv.ParseInt(string(f[3]), 10, 64)
		if err1 != nil || err2 != nil {
			return
		}
		if st := h.steps.find(n); st != nil {
			// The child's wall clock is this process's: the same machine.
			intended := st.intended(n)
			latency := time.Unix(0, ns).Sub(intended)
			st.staff.record(idx, latency)
			if intended.UnixNano() >= h.socketBack[idx] { // sent while the socket was open
				st.staffLive.record(idx, latency)
			}
			st.staffN.Add(1)
		}
	case len(f) == 3 && string(f[0]) == "b":
		idx, err1 := strconv.Atoi(string(f[1]))
		ns, err2 := strconv.ParseInt(string(f[2]), 10, 64)
		if err1 != nil || err2 != nil {
			return
		}
		if h.socketBack == nil {
			h.socketBack = map[int]int64{}
		}
		h.socketBack[idx] = ns
	case len(f) == 6 && string(f[0]) == "c":
		for i, c := range []*atomic.Int64{&h.socketKicks, &h.socketDrops, &h.socketReconnects, &h.socketResyncs, &h.socketDialErrors} {
			if v, err := strconv.ParseInt(string(f[i+1]), 10, 64); err == nil {
				c.Store(v)
			}
		}
	}
}

// open is how many sockets the child opened.
func (p *browserProc) open() int {
	if p == nil {
		return 0
	}
	return p.sockets
}

// kick asks the child to close m sockets from the client side.
func (p *browserProc) kick(m int) {
	p.inMu.Lock()
	fmt.Fprintf(p.in, "kick %d\n", m)
	p.inMu.Unlock()
}

// stop ends the child (its stdin closed, killed after 10 s) once it reported its last
// counters.
func (p *browserProc) stop() {
	p.once.Do(func() {
		p.stopping.Store(true)
		p.inMu.Lock()
		p.in.Close()
		p.inMu.Unlock()
		select {
		case <-p.ended:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.ended
		}
		p.cmd.Wait()
	})
}

// cpu is the CPU time (user and system) the child used so far, from /proc (0 elsewhere).
func (p *browserProc) cpu() time.Duration {
	if p == nil {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: state is the 1st, utime the 12th,
	// stime the 13th, in clock ticks (100 a second on Linux).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(string(f[11]), 10, 64)
	st, _ := strconv.ParseInt(string(f[12]), 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
