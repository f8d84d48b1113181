package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/gateway/whatsim"
	"github.com/balcao/balcao/storage"
)

// officeUnderTest is an office's actors on a real store, with the simulated WhatsApp, a source
// of documents and one document request of a client waiting for them, resumed by the office at
// its start.
type officeUnderTest struct {
	sys *System
	db  *storage.DB
	pid *actor.PID // the office actor
	pub *heldPublisher
	job balcao.Job
}

// startOffice stores an office with a waiting job and starts the actors; cfg, when not nil,
// changes their configuration.
func startOffice(t *testing.T, src agent.Source, cfg func(*Config)) *officeUnderTest {
	t.Helper()
	return startOfficeWithJob(t, nil, src, cfg)
}

// startOfficeWithJob is startOffice with the job changed by set, when not nil, before it is
// stored.
func startOfficeWithJob(t *testing.T, set func(*balcao.Job), src agent.Source, cfg func(*Config)) *officeUnderTest {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the actors stop (cleanups run last first)
	files, err := storage.OpenFiles(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	u := &officeUnderTest{db: db, pub: &heldPublisher{held: make(chan chan struct{}, 1), done: make(chan struct{})}}
	u.job = balcao.Job{ID: "j1", Phone: "5548999990001", Intent: "das", State: balcao.JobWaiting, CreatedAt: now, UpdatedAt: now,
		History: []balcao.JobEvent{{State: balcao.JobWaiting, At: now}}}
	if set != nil {
		set(&u.job)
	}
	b := &storage.Batch{}
	b.Put(storage.OfficeKey("o1"), &balcao.Office{ID: "o1", Name: "Escritório", CreatedAt: now})
	b.Put(storage.JobKey("o1", u.job.ID), &u.job)
	b.Set(storage.JobIndexKey("o1", u.job.State, u.job.CreatedAt, u.job.ID), nil)
	b.Set(storage.ContactJobKey("o1", u.job.Phone, u.job.ID), nil)
	if err := db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	c := Config{DB: db, WhatsApp: whatsim.New(quiet), Publisher: u.pub, Log: quiet, Files: files,
		Sources: func(string) agent.Source { return src }, RequestTimeout: 3 * time.Second}
	if cfg != nil {
		cfg(&c)
	}
	if u.sys, err = Start(c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.sys.Stop(context.Background()) })
	t.Cleanup(func() { close(u.pub.done) }) // first: an office still held goes on
	if u.pid, err = u.sys.office("o1"); err != nil {
		t.Fatal(err)
	}
	return u
}

// fail makes the office actor fail, as any failure would: its supervisor restarts it.
func (u *officeUnderTest) fail() { u.sys.as.Root.Send(u.pid, (*gateway.Inbound)(nil)) }

// hold has the office wait, once it comes to this message, until the test lets it go (see
// heldPublisher).
func (u *officeUnderTest) hold() { u.sys.as.Root.Send(u.pid, &whatsappStatus{}) }

// heldPublisher drops the events, but for a whatsapp.status, which the office publishes on
// its own actor: it waits there until the test closes the channel it hands over on held.
type heldPublisher struct {
	held chan chan struct{}
	done chan struct{} // closed when the test ends
}

var _ balcao.Publisher = (*heldPublisher)(nil)

func (p *heldPublisher) Publish(_ string, typ string, _ any) {
	if typ != balcao.EventWhatsAppStatus {
		return
	}
	release := make(chan struct{})
	select {
	case p.held <- release:
	case <-p.done:
		return
	}
	select {
	case <-release:
	case <-p.done:
	}
}

func (p *heldPublisher) PublishAll(string, []balcao.Outgoing) {}

// pdfSource answers each fetch with one PDF once the test sends on release; it tells started
// when a fetch begins. A fetch whose context ends first (its agent pool stops) fails.
type pdfSource struct {
	started chan struct{}
	release chan struct{}
}

