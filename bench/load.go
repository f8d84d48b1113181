package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/balcao/balcao"
)

// step is one stretch of open-loop load at a fixed rate: message i of the step is due at
// t0 + i/rate whatever happened to the messages before it, and every latency is measured from
// that intended time, so that a stalled engine cannot hide its stall by slowing the senders
// (coordinated omission).
type step struct {
	label    string
	rate     float64
	dur      time.Duration
	firstN   uint64 // global number of its first message
	count    uint64 // messages scheduled
	t0       time.Time
	interval float64 // ns between intended sends
	pick     func(i uint64) (office, phone int)

	accepted *recorder // intended send → Deliver returned (durably stored, acknowledged)
	late     *recorder // intended send → the sender hands it to the gateway (the harness's own lag)
	reply    *recorder // intended send → first assistant/system reply event (durable, to the gateway)
	atPhone  *recorder // intended send → the reply's "delivered" status event
	staff    *recorder // intended send → the inbound's message.added frame read on a staff socket

	next      atomic.Uint64
	sent      atomic.Int64
	acked     atomic.Int64
	failed    atomic.Int64
	unsent    atomic.Int64
	inflight  atomic.Int64
	replies   atomic.Int64
	atPhoneN  atomic.Int64
	staffN    atomic.Int64
	lastAckNs atomic.Int64
	released  atomic.Int64
	aborted   atomic.Bool

	sched0, sched1 schedSnapshot
	stall0, stall1 stallSnapshot
	load0, load1   float64
	cpu0, cpu1     time.Duration // the process's CPU time at the start and once settled
	bcpu0, bcpu1   time.Duration // the staff browsers' process's, at the same moments

	mu       sync.Mutex
	errs     map[string]int64
	timeline []Second // one per second of the step (see progress)
}

func (s *step) intended(n uint64) time.Time {
	return s.t0.Add(time.Duration(float64(n-s.firstN) * s.interval))
}

func (s *step) fail(err error) {
	s.failed.Add(1)
	key := err.Error()
	var be *balcao.Error
	switch {
	case errors.As(err, &be):
		key = be.Code
	case errors.Is(err, context.DeadlineExceeded):
		key = "ack_timeout"
	case errors.Is(err, balcao.ErrOverloaded):
		key = "overloaded"
	}
	s.mu.Lock()
	s.errs[key]++
	s.mu.Unlock()
}

// steps maps a message number to its step, for the watchers.
type steps struct {
	mu   sync.RWMutex
	list []*step
}

func (ss *steps) add(s *step) {
	ss.mu.Lock()
	ss.list = append(ss.list, s)
	ss.mu.Unlock()
}

func (ss *steps) find(n uint64) *step {
	ss.mu.RLock()
	defer ss.mu.RUnlock()
	i := sort.Search(len(ss.list), func(i int) bool { return ss.list[i].firstN > n }) - 1
	if i < 0 {
		return nil
	}
	s := ss.list[i]
	if n >= s.firstN+s.count {
		return nil
	}
	return s
}

// maxLag is how far behind its schedule a step may fall before it stops sending: beyond it the
// engine does not keep up with the offered rate, and what was not sent is counted as unsent.
const maxLag = 5 * time.Second

// runStep offers rate msgs/s for dur and waits for the acknowledgements. Senders are a bounded
// pool: when all of them wait for acknowledgements the schedule slips, which the latencies
// (from the intended time) show.
func (h *harness) runStep(ctx context.Context, label string, rate float64, dur time.Duration, pick func(i uint64) (int, int)) *step {
	count := uint64(rate * dur.Seconds())
	if count == 0 {
		count = 1
	}
	s := &step{
		label: label, rate: rate, dur: dur, count: count, pick: pick,
		interval: 1e9 / rate,
		accepted: newRecorder(), late: newRecorder(), reply: newRecorder(), atPhone: newRecorder(), staff: newRecorder(),
		errs: map[string]int64{},
	}
	s.firstN = h.nextN.Add(count) - count
	s.t0 = time.Now().Add(50 * time.Millisecond)
	s.sched0, s.load0, s.cpu0, s.stall0 = readSched(), loadAvg(), processCPU(), h.readStalls()
	s.bcpu0 = h.browsers.cpu()
	h.steps.add(s)
	h.cur.Store(s)

	stopProgress := h.progress(s)
	var faultsDone chan struct{}
	fctx, cancelFaults := context.WithCancel(ctx)
	if h.cfg.Faults {
		faultsDone = make(chan struct{})
		go func() { defer close(faultsDone); h.injectFaults(fctx, s) }()
	}

	workers := h.cfg.Senders
	if uint64(workers) > count {
		workers = int(count)
	}
	waits := make([]ackWait, workers)
	stopWatch := watchAcks(waits)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h.sender(ctx, s, w, &waits[w])
		}(w)
	}
	wg.Wait()
	stopWatch()
	s.sched1, s.load1, s.stall1 = readSched(), loadAvg(), h.readStalls()
	cancelFaults()
	if faultsDone != nil {
		<-faultsDone
	}
	h.settle(s)
	s.cpu1, s.bcpu1 = processCPU(), h.browsers.cpu()
	stopProgress()
	return s
}

