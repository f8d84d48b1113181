package actors

import (
	"context"
	"log/slog"
	"path/filepath"
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
