package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/storage"
)

// jobUnderTest is a job's actor on a real store, with stand-ins for its office (which hears
// its announcements and its asks for delivery) and its agent pool (which hears its fetches and
// answers as answer says).
type jobUnderTest struct {
	db      *storage.DB
	root    *actor.RootContext
	pid     *actor.PID
	office  *actor.PID // the stand-in
	fetches chan *fetch
	asks    chan *deliverDocuments
	stopped chan struct{} // closed when the job's actor stopped
	job     balcao.Job
}

// startJob stores a job waiting for its documents and starts its actor; answer, when not nil,
// makes the pool's answer to each fetch (nil: the agent never answers).
func startJob(t *testing.T, answer func(*fetch) *fetched) *jobUnderTest {
	t.Helper()
	return startStoredJob(t, nil, answer)
}

// startStoredJob is startJob with the job changed by set, when not nil, before it is stored.
func startStoredJob(t *testing.T, set func(*balcao.Job), answer func(*fetch) *fetched) *jobUnderTest {
	t.Helper()
	db, err := storage.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the actors stop (cleanups run last first)
	as, quiet := quietActors(t)
	sys := &System{cfg: Config{Log: quiet, DB: db, Now: time.Now}, as: as}
	u := &jobUnderTest{db: db, root: as.Root, fetches: make(chan *fetch, 8), asks: make(chan *deliverDocuments, 8), stopped: make(chan struct{})}

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
	if set != nil {
		set(&u.job)
	}
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
			u.asks <- m // answered by the test, if at all (u.answer)
		case *actor.Terminated:
			close(u.stopped)
		case string: // settled's probe, after what the job sent
			c.Respond(m)
		}
	}))
	t.Cleanup(func() { u.root.Stop(office) })
	u.office = office
	u.pid = <-jobs
	return u
}

// answer answers the job's ask for delivery as its conversation would.
func (u *jobUnderTest) answer(res *Result) { u.root.Send(u.pid, res) }

// settled returns once the job's actor handled what was sent to it before (its answer to a
// request it refuses, the job not being pending, comes after them), and its office stand-in
// what the job sent it meanwhile (its answer to a probe comes after those).
func (u *jobUnderTest) settled(t *testing.T) {
	t.Helper()
	res, err := u.root.RequestFuture(u.pid, &RetryJob{ID: u.job.ID}, 10*time.Second).Result()
	if r, ok := res.(*Result); err != nil || !ok || r.Err == nil {
		t.Fatalf("retry of a job not pending = %v, %v; want it refused", res, err)
	}
	if _, err := u.root.RequestFuture(u.office, "probe", 10*time.Second).Result(); err != nil {
		t.Fatal(err)
	}
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
	u.settled(t)
	if n := len(u.asks); n != 0 {
		t.Fatalf("%d more asks while the first was under way, want none", n)
	}
	if stored, err := u.db.Job("o1", u.job.ID); err != nil || stored.State != balcao.JobWaiting {
		t.Fatalf("job stored %s, %v before its delivery; want aguardando", stored.State, err)
	}
}

// TestJobDeliversAgainWhatItFetchedAfterAFailedWrite: the conversation's batch that was to
// store and send a job's documents failed; the job asks again after its backoff with the same
// documents and the job done as before, from the state still stored (aguardando), looking for
// the marker this time, and stops once told they are recorded. Nothing is fetched again, and
// the job's actor stored nothing of its own.
func TestJobDeliversAgainWhatItFetchedAfterAFailedWrite(t *testing.T) {
	u := startJob(t, func(*fetch) *fetched {
		return &fetched{files: []storedFile{{name: "das.pdf", sha: "cd", size: 7}, {name: "fgts.pdf", sha: "ef", size: 8}}}
	})
	first := await(t, u.asks, "ask for delivery")
	u.answer(&Result{Err: errors.New("write failed")})
	again := await(t, u.asks, "second ask after the failed write")
	if again.first || again.stored != balcao.JobWaiting || again.job.State != balcao.JobDone ||
		!slices.Equal(again.job.Documents, first.job.Documents) || len(again.docs) != 2 || again.docs[1].SHA256 != "ef" {
		t.Fatalf("second ask = first %v, stored %s, job %s with %v, %d documents; want a later ask from aguardando, done with %v",
			again.first, again.stored, again.job.State, again.job.Documents, len(again.docs), first.job.Documents)
	}
	if n := len(first.job.History); n != 2 || len(again.job.History) != 2 {
		t.Fatalf("histories of the asks: %d and %d events, want aguardando then processado in each", n, len(again.job.History))
	}
	if n := len(u.fetches); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	job := again.job
	job.Delivered = true
	u.answer(&Result{Job: &job})
	await(t, u.stopped, "the job's actor stopping once its delivery was recorded")
	if stored, err := u.db.Job("o1", u.job.ID); err != nil || stored.State != balcao.JobWaiting || len(stored.History) != 1 {
		t.Fatalf("job stored %s with %d events, %v: the actor wrote; want it as created", stored.State, len(stored.History), err)
	}
}