func newPDFSource() *pdfSource {
	return &pdfSource{started: make(chan struct{}, 8), release: make(chan struct{})}
}

func (s *pdfSource) Fetch(ctx context.Context, j agent.Job) (agent.Result, error) {
	s.started <- struct{}{}
	select {
	case <-s.release:
		return agent.Result{Files: []agent.File{{Name: j.Intent + ".pdf", Data: []byte("%PDF-1.7\nteste\n%%EOF")}}}, nil
	case <-ctx.Done():
		return agent.Result{}, ctx.Err()
	}
}

// TestOfficeRestartsWhileAJobFetches: an agent connects while a job's fetch is under way (the
// office marks the job, to start it again should it stop still waiting), then the office fails.
// Its restart stops the job; the failed instance, told so, starts no new actor for it (one
// would wait for a stopping agent pool, and the restart for it, for ever): the office answers
// again at once, and the new instance fetches the job again.
func TestOfficeRestartsWhileAJobFetches(t *testing.T) {
	src := newPDFSource() // never released: each fetch waits for its pool to stop
	u := startOffice(t, src, nil)
	await(t, src.started, "the job's fetch")
	u.sys.AgentsConnected("o1")
	if _, err := u.sys.OfficeStats(t.Context(), "o1"); err != nil { // after agentsConnected
		t.Fatal(err)
	}
	u.fail()
	if _, err := u.sys.OfficeStats(t.Context(), "o1"); err != nil {
		t.Fatalf("office stats after the office failed: %v; want the office restarted", err)
	}
	await(t, src.started, "the job's fetch by the restarted office")
}

// TestOfficeRestartDeliversAJobsDocumentsOnce: a job's actor asks the office to put the
// documents it fetched in the chat just as the office fails; the ask stays in the office's
// mailbox, the restart stops the actor, and the new instance of the office starts another for
// the job (still processando on disk), which fetches and asks again, behind the first ask. The
// client gets the documents once: the office drops the ask of the stopped actor.
func TestOfficeRestartDeliversAJobsDocumentsOnce(t *testing.T) {
	src := newPDFSource()
	var stamp atomic.Bool
	stamping := make(chan struct{}, 1)
	u := startOffice(t, src, func(c *Config) {
		c.Now = func() time.Time {
			if stamp.CompareAndSwap(true, false) {
				stamping <- struct{}{}
			}
			return time.Now()
		}
	})
	await(t, src.started, "the first actor's fetch")
	// Once its fetch has run for processingAfter the job is stored processando; then its actor
	// reads the clock next when it stamps the documents it fetched (jobActor.publish).
	u.awaitJob(t, "the job stored processando", func(j balcao.Job) bool { return j.State == balcao.JobProcessing })

	u.hold()
	held := await(t, u.pub.held, "the office held")
	u.fail() // waits behind the hold
	u.hold() // the restarted office's first message
	stamp.Store(true)
	src.release <- struct{}{}
	// The actor handles its fetch's answer: it asks the office before it can stop, and its ask
	// waits behind the failure and the second hold.
	await(t, stamping, "the first actor stamping its documents")
	close(held)

	held = await(t, u.pub.held, "the restarted office held")
	await(t, src.started, "the second actor's fetch")
	src.release <- struct{}{}
	close(held)

	// The second actor stops once its ask is answered, after any batch of the first's.
	u.awaitJob(t, "the job delivered and its actor stopped", func(j balcao.Job) bool {
		st, err := u.sys.OfficeStats(t.Context(), "o1")
		return err == nil && st.Jobs == 0 && j.State == balcao.JobDone && j.Delivered
	})
	if n := u.documentMessages(t); n != 1 {
		t.Fatalf("%d document messages in the chat, want 1", n)
	}
}