func (h *harness) sender(ctx context.Context, s *step, w int, ack *ackWait) {
	sim := h.e.Sim()
	ack.start(ctx)
	defer ack.stop()
	for {
		i := s.next.Add(1) - 1
		if i >= s.count {
			return
		}
		n := s.firstN + i
		due := s.intended(n)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		} else if -d > maxLag || s.aborted.Load() || ctx.Err() != nil {
			s.aborted.Store(true)
			s.unsent.Add(1)
			continue
		}
		o, p := s.pick(i)
		office := h.offices[o]
		kind := h.cfg.Mix.pick(n)
		s.sent.Add(1)
		s.inflight.Add(1)
		// Stamped with its due time, as WhatsApp stamps a message when the phone sends it.
		s.late.record(w, time.Since(due))
		_, err := sim.DeliverAt(ack.begin(), office, h.phone(o, p), benchID(n), kindTexts[kind], due)
		err = ack.end(ctx, err)
		s.inflight.Add(-1)
		now := time.Now()
		if err != nil {
			s.fail(err)
			continue
		}
		s.acked.Add(1)
		s.accepted.record(w, now.Sub(due))
		s.lastAckNs.Store(now.UnixNano())
	}
}

// ackTimeout is how long a sender waits for the acknowledgement of one message (from the
// start of its Deliver) before counting it failed as ack_timeout; the watchdog looks every
// ackCheck, so a wait ends between ackTimeout and ackTimeout+ackCheck.
const (
	ackTimeout = 30 * time.Second
	ackCheck   = 100 * time.Millisecond
)

// ackWait is one sender's wait for acknowledgements. A context with its own timeout for every
// message cost an allocation, a timer and a registration with the parent context each (~6% of
// the bytes allocated in a run, in the engine's process): instead each sender keeps one
// cancellable context from message to message, and one watchdog per step (watchAcks) cancels
// it when the message it waits for has waited ackTimeout. Only that message fails; the sender
// takes a fresh context for the next.
type ackWait struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelCauseFunc
	since   time.Time // when the current Deliver began; zero between calls
	expired bool      // the watchdog cancelled ctx during the current call
}

// start makes the sender's context, a child of ctx.
func (a *ackWait) start(ctx context.Context) {
	a.mu.Lock()
	a.ctx, a.cancel = context.WithCancelCause(ctx)
	a.mu.Unlock()
}

// stop releases the sender's context.
func (a *ackWait) stop() {
	a.mu.Lock()
	a.cancel(context.Canceled)
	a.mu.Unlock()
}

// begin marks the start of a Deliver and returns the context it waits under.
func (a *ackWait) begin() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.since = time.Now()
	return a.ctx
}

// end marks the end of a Deliver that returned err, and returns err as the sender counts it: a
// wait the watchdog ended is context.DeadlineExceeded (ack_timeout), as a timeout of its own
// would have been. The next Deliver gets a fresh context, a child of parent.
func (a *ackWait) end(parent context.Context, err error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.since = time.Time{}
	if !a.expired {
		return err
	}
	a.expired = false
	if err != nil && errors.Is(err, context.Canceled) && parent.Err() == nil {
		err = fmt.Errorf("wait for ack: %w", context.DeadlineExceeded)
	}
	a.cancel(context.Canceled)
	a.ctx, a.cancel = context.WithCancelCause(parent)
	return err
}

// expire cancels the current wait if it began ackTimeout or more before now.
func (a *ackWait) expire(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.since.IsZero() && !a.expired && now.Sub(a.since) >= ackTimeout {
		a.expired = true
		a.cancel(context.DeadlineExceeded)
	}
}

