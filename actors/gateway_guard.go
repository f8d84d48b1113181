package actors

import (
	"context"
	"sync"
	"time"
)

// sendGuard is the context of a gateway actor's sends, which run one at a time: one
// cancellable context kept from send to send, and one timer that cancels it when a send
// outlasts its timeout (sendTimeout unless set). A context with a timeout of its own for every
// send (a context, a timer and the context's channel each time) was ~6 % of the bytes a bench
// run allocated. A context once cancelled is not used again: the send after gets a new one.
type sendGuard struct {
	timeout time.Duration // sendTimeout when zero

	mu       sync.Mutex
	ctx      context.Context
	cancel   context.CancelCauseFunc
	deadline time.Time // of the send under way; zero between sends
	timer    *time.Timer
}

// begin starts a send and returns the context it runs under.
func (s *sendGuard) begin() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil || s.ctx.Err() != nil {
		s.ctx, s.cancel = context.WithCancelCause(context.Background())
	}
	d := s.timeout
	if d <= 0 {
		d = sendTimeout
	}
	s.deadline = time.Now().Add(d)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.expire)
	} else {
		s.timer.Reset(d)
	}
	return s.ctx
}

// end marks the send finished.
func (s *sendGuard) end() {
	s.mu.Lock()
	s.deadline = time.Time{}
	s.mu.Unlock()
	s.timer.Stop()
}

// expire cancels the send under way once its time is up, with context.DeadlineExceeded as the
// cause. A firing meant for an earlier send finds a later deadline, or none, and does nothing.
func (s *sendGuard) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
		s.cancel(context.DeadlineExceeded)
	}
}

// stop releases the guard when the actor stops.
func (s *sendGuard) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.cancel != nil {
		s.cancel(context.Canceled)
	}
}