// TestJobReadsAgainADocumentItCouldNotRead: a job an earlier version stored done, its
// documents not yet in the chat, is sent from its stored documents; when one cannot be read the
// job tries again after its backoff instead of waiting for ever.
func TestJobReadsAgainADocumentItCouldNotRead(t *testing.T) {
	u := startStoredJob(t, func(j *balcao.Job) { j.State, j.Documents = balcao.JobDone, []string{"j1-1"} }, nil)
	u.settled(t) // its actor started: the document was not there to read
	doc := balcao.StoredDocument{ID: "j1-1", Job: u.job.ID, Phone: u.job.Phone, Name: "das.pdf", MIME: "application/pdf", Size: 7, SHA256: "cd"}
	b := &storage.Batch{}
	b.Put(storage.DocumentKey("o1", doc.ID), &doc)
	if err := u.db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	ask := await(t, u.asks, "ask for delivery once the document could be read")
	if ask.first || ask.stored != balcao.JobDone || len(ask.docs) != 1 || ask.docs[0].Name != doc.Name {
		t.Fatalf("ask = first %v, stored %s, %d documents; want a later ask from processado with %s", ask.first, ask.stored, len(ask.docs), doc.Name)
	}
}

// TestJobAtRestStops: an actor that finds its job with nothing to do (pending at the office, or
// done and delivered: the office woke it as its earlier actor's last change was in the writer)
// stops rather than wait idle for ever.
func TestJobAtRestStops(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*balcao.Job)
	}{
		{"pending", func(j *balcao.Job) { j.State = balcao.JobPending }},
		{"delivered", func(j *balcao.Job) { j.State, j.Delivered = balcao.JobDone, true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := startStoredJob(t, tc.set, nil)
			await(t, u.stopped, "the actor stopping")
		})
	}
}

// TestJobCountsNoAttemptWhenTheAgentsClose: a fetch failed because the server is stopping
// (the remote agents closed: agent.ErrClosed with ErrAgentGone) leaves the job's attempts as
// they were, so that restarts during fetches do not make it pending; an agent that went away on
// its own counts one.
func TestJobCountsNoAttemptWhenTheAgentsClose(t *testing.T) {
	for name, c := range map[string]struct {
		err      error
		attempts int
	}{
		"agents closed": {fmt.Errorf("%w: %w", agent.ErrClosed, agent.ErrAgentGone), 0},
		"agent gone":    {agent.ErrAgentGone, 1},
	} {
		t.Run(name, func(t *testing.T) {
			u := startJob(t, func(*fetch) *fetched { return &fetched{err: c.err} })
			await(t, u.fetches, "fetch")
			u.settled(t)
			if err := u.db.Writer.Commit(t.Context(), nil); err != nil { // after the job's change
				t.Fatal(err)
			}
			stored, err := u.db.Job("o1", u.job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.State != balcao.JobWaiting || stored.Attempts != c.attempts {
				t.Fatalf("job stored %s with %d attempts, want aguardando with %d", stored.State, stored.Attempts, c.attempts)
			}
		})
	}
}

// TestJobAsksAgainOnlyWhenItsAskWasLost: the office tells a job that its ask for delivery went
// to a conversation actor stopped before answering it (office.asksLost); the job asks again
// after its backoff, but only if that ask is the one under way. The news of an earlier ask,
// answered before its conversation stopped, must not end the wait for a later one: the job
// would ask while that one is under way, which could find its batch still in the writer and
// send the documents twice.
func TestJobAsksAgainOnlyWhenItsAskWasLost(t *testing.T) {
	u := startJob(t, func(*fetch) *fetched {
		return &fetched{files: []storedFile{{name: "das.pdf", sha: "cd", size: 7}}}
	})
	first := await(t, u.asks, "ask for delivery")
	u.answer(&Result{Err: errors.New("write failed")})
	second := await(t, u.asks, "second ask after the failed write")
	if first.ask == second.ask {
		t.Fatalf("both asks numbered %d", first.ask)
	}
	u.root.Send(u.pid, &askLost{ask: first.ask})
	u.root.Send(u.pid, &jobRetryTick{}) // would ask at once were the job no longer waiting
	u.settled(t)
	if n := len(u.asks); n != 0 {
		t.Fatalf("%d more asks while the second was under way, want none", n)
	}
	u.root.Send(u.pid, &askLost{ask: second.ask})
	third := await(t, u.asks, "third ask after the second was lost")
	if third.first || third.ask == second.ask {
		t.Fatalf("third ask = first %v, number %d; want a later ask, looking for the marker", third.first, third.ask)
	}
	job := third.job
	job.Delivered = true
	u.answer(&Result{Job: &job})
	await(t, u.stopped, "the job's actor stopping once its delivery was recorded")
}

// TestRetryWait: a job waits a second before trying again, doubled by each failed fetch and by
// each failed ask for delivery after the first, up to 64 s: a conversation that keeps failing
// (stopped by its supervisor at every ask) was asked again every second for good.
func TestRetryWait(t *testing.T) {
	for _, c := range []struct {
		attempts, redeliveries int
		want                   time.Duration
	}{
		{0, 0, time.Second}, {0, 1, time.Second}, {0, 2, 2 * time.Second}, {0, 4, 8 * time.Second},
		{2, 0, 4 * time.Second}, {2, 2, 8 * time.Second}, {0, 50, 64 * time.Second}, {9, 0, 64 * time.Second},
	} {
		if got := retryWait(c.attempts, c.redeliveries); got != c.want {
			t.Errorf("retryWait(%d, %d) = %v, want %v", c.attempts, c.redeliveries, got, c.want)
		}
	}
}
