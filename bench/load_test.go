package bench

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// TestAckWait: a sender's wait that outlasts ackTimeout fails as a deadline (ack_timeout) and
// no sooner; the sender's next wait has a live context; the end of the run cancels a wait.
func TestAckWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		waits := make([]ackWait, 2)
		stop := watchAcks(waits)
		defer stop()
		a := &waits[0]
		a.start(ctx)
		defer a.stop()
		// deliver waits for the acknowledgement as Sim().Deliver does: until ack or ctx ends.
		deliver := func(c context.Context, ack <-chan struct{}) error {
			select {
			case <-ack:
				return nil
			case <-c.Done():
				return fmt.Errorf("wait for ack: %w", c.Err())
			}
		}

		start := time.Now()
		err := a.end(ctx, deliver(a.begin(), nil))
		waited := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("an unacknowledged message: %v, want a deadline", err)
		}
		if waited < ackTimeout || waited > ackTimeout+ackCheck {
			t.Errorf("waited %v, want %v to %v", waited, ackTimeout, ackTimeout+ackCheck)
		}

		ack := make(chan struct{})
		time.AfterFunc(ackTimeout-time.Second, func() { close(ack) })
		if err := a.end(ctx, deliver(a.begin(), ack)); err != nil {
			t.Fatalf("a message acknowledged in time after a timeout: %v", err)
		}

		go func() { time.Sleep(time.Second); cancel() }()
		start = time.Now()
		err = a.end(ctx, deliver(a.begin(), nil))
		if !errors.Is(err, context.Canceled) || time.Since(start) != time.Second {
			t.Errorf("a wait when the run ends: %v", err)
		}
	})
}