// watchAcks is the watchdog of a step's senders' waits, until the returned function is called.
func watchAcks(waits []ackWait) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(ackCheck)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			now := time.Now()
			for i := range waits {
				waits[i].expire(now)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// settle waits, after the last acknowledgement, for the replies and staff frames still on
// their way (at most 3 s, less once the counts stop moving).
func (h *harness) settle(s *step) {
	deadline := time.Now().Add(3 * time.Second)
	last := int64(-1)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		n := s.replies.Load() + s.staffN.Load() + s.atPhoneN.Load()
		if n == last {
			break
		}
		last = n
	}
}

// progress follows a step second by second: each second's own reply and staff p99 and what
// could have held them up (GC cycles, flushes, compactions, the slowest commit and fsync) go
// into the step's timeline, and with cfg.Progress into a line. A run's p99 is decided by its
// worst seconds; the timeline says what happened in them. It ends when stop is called.
func (h *harness) progress(s *step) (stop func()) {
	out := h.cfg.Progress
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var prevAcked int64
		prevReply, prevStaff, prevStalls := s.reply.counts(), s.staff.counts(), h.readStalls()
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-t.C:
			}
			acked := s.acked.Load()
			reply, staff, stalls := s.reply.counts(), s.staff.counts(), h.readStalls()
			replySec, staffSec := reply.since(&prevReply), staff.since(&prevStaff)
			g, st := stallsBetween(prevStalls, stalls)
			sec := Second{
				At: n, Acked: acked - prevAcked, ReplyP99: replySec.p99(), StaffP99: staffSec.p99(),
				GCCycles: g.Cycles, GCCPUMs: g.CPUMs, Flushes: st.Flushes, Compactions: st.Compactions,
				DurableMaxMs: st.DurableMaxMs, FsyncMaxMs: st.FsyncMaxMs,
			}
			s.mu.Lock()
			s.timeline = append(s.timeline, sec)
			s.mu.Unlock()
			if out != nil {
				fmt.Fprintf(out, "  %-10s %3ds  offered %6.0f/s  acked %6d/s  in flight %5d  errors %d  p99 so far: accepted %.1f reply %.1f staff %.1f ms  this second: %s\n",
					s.label, n, s.rate, sec.Acked, s.inflight.Load(), s.failed.Load(),
					s.accepted.roughP99(), reply.p99(), staff.p99(), sec)
			}
			prevAcked, prevReply, prevStaff, prevStalls = acked, reply, staff, stalls
		}
	}()
	return func() { close(done); <-finished }
}

// Second is one second of a step: its own latencies, and what could have held them up.
type Second struct {
	At           int     `json:"at_s"` // seconds since the step began
	Acked        int64   `json:"acked"`
	ReplyP99     float64 `json:"reply_p99_ms"` // of the replies that came in this second
	StaffP99     float64 `json:"staff_p99_ms"`
	GCCycles     uint64  `json:"gc_cycles,omitempty"` // that ended in it
	GCCPUMs      float64 `json:"gc_cpu_ms,omitempty"`
	Flushes      uint64  `json:"flushes,omitempty"`
	Compactions  uint64  `json:"compactions,omitempty"`
	DurableMaxMs float64 `json:"durable_max_ms"` // the slowest commit, as StorageResult's
	FsyncMaxMs   float64 `json:"fsync_max_ms"`
}

// String is the progress line's account of the second.
func (c Second) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reply p99 %.1f staff p99 %.1f ms, commit max %.0f fsync max %.0f ms", c.ReplyP99, c.StaffP99, c.DurableMaxMs, c.FsyncMaxMs)
	if c.GCCycles > 0 {
		fmt.Fprintf(&b, ", GC %d (%.0f ms CPU)", c.GCCycles, c.GCCPUMs)
	}
	if c.Flushes > 0 {
		fmt.Fprintf(&b, ", %d flush", c.Flushes)
	}
	if c.Compactions > 0 {
		fmt.Fprintf(&b, ", %d compactions", c.Compactions)
	}
	return b.String()
}

