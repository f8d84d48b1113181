package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
)

const (
	staffUser     = "bench"
	staffPassword = "bench-password"
	companyID     = "empresa"
)

type harness struct {
	cfg     Config
	dataDir string
	e       *engine.Engine
	base    string // http://host:port
	client  *http.Client
	offices []string

	steps steps
	cur   atomic.Pointer[step]
	nextN atomic.Uint64

	releases    *releaseQueue
	watchDrops  atomic.Int64
	watchMissed atomic.Int64 // watchers that resumed too late to get every event

	browsers         *browserProc // the staff browsers' process, when cfg.Staff > 0
	socketKicks      atomic.Int64
	socketDrops      atomic.Int64
	socketReconnects atomic.Int64
	socketResyncs    atomic.Int64
	socketDialErrors atomic.Int64
	// socketBack is when each staff socket (by the child's index) last reconnected, in unix
	// ns; only the goroutine reading the child's lines uses it (browserLine).
	socketBack map[int]int64
	faults     faultStats

	stop func() // ends watchers, releasers and sockets
	wg   sync.WaitGroup
}

// ErrDataDirInUse is returned by Run when Config.DataDir holds a store already: the harness
// measures a store of its own making.
var ErrDataDirInUse = errors.New("holds a Balcão store already (an earlier run's?): want a new or empty directory")

// Run runs the harness as cfg says and returns its report (also written under ResultsDir).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.fill()
	h := &harness{cfg: cfg, releases: newReleaseQueue()}
	h.faults.rejected, h.faults.unexpected = map[string]int64{}, map[string]int64{}
	rep := &Report{Started: time.Now().UTC(), Machine: machine(), Config: cfg.public()}
	h.dataDir = cfg.DataDir
	if h.dataDir == "" {
		dir, err := os.MkdirTemp("", "balcao-bench-")
		if err != nil {
			return nil, err
		}
		h.dataDir = dir
		if !cfg.Keep {
			defer os.RemoveAll(dir)
		}
	} else {
		// The harness creates its offices in a new store: on an earlier run's it failed with
		// "create office bench-000: office bench-000: conflict".
		if _, err := os.Stat(engine.PebbleDir(h.dataDir)); err == nil {
			return nil, fmt.Errorf("data dir %s: %w", h.dataDir, ErrDataDirInUse)
		}
		if err := os.MkdirAll(h.dataDir, 0o755); err != nil {
			return nil, err
		}
	}
	rep.DataDir = h.dataDir
	if cfg.Conversations > 0 {
		h.cfg.Phones = (cfg.Conversations + cfg.Offices - 1) / cfg.Offices
		rep.Config.Phones = h.cfg.Phones
	}
	h.say("bench: data in %s (Pebble, synced writes), %d offices × %d phones, %d staff sockets per office, mix %s",
		h.dataDir, cfg.Offices, h.cfg.Phones, cfg.Staff, cfg.Mix)

	var err error
	if cfg.Conversations > 0 {
		err = h.runScale(ctx, rep)
	} else {
		err = h.runLoad(ctx, rep)
	}
	if err != nil {
		return rep, err
	}
	if cfg.PebbleDuration > 0 {
		h.say("bench: raw Pebble limit: %d writers committing small synced batches for %s, nothing else running…", cfg.PebbleWriters, cfg.PebbleDuration)
		p, err := pebbleLimit(filepath.Dir(filepath.Clean(h.dataDir)), cfg.PebbleWriters, cfg.PebbleDuration)
		if err != nil {
			return rep, fmt.Errorf("pebble limit: %w", err)
		}
		rep.Pebble = &p
		if p.CommitsPerSec > 0 {
			rep.Ratio = rep.InboundRate / p.CommitsPerSec
		}
	}
	rep.Finished = time.Now().UTC()
	rep.Summary = rep.summaryLine()
	if cfg.ResultsDir != "-" {
		if err := rep.write(cfg.ResultsDir); err != nil {
			return rep, err
		}
		h.say("bench: wrote %s and %s", rep.JSONPath, rep.SVGPath)
	}
	return rep, nil
}

// sayLatencies prints a step's three latencies by percentile and its errors.
func (h *harness) sayLatencies(label string, r StepResult) {
	for _, l := range []struct {
		name string
		p    Percentiles
	}{{"accepted (durable)", r.Accepted}, {"reply", r.Reply}, {"staff websocket", r.Staff}} {
		h.say("bench: %s: %-18s %s", label, l.name, l.p)
	}
	h.say("bench: %s: errors: %s", label, r.errorsText())
}

