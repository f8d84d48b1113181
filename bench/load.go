package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
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

	accepted *recorder // intended send → the engine acknowledged it (durably stored)
	late     *recorder // intended send → the pacer hands it to the gateway (the harness's own lag)
	reply    *recorder // intended send → first assistant/system reply event (durable, to the gateway)
	atPhone  *recorder // intended send → the reply's "delivered" status event
	staff    *recorder // intended send → the inbound's message.added frame read on a staff socket
	// staffLive is staff without the frames a socket read after it reconnected for messages
	// sent before it was back (--faults kicks sockets): the engine's delivery to open sockets.
	staffLive *recorder
	tail      tailLog // the background work and the slow replies (Tail)

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

// retire removes s: what comes for it later is not counted (its result was taken), and its
// histograms (6 recorders of 16 shards of ~140 KB: 13 MB a step) can go. A ramp kept a dozen
// steps' worth, ~140 MB, live through the run that follows it: the collector, paced by the
// memory limit, then had a quarter less room and ran a third more often.
func (ss *steps) retire(s *step) {
	ss.mu.Lock()
	ss.list = slices.DeleteFunc(ss.list, func(x *step) bool { return x == s })
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

// finish returns the result of the step s, which is over, and retires it (steps.retire).
func (h *harness) finish(s *step) StepResult {
	r := s.result()
	h.cur.CompareAndSwap(s, nil)
	h.steps.retire(s)
	return r
}

// runStep offers rate msgs/s for dur and waits for the acknowledgements.
func (h *harness) runStep(ctx context.Context, label string, rate float64, dur time.Duration, pick func(i uint64) (int, int)) *step {
	count := uint64(rate * dur.Seconds())
	if count == 0 {
		count = 1
	}
	s := &step{
		label: label, rate: rate, dur: dur, count: count, pick: pick,
		interval: 1e9 / rate,
		accepted: newRecorder(), late: newRecorder(), reply: newRecorder(), atPhone: newRecorder(), staff: newRecorder(),
		staffLive: newRecorder(), errs: map[string]int64{},
	}
	s.firstN = h.nextN.Add(count) - count
	s.t0 = time.Now().Add(50 * time.Millisecond)
	s.tail.t0 = s.t0
	s.sched0, s.load0, s.cpu0, s.stall0 = readSched(), loadAvg(), processCPU(), h.readStalls()
	s.bcpu0 = h.browsers.cpu()
	h.steps.add(s)
	h.cur.Store(s)

	stopProgress, stopSampling := h.progress(s), h.sampleBackground(s)
	var faultsDone chan struct{}
	fctx, cancelFaults := context.WithCancel(ctx)
	if h.cfg.Faults {
		faultsDone = make(chan struct{})
		go func() { defer close(faultsDone); h.injectFaults(fctx, s) }()
	}

	h.pace(ctx, s)
	s.awaitAcks(ackTimeout)
	s.sched1, s.load1, s.stall1 = readSched(), loadAvg(), h.readStalls()
	cancelFaults()
	if faultsDone != nil {
		<-faultsDone
	}
	h.settle(s)
	s.cpu1, s.bcpu1 = processCPU(), h.browsers.cpu()
	stopSampling()
	stopProgress()
	return s
}

// pace posts each message of the step at its due time, from this one goroutine, without
// waiting for its acknowledgement: the engine calls back once the message is durable. At most
// cfg.MaxInFlight wait for theirs; beyond them the schedule slips, which the latencies (from the
// intended time) show. What it could not post within maxLag of its time is counted unsent.
func (h *harness) pace(ctx context.Context, s *step) {
	sim := h.e.Sim()
	slots := make(chan struct{}, h.cfg.MaxInFlight)
	for i := uint64(0); i < s.count; i++ {
		n := s.firstN + i
		due := s.intended(n)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || time.Since(due) > maxLag {
			s.aborted.Store(true)
			s.unsent.Add(int64(s.count - i))
			return
		}
		o, p := s.pick(i)
		s.sent.Add(1)
		s.inflight.Add(1)
		// Stamped with its due time, as WhatsApp stamps a message when the phone sends it.
		s.late.record(int(n), time.Since(due))
		err := sim.Post(h.offices[o], h.phone(o, p), benchID(n), kindTexts[h.cfg.Mix.pick(n)], due, func(err error) {
			<-slots
			s.acknowledged(n, due, err)
		})
		if err != nil {
			<-slots
			s.acknowledged(n, due, err)
		}
	}
}

// acknowledged counts the outcome of message n, due at due, unless the step stopped waiting
// for it (awaitAcks).
func (s *step) acknowledged(n uint64, due time.Time, err error) {
	if s.inflight.Add(-1) < 0 {
		return // counted as ack_timeout
	}
	if err != nil {
		s.fail(err)
		return
	}
	now := time.Now()
	s.acked.Add(1)
	s.accepted.record(int(n), now.Sub(due))
	s.lastAckNs.Store(now.UnixNano())
}

// ackTimeout is how long a step waits, after it posted its last message, for the
// acknowledgements still missing; each then fails as ack_timeout.
const ackTimeout = 30 * time.Second

// awaitAcks waits until every message posted is acknowledged, at most timeout. Those still
// waiting then fail as ack_timeout, once: their acknowledgements, should they come, find
// inflight negative and count nothing.
func (s *step) awaitAcks(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for s.inflight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.inflight.Swap(math.MinInt64 / 2); n > 0 {
		s.failed.Add(n)
		s.mu.Lock()
		s.errs["ack_timeout"] += n
		s.mu.Unlock()
	}
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
					s.label, n, s.rate, sec.Acked, max(s.inflight.Load(), 0), s.failed.Load(),
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
	// StaffLive is Staff without the frames a socket read once it reconnected for messages
	// sent before it was back: what a kicked socket missed while away.
	StaffLive Percentiles `json:"staff_live"`
	Pass      *bool       `json:"pass,omitempty"`  // ramp steps: held the target
	Again     bool        `json:"again,omitempty"` // ramp steps: the rate's second step, after a failed one
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
	// Tail is what background work the replies slower than the target waited beside.
	Tail Tail `json:"tail"`
}

func (s *step) result() StepResult {
	r := StepResult{
		Label: s.label, OfferedRate: s.rate, Seconds: s.dur.Seconds(), Scheduled: int64(s.count),
		Sent: s.sent.Load(), Acked: s.acked.Load(), Failed: s.failed.Load(), Unsent: s.unsent.Load(),
		Replies: s.replies.Load(), StaffFrames: s.staffN.Load(), Released: s.released.Load(),
		Accepted: summarize(s.accepted.merged()), SenderLate: summarize(s.late.merged()), Reply: summarize(s.reply.merged()),
		ReplyPhone: summarize(s.atPhone.merged()), Staff: summarize(s.staff.merged()),
		StaffLive: summarize(s.staffLive.merged()),
	}
	r.Unanswered = r.Acked - r.Replies
	r.Tail = s.tail.tail(s.dur, r.Replies)
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

// UnansweredShare is the share of the acknowledged messages that got no reply in their turn.
func (r StepResult) UnansweredShare() float64 {
	if r.Acked == 0 {
		return 0
	}
	return float64(r.Unanswered) / float64(r.Acked)
}

// unanswered says how many messages got no reply, for the progress lines.
func (r StepResult) unanswered() string {
	return fmt.Sprintf("unanswered %d (%.1f %%)", r.Unanswered, 100*r.UnansweredShare())
}
