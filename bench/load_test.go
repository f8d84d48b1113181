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
