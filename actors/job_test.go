package actors

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// jobUnderTest is a job's actor on a real store, with stand-ins for its office (which hears
// its announcements and its asks for delivery) and its agent pool (which hears its fetches and
// answers as answer says).
type jobUnderTest struct {
	db      *storage.DB
	root    *actor.RootContext
	pid     *actor.PID
	fetches chan *fetch
	asks    chan *deliverDocuments
	job     balcao.Job
}

// startJob stores a job waiting for its documents and starts its actor; answer, when not nil,
// makes the pool's answer to each fetch (nil: the agent never answers).
func startJob(t *testing.T, answer func(*fetch) *fetched) *jobUnderTest {
	t.Helper()
	db, err := storage.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the actors stop (cleanups run last first)
	as, quiet := quietActors(t)
	sys := &System{cfg: Config{Log: quiet, DB: db, Now: time.Now}, as: as}
	u := &jobUnderTest{db: db, root: as.Root, fetches: make(chan *fetch, 8), asks: make(chan *deliverDocuments, 8)}

	pool := u.root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if f, ok := c.Message().(*fetch); ok {
			u.fetches <- f
			if answer != nil {
				c.Send(f.replyTo, answer(f))
			}
		}
	}))
	now := time.Now()
	u.job = balcao.Job{ID: "j1", Phone: "5548999990001", State: balcao.JobWaiting, CreatedAt: now, UpdatedAt: now,
		History: []balcao.JobEvent{{State: balcao.JobWaiting, At: now}}}
	b := &storage.Batch{}
	b.Put(storage.JobKey("o1", u.job.ID), &u.job)
	b.Set(storage.JobIndexKey("o1", u.job.State, u.job.CreatedAt, u.job.ID), nil)
	if err := db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	jobs := make(chan *actor.PID, 1)
	office := u.root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		switch m := c.Message().(type) {
		case *actor.Started:
			a := newJobActor(sys, "o1", u.job.ID, pool, false)
			a.given = &u.job
			jobs <- c.Spawn(actor.PropsFromProducer(func() actor.Actor { return a }))
		case *deliverDocuments:
			u.asks <- m // never answered: the conversation's batch is still in the writer
		}
	}))
	t.Cleanup(func() { u.root.Stop(office) })
	u.pid = <-jobs
	return u
}

// await returns the next value on ch, failing the test after 10 s.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// TestJobFetchedOnceWhileItsAgentWorks: a job whose fetch is under way is not fetched again
// when told to try now (an agent connected: office.agentsConnected tells every running job),
// although its stored state is still aguardando; once the fetch has taken processingAfter, the
// job is stored processando.
func TestJobFetchedOnceWhileItsAgentWorks(t *testing.T) {
	u := startJob(t, nil)
	await(t, u.fetches, "fetch")
	u.root.Send(u.pid, &jobRetryTick{})
	u.root.Send(u.pid, &jobRetryTick{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		stored, err := u.db.Job("o1", u.job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.State == balcao.JobProcessing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job stored %s after its fetch ran past processingAfter, want processando", stored.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if jobs, _, err := u.db.Jobs("o1", balcao.JobProcessing, "", 10); err != nil || len(jobs) != 1 {
		t.Fatalf("processando tab = %v, %v", jobs, err)
	}
	// The ticks came before the slow fetch's: any second fetch was asked by now.
	if n := len(u.fetches); n != 0 {
		t.Fatalf("%d more fetches while the first ran, want none", n)
	}
}

// TestJobAsksForDeliveryOnceWhileItIsUnderWay: a job whose documents are on their way into the
// chat does not ask again when told to try now: the second ask could find the first one's
// batch still in the writer, its marker not yet readable, and send the documents twice.
// Nothing of the job is stored meanwhile: the conversation's batch stores it done.
func TestJobAsksForDeliveryOnceWhileItIsUnderWay(t *testing.T) {
	u := startJob(t, func(*fetch) *fetched {
		return &fetched{files: []storedFile{{name: "holerite.pdf", sha: "ab", size: 9}}}
	})
	ask := await(t, u.asks, "ask for delivery")
	if !ask.first || ask.stored != balcao.JobWaiting || ask.job.State != balcao.JobDone || len(ask.docs) != 1 {
		t.Fatalf("ask = first %v, stored %s, job %s, %d documents; want the first, from aguardando, done, 1",
			ask.first, ask.stored, ask.job.State, len(ask.docs))
	}
	u.root.Send(u.pid, &jobRetryTick{})
	time.Sleep(100 * time.Millisecond) // the tick is handled long before
	if n := len(u.asks); n != 0 {
		t.Fatalf("%d more asks while the first was under way, want none", n)
	}
	if stored, err := u.db.Job("o1", u.job.ID); err != nil || stored.State != balcao.JobWaiting {
		t.Fatalf("job stored %s, %v before its delivery; want aguardando", stored.State, err)
	}
}
