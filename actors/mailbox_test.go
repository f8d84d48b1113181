package actors

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// mailboxSystem is an actor system whose actors get the engine's mailbox and dispatcher.
func mailboxSystem(t *testing.T) (*actor.ActorSystem, func(actor.ReceiveFunc, ...actor.PropsOption) *actor.PID) {
	t.Helper()
	disp := newPoolDispatcher(300)
	t.Cleanup(disp.close) // after the system's shutdown (cleanups run last first)
	as, _ := quietActors(t)
	spawn := func(f actor.ReceiveFunc, opts ...actor.PropsOption) *actor.PID {
		return as.Root.Spawn(actor.PropsFromFunc(f, append(opts, actor.WithDispatcher(disp), actor.WithMailbox(newMailbox))...))
	}
	return as, spawn
}

type seqMsg struct{ from, n int }

// TestMailboxKeepsEachSendersOrder: messages from many goroutines at once all arrive, each
// sender's in the order sent, across the dispatcher's yields.
func TestMailboxKeepsEachSendersOrder(t *testing.T) {
	as, spawn := mailboxSystem(t)
	const senders, each = 8, 5000
	next := make([]int, senders)
	done := make(chan string, 1)
	received := 0
	pid := spawn(func(c actor.Context) {
		m, ok := c.Message().(*seqMsg)
		if !ok {
			return
		}
		if m.n != next[m.from] {
			select {
			case done <- "out of order":
			default:
			}
			return
		}
		next[m.from]++
		if received++; received == senders*each {
			done <- ""
		}
	})
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for n := range each {
				as.Root.Send(pid, &seqMsg{from: s, n: n})
			}
		})
	}
	wg.Wait()
	select {
	case problem := <-done:
		if problem != "" {
			t.Fatal(problem)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("received %d of %d messages", received, senders*each)
	}
}

