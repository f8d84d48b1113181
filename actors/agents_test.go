package actors

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao/gateway/agent"
)

// heldSource answers every fetch "pending" once released.
type heldSource struct{ release chan struct{} }

func (s heldSource) Fetch(ctx context.Context, _ agent.Job) (agent.Result, error) {
	select {
	case <-s.release:
		return agent.Result{Pending: "ainda não"}, nil
	case <-ctx.Done():
		return agent.Result{}, ctx.Err()
	}
}

// TestAgentPoolRefusesPastItsQueue: with maxFetches fetches running and FetchQueue waiting,
// the next one is refused at once with errAgentsBusy (its job retries later without counting
// an attempt); the ones that waited are all answered once the source answers.
func TestAgentPoolRefusesPastItsQueue(t *testing.T) {
	const fetchQueue = DefaultFetchQueue
	src := heldSource{release: make(chan struct{})}
	as, quiet := quietActors(t)
	sys := &System{cfg: Config{Log: quiet, Sources: func(string) agent.Source { return src }, FetchQueue: fetchQueue}, as: as}
	root := sys.as.Root
	replies := make(chan *fetched, maxFetches+fetchQueue+1)
	collector := root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if f, ok := c.Message().(*fetched); ok {
			replies <- f
		}
	}))
	pool := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return newAgentPool(sys, "o1") }))
	defer root.Stop(pool)
	for i := range maxFetches + fetchQueue + 1 {
		root.Send(pool, &fetch{job: agent.Job{ID: strconv.Itoa(i)}, replyTo: collector})
	}
	select {
	case f := <-replies:
		if !errors.Is(f.err, errAgentsBusy) {
			t.Fatalf("first answer with every slot taken: %+v, want errAgentsBusy", f)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fetch past the queue was not refused")
	}
	close(src.release)
	for n := range maxFetches + fetchQueue {
		select {
		case f := <-replies:
			if f.err != nil || f.pending != "ainda não" {
				t.Fatalf("answer %d: %+v", n, f)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d waiting fetches answered", n, maxFetches+fetchQueue)
		}
	}
}
