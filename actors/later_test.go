package actors

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TestLaterSendsEachOnceAfterItsDelay: every message goes once, in the order asked, no sooner
// than the delay (less the slack) after it was asked for, also when asked for while the timer
// is set for earlier ones; closing drops what is left.
func TestLaterSendsEachOnceAfterItsDelay(t *testing.T) {
	const delay = 20 * time.Millisecond
	type sent struct {
		to   string
		at   time.Time
		want time.Time
	}
	var mu sync.Mutex
	var got []sent
	asked := map[string]time.Time{}
	l := newLater(delay, func(to *actor.PID, _ any) {
		mu.Lock()
		got = append(got, sent{to: to.Id, at: time.Now(), want: asked[to.Id]})
		mu.Unlock()
	})
	const n = 300
	for i := range n {
		id := fmt.Sprint(i)
		mu.Lock()
		asked[id] = time.Now().Add(delay)
		mu.Unlock()
		l.after(actor.NewPID("local", id), flushTickMsg)
		if i%50 == 0 {
			time.Sleep(3 * time.Millisecond) // some arrive while the timer waits for earlier ones
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		k := len(got)
		mu.Unlock()
		if k >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(2 * delay) // nothing more may come
	sentSoFar := func() []sent {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
	all := sentSoFar()
	if len(all) != n {
		t.Fatalf("%d messages sent, want %d", len(all), n)
	}
	for i, s := range all {
		if s.to != fmt.Sprint(i) {
			t.Fatalf("message %d went to %s: out of order", i, s.to)
		}
		if s.at.Before(s.want.Add(-laterSlack)) {
			t.Fatalf("message %d went %v before its time", i, s.want.Sub(s.at))
		}
	}

	l.after(actor.NewPID("local", "late"), flushTickMsg)
	l.close()
	l.after(actor.NewPID("local", "after-close"), flushTickMsg)
	time.Sleep(2 * delay)
	if extra := len(sentSoFar()) - n; extra != 0 {
		t.Errorf("%d messages sent after close", extra)
	}
}
