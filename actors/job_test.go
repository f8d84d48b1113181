package actors

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// TestJobFetchedOnceWhileItsAgentWorks: a job whose fetch is under way is not fetched again
// when told to try now (an agent connected: office.agentsConnected tells every running job),
// although its stored state is still aguardando; once the fetch has taken processingAfter, the
// job is stored processando.
func TestJobFetchedOnceWhileItsAgentWorks(t *testing.T) {
	db, err := storage.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the actors stop (cleanups run last first)
	as, quiet := quietActors(t)
	sys := &System{cfg: Config{Log: quiet, DB: db, Now: time.Now}, as: as}
	root := sys.as.Root

	fetches := make(chan *fetch, 8)
	pool := root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if f, ok := c.Message().(*fetch); ok {
			fetches <- f // never answered: the agent is still working
		}
	}))
	now := time.Now()
	job := balcao.Job{ID: "j1", Phone: "5548999990001", State: balcao.JobWaiting, CreatedAt: now, UpdatedAt: now,
		History: []balcao.JobEvent{{State: balcao.JobWaiting, At: now}}}
	b := &storage.Batch{}
	b.Put(storage.JobKey("o1", job.ID), &job)
	b.Set(storage.JobIndexKey("o1", job.State, job.CreatedAt, job.ID), nil)
	if err := db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	// The job's parent (the office) hears its announcements.
	jobs := make(chan *actor.PID, 1)
	office := root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*actor.Started); ok {
			a := newJobActor(sys, "o1", job.ID, pool, false)
			a.given = &job
			jobs <- c.Spawn(actor.PropsFromProducer(func() actor.Actor { return a }))
		}
	}))
	defer root.Stop(office)
	pid := <-jobs

	select {
	case <-fetches:
	case <-time.After(10 * time.Second):
		t.Fatal("the job was never fetched")
	}
	root.Send(pid, &jobRetryTick{})
	root.Send(pid, &jobRetryTick{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		stored, err := db.Job("o1", job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.State == balcao.JobProcessing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job stored %s %v after its fetch ran past processingAfter, want processando", stored.State, time.Since(now))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ids, _, err := db.Jobs("o1", balcao.JobProcessing, "", 10); err != nil || len(ids) != 1 {
		t.Fatalf("processando tab = %v, %v", ids, err)
	}
	// The ticks came before the slow fetch's: any second fetch was asked by now.
	if n := len(fetches); n != 0 {
		t.Fatalf("%d more fetches while the first ran, want none", n)
	}
}
