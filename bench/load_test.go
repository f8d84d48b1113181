package bench

import (
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
			atPhone: newRecorder(), staff: newRecorder(), errs: map[string]int64{}}
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