// StepResult is what one step measured.
type StepResult struct {
	Label       string           `json:"label"`
	OfferedRate float64          `json:"offered_rate"`
	Seconds     float64          `json:"seconds"`
	Scheduled   int64            `json:"scheduled"`
	Sent        int64            `json:"sent"`
	Acked       int64            `json:"acked"`
	Failed      int64            `json:"failed"`
	Unsent      int64            `json:"unsent"` // not sent: the schedule slipped more than maxLag
	Errors      map[string]int64 `json:"errors,omitempty"`
	Throughput  float64          `json:"throughput"` // acknowledged (durable) inbound msgs/s
	Replies     int64            `json:"replies"`    // inbound messages that got an assistant/system reply
	Unanswered  int64            `json:"unanswered"` // acknowledged without reply (conversation was with the staff)
	StaffFrames int64            `json:"staff_frames"`
	Released    int64            `json:"released"` // pending conversations taken and finished by the simulated staff
	Accepted    Percentiles      `json:"accepted"`
	// SenderLate is how late the harness's sender handed each message to the simulated gateway:
	// a timer and a busy scheduler, part of every other figure (an inbound message from
	// whatsmeow waits for the scheduler as well).
	SenderLate Percentiles `json:"sender_late"`
	Reply      Percentiles `json:"reply"`
	ReplyPhone Percentiles `json:"reply_delivered"`
	Staff      Percentiles `json:"staff"`
	Pass       *bool       `json:"pass,omitempty"` // ramp steps: held the target
	// Timeline is the step second by second: where its p99 came from.
	Timeline []Second `json:"timeline,omitempty"`
	// Sched is how long runnable goroutines of this process waited for a CPU during the step;
	// LoadAvg the machine's 1-minute load average at its start and end (2 cores: above 2 means
	// other work competed for them).
	Sched   SchedLatency `json:"sched_latency"`
	LoadAvg [2]float64   `json:"load_avg"`
	// CPUPerMessage is the engine process's CPU time (user + system; the simulated phones and
	// the harness's hub watchers included) from the step's start until its replies settled,
	// divided by the acknowledged messages: unlike throughput and latency it hardly moves when
	// other work shares the machine, so it compares changes. BrowsersCPUPerMessage is the same
	// for the staff browsers' process (10 ms ticks), which shares the machine's CPUs.
	CPUPerMessage         float64 `json:"cpu_us_per_message"`
	BrowsersCPUPerMessage float64 `json:"browsers_cpu_us_per_message"`
	// GC and Storage are what can hold up every message at once, during the step (GC: the
	// cycles that ended in it): the stalls that decide its tail.
	GC      GCResult      `json:"gc"`
	Storage StorageResult `json:"storage"`
}

func (s *step) result() StepResult {
	r := StepResult{
		Label: s.label, OfferedRate: s.rate, Seconds: s.dur.Seconds(), Scheduled: int64(s.count),
		Sent: s.sent.Load(), Acked: s.acked.Load(), Failed: s.failed.Load(), Unsent: s.unsent.Load(),
		Replies: s.replies.Load(), StaffFrames: s.staffN.Load(), Released: s.released.Load(),
		Accepted: summarize(s.accepted.merged()), SenderLate: summarize(s.late.merged()), Reply: summarize(s.reply.merged()),
		ReplyPhone: summarize(s.atPhone.merged()), Staff: summarize(s.staff.merged()),
	}
	r.Unanswered = r.Acked - r.Replies
	r.Sched, r.LoadAvg = schedBetween(s.sched0, s.sched1), [2]float64{s.load0, s.load1}
	r.GC, r.Storage = stallsBetween(s.stall0, s.stall1)
	if r.Acked > 0 {
		r.CPUPerMessage = float64((s.cpu1 - s.cpu0).Microseconds()) / float64(r.Acked)
		r.BrowsersCPUPerMessage = float64((s.bcpu1 - s.bcpu0).Microseconds()) / float64(r.Acked)
	}
	s.mu.Lock()
	r.Timeline = slices.Clone(s.timeline)
	if len(s.errs) > 0 {
		r.Errors = map[string]int64{}
		for k, v := range s.errs {
			r.Errors[k] = v
		}
	}
	s.mu.Unlock()
	if last := s.lastAckNs.Load(); last > 0 {
		// From the first intended send to the last acknowledgement: a step that fell behind
		// shows it as a lower throughput.
		el := time.Duration(last - s.t0.UnixNano())
		if el < s.dur {
			el = s.dur
		}
		r.Throughput = float64(r.Acked) / el.Seconds()
	}
	return r
}