// awaitJob polls the stored job until ok holds, failing the test after 10 s.
func (u *officeUnderTest) awaitJob(t *testing.T, what string, ok func(balcao.Job) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		j, err := u.db.Job("o1", u.job.ID)
		if err == nil && ok(j) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s: job %s, delivered %v, %v", what, j.State, j.Delivered, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestJobRestartedUnderItsPidDeliversOnce: a job's actor that fails is restarted by its
// supervisor (the office) under the same pid, so that the office's check of the sender of an
// ask for delivery (office.deliverDocuments) cannot tell an ask of the failed instance from
// one of the new: were the actor to fail while its ask was on its way, the new instance, which
// finds the job still unsent on disk, would fetch and ask again, and the documents would go
// into the chat twice. It is safe because the actor can fail only before it asks: the test
// fails it at each point where it reads the clock, one run each — its start (where a failed
// writer barrier fails it), while its fetch runs (storing processando), as it stamps the files
// fetched and as it builds its ask — and the job must be fetched, stored and sent once, its
// actor gone. A fetch the failed instance left running answers the new instance, which takes
// the first answer for its own (the same job's files) and drops the second. The runs go on
// until one where the actor reads the clock fewer times than the run's number, so that a clock
// read added to the actor (after its ask, say) is failed too.
func TestJobRestartedUnderItsPidDeliversOnce(t *testing.T) {
	for read := 1; read <= 16; read++ {
		var ran, failed bool // ran: not left out by -run
		t.Run(fmt.Sprintf("read %d", read), func(t *testing.T) { ran, failed = true, failJobAtClockRead(t, read) })
		if ran && !failed {
			if read <= 4 {
				t.Fatalf("the job's actor read the clock %d times, want at least 4 (start, fetch running, files, ask)", read-1)
			}
			return
		}
	}
}

// failJobAtClockRead runs a job stored processando (as a crash leaves it) to its end with its
// actor failing at its read-th clock read, and reports whether it did.
func failJobAtClockRead(t *testing.T, read int) bool {
	src := newPDFSource()
	var reads atomic.Int32
	u := startOfficeWithJob(t, func(j *balcao.Job) { j.State = balcao.JobProcessing }, src, func(c *Config) {
		c.Now = func() time.Time {
			if onJobActor() && int(reads.Add(1)) == read {
				panic("injected failure of a job's actor")
			}
			return time.Now()
		}
	})
	// Each instance stores the job aguardando as it starts, and processando once its fetch
	// has run for processingAfter: then each fetch (a failed instance's too) is answered.
	u.awaitJob(t, "the job resumed and stored processando", func(j balcao.Job) bool {
		return len(j.History) >= 3 && j.State == balcao.JobProcessing
	})
	close(src.release)
	u.awaitJob(t, "the job delivered and its actor stopped", func(j balcao.Job) bool {
		st, err := u.sys.OfficeStats(t.Context(), "o1")
		return err == nil && st.Jobs == 0 && j.State == balcao.JobDone && j.Delivered
	})
	// Every ask the actor sent was handled by the office before the stats (the office routes or
	// drops it), then by the conversation before this command, and its batch written before
	// the barrier.
	if _, err := u.sys.Request(t.Context(), "o1", &FinishService{Phone: u.job.Phone, Staff: "ana"}); !errors.Is(err, balcao.ErrConflict) {
		t.Fatalf("finish a service not open = %v, want a conflict", err)
	}
	if n := u.documentMessages(t); n != 1 { // after a writer barrier
		t.Fatalf("%d document messages in the chat, want 1", n)
	}
	if j, err := u.db.Job("o1", u.job.ID); err != nil || len(j.Documents) != 1 {
		t.Fatalf("job stored with documents %v, %v; want 1", j.Documents, err)
	}
	return int(reads.Load()) >= read
}

// onJobActor reports whether its caller runs in a job actor's code.
func onJobActor() bool {
	return onStack(func(f string) bool { return strings.Contains(f, "(*jobActor).") })
}