// TestMailboxPanicRestartsAndLosesNothingAfter: a message that panics goes to the supervisor,
// which restarts the actor; the messages queued behind it reach the new instance, in order.
func TestMailboxPanicRestartsAndLosesNothingAfter(t *testing.T) {
	as, spawn := mailboxSystem(t)
	got := make(chan int, 100)
	restarts := make(chan struct{}, 10)
	pid := spawn(func(c actor.Context) {
		switch m := c.Message().(type) {
		case *actor.Restarting:
			restarts <- struct{}{}
		case int:
			if m == 3 {
				panic("three")
			}
			got <- m
		}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(10, time.Minute, actor.DefaultDecider)))
	for n := range 8 {
		as.Root.Send(pid, n)
	}
	for _, want := range []int{0, 1, 2, 4, 5, 6, 7} {
		select {
		case n := <-got:
			if n != want {
				t.Fatalf("got %d, want %d", n, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d never arrived", want)
		}
	}
	select {
	case <-restarts:
	default:
		t.Fatal("the actor was not restarted after its panic")
	}
}

// TestMailboxAnswersARequestThatPanicked: a request whose handler panics is answered with an
// error at once (not at its timeout), one sent without waiting for an answer is not answered,
// and the restarted actor answers the next request.
func TestMailboxAnswersARequestThatPanicked(t *testing.T) {
	as, spawn := mailboxSystem(t)
	pid := spawn(func(c actor.Context) {
		if s, ok := c.Message().(string); ok {
			if s == "boom" {
				panic("boom")
			}
			c.Respond(&Result{})
		}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(10, time.Minute, actor.DefaultDecider)))
	as.Root.Send(pid, "boom") // no sender: nobody to answer
	res, err := as.Root.RequestFuture(pid, "boom", time.Minute).Result()
	if err != nil {
		t.Fatalf("request that panicked: %v, want an answer before its timeout", err)
	}
	if r, ok := res.(*Result); !ok || !errors.Is(r.Err, errHandlerPanicked) {
		t.Fatalf("request that panicked answered %#v, want a *Result with errHandlerPanicked", res)
	}
	res, err = as.Root.RequestFuture(pid, "ok", time.Minute).Result()
	if r, ok := res.(*Result); err != nil || !ok || r.Err != nil {
		t.Fatalf("request after the restart: %#v, %v", res, err)
	}
}

// TestAskTakesEveryAnswer: ask returns the answer of the type asked; a *Result with an error
// as that error whatever was asked (so OfficeStats and Session hear of a handler that panicked
// at once), any other answer as an error, not a panic of the caller.
func TestAskTakesEveryAnswer(t *testing.T) {
	as, spawn := mailboxSystem(t)
	s := &System{as: as}
	pid := spawn(func(c actor.Context) {
		switch c.Message() {
		case "stats":
			c.Respond(&OfficeStats{Conversations: 3})
		case "boom":
			panic("boom")
		case "odd":
			c.Respond(42)
		}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(10, time.Minute, actor.DefaultDecider)))
	if st, err := ask[*OfficeStats](s, pid, "stats", time.Minute); err != nil || st.Conversations != 3 {
		t.Fatalf("stats: %+v, %v", st, err)
	}
	if st, err := ask[*OfficeStats](s, pid, "boom", time.Minute); !errors.Is(err, errHandlerPanicked) || st != nil {
		t.Fatalf("a handler that panicked: %+v, %v; want errHandlerPanicked", st, err)
	}
	if a, err := ask[*sessionAnswer](s, pid, "odd", time.Minute); err == nil || a != nil {
		t.Fatalf("an answer of another type: %+v, %v; want an error", a, err)
	}
}

// TestFifoNeverDrainedStaysBounded: a queue that always holds a few messages (a busy office
// actor's) reuses its array instead of growing with every message it ever held.
func TestFifoNeverDrainedStaysBounded(t *testing.T) {
	var q fifo
	for n := range 10 {
		q.push(n)
	}
	want := 0
	for n := 10; n < 100_000; n++ {
		q.push(n)
		if got := q.pop(); got != want {
			t.Fatalf("popped %v, want %d", got, want)
		}
		want++
	}
	if q.len() != 10 || cap(q.items) > 64 {
		t.Fatalf("len %d cap %d after 100 000 messages through a queue of 10", q.len(), cap(q.items))
	}
	for q.len() > 0 {
		q.pop()
	}
	if q.items != nil {
		t.Fatal("a drained queue kept its array")
	}
}

// TestFifoKeepsOrder: any sequence of pushes and pops gives the messages back in the order they
// came, through the lone message's slot and the array alike.
func TestFifoKeepsOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var q fifo
	var model []int
	next := 0
	for range 200_000 {
		if len(model) == 0 || rng.IntN(3) > 0 && len(model) < 50 {
			q.push(next)
			model = append(model, next)
			next++
		} else {
			if got := q.pop(); got != model[0] {
				t.Fatalf("popped %v, want %d", got, model[0])
			}
			model = model[1:]
		}
		if q.len() != len(model) {
			t.Fatalf("len %d, want %d", q.len(), len(model))
		}
	}
}

// TestFifoLoneMessageAllocatesNothing: a message pushed to an empty queue and popped before the
// next one comes (an idle conversation's) costs no array.
func TestFifoLoneMessageAllocatesNothing(t *testing.T) {
	var q fifo
	msg := any(&flushTick{})
	if n := testing.AllocsPerRun(1000, func() {
		q.push(msg)
		if q.pop() != msg {
			t.Fatal("popped another message")
		}
	}); n != 0 {
		t.Fatalf("%v allocations per lone message, want 0", n)
	}
}

// TestFifoKeepsItsArrayWhenAskedTo: a busy actor's queue, drained, keeps its array for the next
// burst (none made for it), unless a burst grew it past maxKept; another actor's lets it go.
func TestFifoKeepsItsArrayWhenAskedTo(t *testing.T) {
	burst := func(q *fifo, n int) {
		for i := range n {
			q.push(i)
		}
		for q.len() > 0 {
			q.pop()
		}
	}
	busy := fifo{keep: true}
	burst(&busy, 5)
	if n := testing.AllocsPerRun(100, func() { burst(&busy, 5) }); n != 0 {
		t.Fatalf("%v allocations per burst of a busy queue, want 0", n)
	}
	burst(&busy, 2*maxKept)
	if busy.items != nil {
		t.Fatalf("a drained busy queue kept an array of %d", cap(busy.items))
	}
	var idle fifo
	burst(&idle, 5)
	if idle.items != nil {
		t.Fatal("a drained queue kept its array")
	}
}
