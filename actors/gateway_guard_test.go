package actors

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestSendGuard: a send that outlasts sendTimeout has its context cancelled then, with
// DeadlineExceeded as the cause, and no sooner; sends that end in time keep one context; a
// timer firing meant for an earlier send cancels nothing; after a cancellation the next send
// gets a live context; stop cancels.
func TestSendGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g sendGuard
		first := g.begin()
		time.Sleep(time.Second)
		g.end()
		second := g.begin()
		if second != first || second.Err() != nil {
			t.Fatal("a send after one that ended in time got another context, or a dead one")
		}
		g.end()
		g.expire() // as a firing for the send that just ended would
		if first.Err() != nil {
			t.Fatal("a late firing cancelled the context between sends")
		}

		ctx := g.begin()
		time.Sleep(sendTimeout - time.Second)
		g.expire() // as a firing meant for an earlier, shorter send would
		if ctx.Err() != nil {
			t.Fatal("cancelled before its time")
		}
		start := time.Now()
		<-ctx.Done()
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("cancelled %v after the check, want 1s (at sendTimeout)", waited)
		}
		if !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			t.Errorf("cause %v, want a deadline", context.Cause(ctx))
		}
		g.end()

		next := g.begin()
		if next == ctx || next.Err() != nil {
			t.Fatal("the send after a timeout got the cancelled context")
		}
		g.end()
		g.stop()
		if next.Err() == nil {
			t.Fatal("stop left the context live")
		}
	})
}
