package bench

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/balcao/balcao"
)

// TestAwaitAcks: a step waits for its missing acknowledgements until the timeout and no
// longer, counts those still missing as ack_timeout once, and ignores their acknowledgements
// when they come later; an error acknowledgement counts as a failure by its code.
func TestAwaitAcks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &step{accepted: newRecorder(), errs: map[string]int64{}}
		s.inflight.Store(3)
		due := time.Now()
		time.AfterFunc(time.Second, func() { s.acknowledged(1, due, nil) })
		time.AfterFunc(2*time.Second, func() { s.acknowledged(2, due, balcao.ErrOverloaded) })
		start := time.Now()
		s.awaitAcks(ackTimeout)
		if waited := time.Since(start); waited < ackTimeout || waited > ackTimeout+20*time.Millisecond {
			t.Errorf("waited %v, want %v", waited, ackTimeout)
		}
		s.acknowledged(3, due, nil) // too late: already counted
		if a, f := s.acked.Load(), s.failed.Load(); a != 1 || f != 2 {
			t.Errorf("acked %d failed %d, want 1 and 2", a, f)
		}
		if s.errs["ack_timeout"] != 1 || s.errs["overloaded"] != 1 {
			t.Errorf("errors %v, want one ack_timeout and one overloaded", s.errs)
		}
		if got := s.accepted.merged().TotalCount(); got != 1 {
			t.Errorf("%d accepted latencies recorded, want 1", got)
		}

		all := &step{accepted: newRecorder(), errs: map[string]int64{}}
		all.inflight.Store(1)
		time.AfterFunc(time.Second, func() { all.acknowledged(1, due, nil) })
		start = time.Now()
		all.awaitAcks(ackTimeout)
		if waited := time.Since(start); waited > time.Second+20*time.Millisecond || all.failed.Load() != 0 {
			t.Errorf("all acknowledged: waited %v, %d failed", waited, all.failed.Load())
		}
	})
}

// TestFinishedStepsAreRetired: a finished step is no longer found for its messages (what comes
// for it late is not counted, and its histograms can go); the steps around it still are, and
// the current step is cleared only when it is the one finished.
func TestFinishedStepsAreRetired(t *testing.T) {
	h := &harness{}
	var list []*step
	for i := range 3 {
		s := &step{firstN: uint64(i) * 10, count: 10, accepted: newRecorder(), late: newRecorder(), reply: newRecorder(),
			atPhone: newRecorder(), staff: newRecorder(), staffLive: newRecorder(), errs: map[string]int64{}}
		h.steps.add(s)
		list = append(list, s)
	}
	h.cur.Store(list[2])
	h.finish(list[1])
	if h.steps.find(15) != nil {
		t.Error("message 15 still finds its finished step")
	}
	if h.steps.find(5) != list[0] || h.steps.find(25) != list[2] {
		t.Error("the other steps are no longer found")
	}
	if h.cur.Load() != list[2] {
		t.Error("finishing an earlier step cleared the current one")
	}
	h.finish(list[2])
	if h.cur.Load() != nil || h.steps.find(25) != nil {
		t.Error("the current step, finished, is still current or found")
	}
}

// TestStaffLiveLeavesOutWhatAwaySocketsMissed: a frame a socket reads once it reconnected, for
// a message sent before it was back, counts in the staff histogram but not in the live one;
// frames of messages sent while it was open, and other sockets' frames, count in both; a
// malformed line is ignored.
func TestStaffLiveLeavesOutWhatAwaySocketsMissed(t *testing.T) {
	h := &harness{}
	t0 := time.Unix(1_800_000_000, 0)
	s := &step{count: 10, t0: t0, interval: float64(time.Millisecond), staff: newRecorder(), staffLive: newRecorder()}
	h.steps.add(s)
	ms := func(n int) string { return fmt.Sprint(t0.Add(time.Duration(n) * time.Millisecond).UnixNano()) }
	for _, line := range []string{
		"s 0 0 " + ms(2),       // message 0 (sent at 0 ms) read by socket 0 at 2 ms
		"b 0 " + ms(5),         // socket 0 open again at 5 ms
		"b 1 " + ms(10) + " 1", // lines of no known shape change nothing
		"b 1 10ms",
		"b one " + ms(10),
		"s 0 3 " + ms(40), // message 3, sent at 3 ms while socket 0 was away, read at 40 ms
		"s 1 3 " + ms(4),  // and by socket 1, which stayed open, at 4 ms
		"s 0 6 " + ms(8),  // message 6, sent at 6 ms, read by socket 0 at 8 ms
	} {
		h.browserLine([]byte(line))
	}
	all, live := summarize(s.staff.merged()), summarize(s.staffLive.merged())
	if all.Count != 4 || all.Max < 37 {
		t.Errorf("staff: %d frames, max %.1f ms; want 4, the away frame's 37 ms among them", all.Count, all.Max)
	}
	if live.Count != 3 || live.Max > 2.1 {
		t.Errorf("live: %d frames, max %.1f ms; want 3, none of them the away frame", live.Count, live.Max)
	}
}