func (h *harness) say(format string, args ...any) {
	if h.cfg.Progress != nil {
		fmt.Fprintf(h.cfg.Progress, format+"\n", args...)
	}
}

// benchPhoneHistory is how many outbound messages each simulated phone keeps: one, the least
// the simulator keeps (a resend of the last message is still taken as a duplicate). The
// simulator stands for WhatsApp's servers but lives in the engine's heap, which the collector
// marks on every cycle: 8 per phone kept ~10 MB and ~100 000 objects of replies and their
// documents live with 10 000 phones, a sixth of what each cycle marked (BENCHMARKS.md, tenth
// round).
const benchPhoneHistory = 1

// start starts the engine on the data dir and waits until it answers /healthz.
func (h *harness) start() error {
	cfg := engine.Config{
		DataDir: h.dataDir, Addr: "127.0.0.1:0", Log: slog.New(slog.DiscardHandler), IdleAfter: h.cfg.IdleAfter,
	}
	if !h.cfg.NoAgent {
		cfg.Source = payslips{}
	}
	e, err := engine.Start(cfg)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	h.e = e
	h.base = "http://" + e.Addr()
	// The phones' replies are read as they come (watch.go): the simulator need not keep them.
	e.Sim().KeepPerPhone(benchPhoneHistory)
	if h.client == nil {
		h.client = httpClient()
	}
	for i := 0; ; i++ {
		resp, err := h.client.Get(h.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if i > 1000 {
			return fmt.Errorf("engine not healthy: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) stopEngine() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := h.e.Stop(ctx)
	h.e = nil
	return err
}

// names fills h.offices.
func (h *harness) names() {
	h.offices = make([]string, h.cfg.Offices)
	for o := range h.offices {
		h.offices[o] = officeID(o)
	}
}

// phone is the number of client k of office o: global client o + k×offices (computed, not
// kept, so that a million clients cost the harness no memory).
func (h *harness) phone(o, k int) string { return phone(o + k*h.cfg.Offices) }

// createOffices stores every office with one company (assistant on), its phones as linked
// contacts when withContacts, and the staff user the sockets log in as.
func (h *harness) createOffices(ctx context.Context, withContacts bool) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(staffPassword), bcrypt.MinCost)
	if err != nil {
		return err
	}
	now := time.Now()
	for o, id := range h.offices {
		spec := engine.OfficeSpec{
			Office: balcao.Office{ID: id, Name: fmt.Sprintf("Escritório %d", o), CreatedAt: now},
			Companies: []balcao.Company{{ID: companyID, Name: "Padaria Bench Ltda", CNPJ: balcao.CNPJCheckDigits("112223330001"),
				Enabled: true, UseAssistant: true, CreatedAt: now}},
			Staff: []balcao.Staff{{User: staffUser, Name: "Bench", Role: balcao.RoleAdmin, PasswordHash: hash, CreatedAt: now}},
		}
		if withContacts {
			for k := 0; k < h.cfg.Phones; k++ {
				p := h.phone(o, k)
				spec.Contacts = append(spec.Contacts, balcao.Contact{Phone: p, Name: fmt.Sprintf("Cliente %d", k), Companies: []string{companyID}, CreatedAt: now})
			}
		}
		if err := h.e.CreateOffice(ctx, spec); err != nil {
			return fmt.Errorf("create office %s: %w", id, err)
		}
	}
	return h.waitSessions()
}

// waitSessions waits until every office's gateway actor opened its simulated session.
func (h *harness) waitSessions() error {
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range h.offices {
		for {
			if _, err := h.e.Sim().Outbound(id, h.phone(0, 0), ""); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("office %s: simulated WhatsApp session never opened", id)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return nil
}

// follow starts the hub watchers, the releasers and the staff sockets' readers.
func (h *harness) follow(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	h.stop = func() {
		cancel()
		if h.browsers != nil {
			h.browsers.stop()
		}
		h.wg.Wait()
	}
	for o := range h.offices {
		h.wg.Add(1)
		go func() { defer h.wg.Done(); h.watchOffice(ctx, o) }()
	}
	for range releasers {
		h.wg.Add(1)
		go func() { defer h.wg.Done(); h.releaser(ctx) }()
	}
	if h.cfg.Staff > 0 {
		return h.startBrowsers(ctx)
	}
	return nil
}

// roundRobin spreads a step's messages over every phone of every office in turn, so that a
// phone writes again only after all the others did.
func (h *harness) roundRobin(base uint64) func(i uint64) (int, int) {
	total := uint64(h.cfg.Offices * h.cfg.Phones)
	offices := uint64(h.cfg.Offices)
	return func(i uint64) (int, int) {
		g := (base + i) % total
		return int(g % offices), int(g / offices)
	}
}

func (h *harness) runLoad(ctx context.Context, rep *Report) error {
	h.names()
	if err := h.start(); err != nil {
		return err
	}
	defer func() {
		if h.e != nil {
			_ = h.stopEngine()
		}
	}()
	if err := h.createOffices(ctx, true); err != nil {
		return err
	}
	if err := h.follow(ctx); err != nil {
		h.stop()
		return err
	}
	before := readMemory(true)
	rep.MemoryBefore = &before
	h.say("bench: engine at %s, %d staff sockets open, heap %s, RSS %s", h.base, h.browsers.open(), mib(before.HeapBytes), mib(before.RSSBytes))

	var sent uint64
	rate := h.cfg.Rate
	if h.cfg.Ramp {
		max, err := h.ramp(ctx, rep, &sent)
		if err != nil {
			h.stop()
			return err
		}
		rate = max / 2
		h.say("bench: ramp: highest rate holding reply p99 ≤ %s: %.0f msg/s; measuring at half of it, %.0f msg/s", h.cfg.RampP99, max, rate)
		if err := h.cooldown(ctx, rep, "the ramp"); err != nil {
			h.stop()
			return err
		}
	} else if h.cfg.Warmup > 0 {
		s := h.runStep(ctx, "warmup", rate, h.cfg.Warmup, h.roundRobin(sent))
		sent += s.count
		r := h.finish(s)
		rep.Warmup = &r
		if err := h.cooldown(ctx, rep, "the warm-up"); err != nil {
			h.stop()
			return err
		}
	}
	if rate < 1 {
		rate = 1
	}
	stopProfile, err := startProfiles(h.cfg.CPUProfile, h.cfg.Trace)
	if err != nil {
		h.stop()
		return err
	}
	defer stopProfile()
	w0 := h.e.DB().Writer.Stats()
	label := "run"
	if h.cfg.Faults {
		label = "run+faults"
	}
	h.say("bench: %s: %.0f msg/s offered for %s (open loop, ≤ %d in flight)", label, rate, h.cfg.Duration, h.cfg.MaxInFlight)
	s := h.runStep(ctx, label, rate, h.cfg.Duration, h.roundRobin(sent))
	w := h.e.DB().Writer.Stats().Sub(w0)
	stopProfile()
	res := h.finish(s) // its histograms go before the heap is measured: they are the harness's
	rep.Run = &res
	h.say("bench: %s: acked %d/%d, throughput %.0f msg/s, %s; sender late p99 %.2f ms, accepted p99 %.2f ms, reply p99 %.2f ms, staff p99 %.2f ms (%.2f on sockets that stayed open); CPU %.0f µs/msg (+ %.0f in the staff browsers); Go scheduler latency p99 %.2f ms, load average %.1f → %.1f; %s",
		label, res.Acked, res.Scheduled, res.Throughput, res.unanswered(), res.SenderLate.P99, res.Accepted.P99, res.Reply.P99, res.Staff.P99, res.StaffLive.P99, res.CPUPerMessage, res.BrowsersCPUPerMessage, res.Sched.P99, res.LoadAvg[0], res.LoadAvg[1], res.stalls())
	h.say("bench: %s: %s", label, res.Tail)
	h.sayLatencies(label, res)
	rep.Writer = &WriterResult{Batches: w.Batches, Commits: w.Commits}
	if w.Commits > 0 {
		rep.Writer.BatchesPerCommit = float64(w.Batches) / float64(w.Commits)
	}
	if rep.InboundRate == 0 {
		rep.InboundRate = res.Throughput
	}

	after := readMemory(true)
	rep.MemoryAfter = &after
	actorsRunning := 0
	for _, id := range h.offices {
		if st, err := h.e.Actors().OfficeStats(ctx, id); err == nil {
			actorsRunning += st.Conversations
		}
	}
	rep.ConversationActors = actorsRunning
	if actorsRunning > 0 {
		rep.HeapPerConversation = float64(after.HeapBytes-before.HeapBytes) / float64(actorsRunning)
		rep.ObjectsPerConversation = float64(after.HeapObjects-before.HeapObjects) / float64(actorsRunning)
	}
	h.say("bench: after the run: RSS %s (peak %s), live heap %s in %d objects with %d conversation actors (%.0f B and %.1f objects each)",
		mib(after.RSSBytes), mib(after.HWMBytes), mib(after.HeapBytes), after.HeapObjects, actorsRunning, rep.HeapPerConversation, rep.ObjectsPerConversation)
	if err := writeHeapProfile(h.cfg.MemProfile); err != nil {
		h.stop()
		return err
	}
	rep.SocketDrops, rep.SocketReconnects, rep.SocketResyncs = h.socketDrops.Load(), h.socketReconnects.Load(), h.socketResyncs.Load()
	rep.WatchDrops, rep.WatchMissed = h.watchDrops.Load(), h.watchMissed.Load()
	rep.ReleaseErrors, rep.ReleaseRetries, rep.ReleaseSwept = h.releases.errors.Load(), h.releases.retries.Load(), h.releases.swept.Load()
	if h.cfg.Release {
		rep.LeftWithStaff = h.leftWithStaff(ctx)
		if rep.LeftWithStaff > 0 {
			h.say("bench: %d conversations still with the staff after the run: the harness's staff did not release them (their later messages went unanswered)", rep.LeftWithStaff)
		}
	}
	h.stop()
	if h.cfg.Faults {
		rep.Faults = h.faultResult()
		h.say("bench: faults: %s", rep.Faults)
	}
	h.stopEngineReport(rep)
	return nil
}

// stopEngineReport stops the engine; a failure to stop cleanly (for instance actors that did
// not stop in time after an overload) is recorded in the report rather than losing the run.
func (h *harness) stopEngineReport(rep *Report) {
	t, db := time.Now(), h.e.DB()
	err := h.stopEngine()
	rep.StopSeconds = time.Since(t).Seconds()
	if err != nil {
		rep.StopError = err.Error()
		h.say("bench: engine did not stop cleanly after %.1f s: %v", rep.StopSeconds, err)
	}
	if rep.SingleDeleteMisuse = db.Stats().SingleDeleteMisuse; rep.SingleDeleteMisuse != 0 {
		h.say("bench: %d keys deleted with DeleteSingle had been set more than once (a bug: see the log)", rep.SingleDeleteMisuse)
	}
}

// cooldown lets the engine catch up on what the ramp's overloaded steps (or the warm-up) left,
// so that the run measures its rate and not their aftermath: the memtable they filled is
// flushed, the compactions after it end, and the collector marks the heap they grew, work that
// would otherwise land, seconds long, in the measured run. What stays is what the engine keeps:
// its conversation actors and the database the ramp grew (BENCHMARKS.md, fifth round).
func (h *harness) cooldown(ctx context.Context, rep *Report, after string) error {
	t := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	h.releasesIdle(sctx, 30*time.Second)
	if err := h.e.DB().Settle(sctx); err != nil {
		return fmt.Errorf("settle after %s: %w", after, err)
	}
	runtime.GC()
	rep.SettleSeconds = time.Since(t).Seconds()
	h.say("bench: settled after %s in %.1f s (memtable flushed, compactions done, heap collected)", after, rep.SettleSeconds)
	return nil
}

// ramp finds the highest rate whose step holds the target (reply p99 at most RampP99, no
// errors, the engine keeping up with the offered rate; see rampSearch) and returns it.
func (h *harness) ramp(ctx context.Context, rep *Report, sent *uint64) (float64, error) {
	rr := &RampResult{TargetP99Ms: float64(h.cfg.RampP99.Microseconds()) / 1000}
	rep.Ramp = rr
	step := func(rate float64, again bool) bool {
		suffix := ""
		if again {
			suffix = " again"
		}
		s := h.runStep(ctx, fmt.Sprintf("ramp %.0f%s", rate, suffix), rate, h.cfg.RampStep, h.roundRobin(*sent))
		*sent += s.count
		r := h.finish(s)
		unanswered := maxUnanswered
		if !h.cfg.Release {
			unanswered = 1 // the staff were told not to come: handed-over conversations stay
		}
		pass := holds(r, rate, h.cfg.RampP99, unanswered)
		r.Pass, r.Again = &pass, again
		rr.Steps = append(rr.Steps, r)
		verdict := "pass"
		if !pass {
			verdict = "FAIL"
		}
		h.say("bench: ramp %.0f msg/s%s: %s (throughput %.0f/s, %s, reply p99 %.2f ms, accepted p99 %.2f ms, errors %d, unsent %d; CPU %.0f µs/msg; sched p99 %.2f ms, load %.1f; %s)",
			rate, suffix, verdict, r.Throughput, r.unanswered(), r.Reply.P99, r.Accepted.P99, r.Failed, r.Unsent, r.CPUPerMessage, r.Sched.P99, r.LoadAvg[1], r.stalls())
		if pass && r.Throughput > rr.MaxThroughput {
			rr.MaxThroughput = r.Throughput
		}
		// Let the engine drain before the next step, and the harness's staff release what an
		// overloaded step handed over (thousands of conversations after one past the maximum):
		// a step starts with no conversation left with the staff.
		h.releasesIdle(ctx, 30*time.Second)
		time.Sleep(500 * time.Millisecond)
		return pass
	}
	highest, err := rampSearch(ctx, h.cfg.RampStart, h.cfg.RampMaxRate, h.cfg.RampBisect, step)
	if err != nil {
		return 0, err
	}
	rr.MaxRate = highest
	rep.InboundRate = rr.MaxThroughput
	return highest, nil
}

// maxUnanswered is the share of a ramp step's messages that may go without a reply: a
// conversation handed over to the staff answers no message until the harness's staff release
// it (a few ms, more once the engine is loaded), and the phone may write again before that.
// Past it the step no longer measured the offered mix (BENCHMARKS.md, eighteenth round).
const maxUnanswered = 0.05

// holds reports whether a ramp step at rate held the target: every message sent, acknowledged
// and without error, the engine keeping up with the offered rate (95 %), at most the share
// unanswered of them without a reply (maxUnanswered when the harness plays the staff), and the
// replies' p99 at most p99.
func holds(r StepResult, rate float64, p99 time.Duration, unanswered float64) bool {
	return r.Failed == 0 && r.Unsent == 0 && r.Acked == r.Scheduled &&
		r.Throughput >= 0.95*rate && r.Reply.Count > 0 && r.UnansweredShare() <= unanswered &&
		time.Duration(r.Reply.P99*float64(time.Millisecond)) <= p99
}

// rampSearch doubles the rate from start (up to limit) until one fails, halving below start
// instead if start fails, then bisects bisect times between the highest rate that held and
// the lowest that failed; it returns the highest that held. step runs one step at a rate and
// reports whether it held.
//
// While doubling, a rate fails only when it fails twice in a row: a failing step is run again
// at once (again set). The step right after a doubling carries the jump's transient (the
// first second of a step from 16 000 to 32 000 msg/s: 2 048 messages in flight, reply p99
// 127 ms, the next seconds 24–37 ms), and the maximum was bimodal: 30 000 msg/s in a third of
// the ramps, 52 000–60 000 in the others, for the same build (BENCHMARKS.md, sixteenth round).
// The bisection's steps are not run again: they move by a quarter of the rate or less, and a
// second chance there let a rate pass after a step of 245 ms. Every step, a failed one too,
// stays in the report.
func rampSearch(ctx context.Context, start, limit float64, bisect int, step func(rate float64, again bool) bool) (float64, error) {
	lo, hi := 0.0, 0.0
	for rate := start; rate <= limit && ctx.Err() == nil; rate *= 2 {
		if !step(rate, false) && (ctx.Err() != nil || !step(rate, true)) {
			hi = rate
			break
		}
		lo = rate
	}
	// The first rate failed: halve until one holds.
	for rate := start / 2; lo == 0 && rate >= 10 && ctx.Err() == nil; rate /= 2 {
		if step(rate, false) {
			lo = rate
		} else {
			hi = rate
		}
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if lo == 0 {
		return 0, errors.New("ramp: no rate down to 10 msg/s held the target")
	}
	for i := 0; hi > 0 && i < bisect && ctx.Err() == nil; i++ {
		if mid := (lo + hi) / 2; step(mid, false) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, ctx.Err()
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// startProfiles writes a CPU profile to cpuPath and a runtime trace to tracePath (each when
// given) until the returned function is called (once or more).
func startProfiles(cpuPath, tracePath string) (stop func(), err error) {
	var stops []func()
	stopAll := func() {
		for _, s := range stops {
			s()
		}
	}
	for _, p := range []struct {
		path        string
		start       func(io.Writer) error
		stopProfile func()
	}{{cpuPath, pprof.StartCPUProfile, pprof.StopCPUProfile}, {tracePath, trace.Start, trace.Stop}} {
		if p.path == "" {
			continue
		}
		f, err := os.Create(p.path)
		if err != nil {
			stopAll()
			return nil, err
		}
		if err := p.start(f); err != nil {
			f.Close()
			stopAll()
			return nil, err
		}
		stops = append(stops, func() { p.stopProfile(); f.Close() })
	}
	var once sync.Once
	return func() { once.Do(stopAll) }, nil
}

func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}
