package actors

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/storage"
)

// jobActor carries out one document request: aguardando → processando → processado, or
// pendente_escritorio with the source's reason until the office confirms or retries. Every
// change is durable before it is announced. Two changes are not written on their own:
//
//   - processando is stored only once a fetch has taken processingAfter: most agents answer at
//     once, and a job interrupted while processando goes back to aguardando anyway;
//   - processado is stored by the conversation, in the batch that puts the documents in the
//     chat (their records, portal entries and the job delivered): the portal and the chat get
//     them together or not at all. Until then the files are only in the file store; a crash
//     leaves the job aguardando or processando, and it is fetched again.
//
// The conversation sends a job's documents at most once. The actor stops once the job is done
// and delivered, or pending (the office actor wakes it on a retry), and when it starts and
// finds it so (unless woken for a retry).
type jobActor struct {
	sys    *System
	office string
	id     string
	pool   *actor.PID
	log    *slog.Logger
	job    balcao.Job // its State is always the stored one (fields its next change writes may be set before)
	timer  *time.Timer
	// barrier makes the actor wait for the writer before it loads the job: an earlier actor of
	// the job (or the office, at a restart) may have writes of it still in the writer. Not set
	// for the first actor of a new job: its conversation announced it once durable.
	barrier bool
	// given is the job as its conversation stored it, for its first actor: nothing else has
	// written it since, so the actor starts without reading it.
	given *balcao.Job
	// retrying: the office woke the actor for a RetryJob, which may come after it started; a
	// job at rest (pending, or done and delivered) waits for it rather than stop.
	retrying bool
	// fetching is set while the agent pool has the job (slow once the fetch has taken
	// processingAfter), delivering while the conversation has its documents: a "try now" tick
	// then changes nothing (a second ask could find the first one's batch still in the
	// writer, and send the documents twice). The wait for an answer has no timeout, for the
	// same reason: an ask that will never be answered, its conversation actor stopped by its
	// supervisor, is told by the office (askLost).
	fetching, delivering bool
	// asks counts the asks for delivery the actor sent: while delivering, asks is the number
	// of the one under way (see askLost).
	asks uint64
	// redeliveries counts the asks for delivery that failed (an error, a lost ask): each
	// doubles the wait before the next, as fetch attempts do, without making the job pending
	// (the documents are fetched; staff could do nothing about it).
	redeliveries int
	slow         *time.Timer
	// docs are the documents fetched, until the conversation's batch that sends them stores
	// them with the job done (see deliver).
	docs []balcao.StoredDocument
}

const (
	maxFetchAttempts = 5
	// processingAfter is how long a fetch runs before its job is stored processando, so that
	// the request centre shows what the agent is working on.
	processingAfter = time.Second
)

func newJobActor(sys *System, office, id string, pool *actor.PID, barrier bool) *jobActor {
	return &jobActor{sys: sys, office: office, id: id, pool: pool, log: sys.cfg.Log.With("office", office, "job", id), barrier: barrier}
}

// newJobID returns a time-ordered random id.
func newJobID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(now.UnixMilli(), 36) + hex.EncodeToString(b[:])
}

func (j *jobActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		j.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		for _, t := range []*time.Timer{j.timer, j.slow} {
			if t != nil {
				t.Stop()
			}
		}
	case *jobRetryTick:
		if j.timer != nil { // a tick from the office (an agent connected) comes before it
			j.timer.Stop()
			j.timer = nil
		}
		switch {
		case j.fetching, j.delivering: // under way
		case j.docs != nil, j.job.State == balcao.JobDone && !j.job.Delivered:
			j.deliver(ctx, false)
		case j.job.State == balcao.JobWaiting:
			j.dispatch(ctx)
		}
	case *slowFetchTick:
		if j.fetching && j.job.State != balcao.JobProcessing {
			j.change(ctx, balcao.JobProcessing, "", nil, nil)
		}
	case *fetched:
		j.fetched(ctx, m)
	case *RetryJob:
		j.retry(ctx)
	case *Result: // the conversation put the documents in the chat
		j.delivering = false
		switch {
		case m.Err != nil:
			j.log.Warn("deliver documents", "err", m.Err)
			j.redeliveries++
			j.arm(ctx)
		case m.Job == nil && j.docs == nil: // found sent by an earlier version, not recorded
			j.delivered(ctx)
		default: // recorded delivered with the documents, by this ask or an earlier one
			ctx.Stop(ctx.Self())
		}
	case *askLost: // the conversation stopped without answering: ask again, as after an error
		if j.delivering && m.ask == j.asks {
			j.delivering = false
			j.log.Warn("deliver documents: the conversation stopped before it answered")
			j.redeliveries++
			j.arm(ctx)
		}
	}
}

func (j *jobActor) start(ctx actor.Context) {
	if j.barrier {
		if err := barrier(j.sys.cfg.DB); err != nil {
			panic(err)
		}
	}
	if j.given != nil {
		j.job, j.given = *j.given, nil
	} else {
		job, err := j.sys.cfg.DB.Job(j.office, j.id)
		if err != nil {
			j.log.Error("load job", "err", err)
			ctx.Stop(ctx.Self())
			return
		}
		j.job = job
	}
	switch {
	case j.job.State == balcao.JobProcessing:
		j.change(ctx, balcao.JobWaiting, "Retomado após uma interrupção.", nil, nil)
		j.dispatch(ctx)
	case j.job.State == balcao.JobWaiting:
		j.dispatch(ctx)
	case j.job.State == balcao.JobDone && !j.job.Delivered:
		j.deliver(ctx, false)
	case !j.retrying: // at rest, woken while its earlier actor's last change was in the writer
		ctx.Stop(ctx.Self())
	}
}

// dispatch applies the office's rule for the document, then asks the agent pool.
func (j *jobActor) dispatch(ctx actor.Context) {
	settings, err := j.sys.cfg.DB.Settings(j.office)
	if err != nil {
		j.log.Error("load settings", "err", err)
	}
	switch settings.Rule(j.job.Intent) {
	case balcao.RuleConfirm:
		if !j.job.Confirmed {
			j.job.Hold = string(balcao.RuleConfirm)
			j.pending(ctx, "Aguardando a confirmação do escritório para enviar.")
			return
		}
	case balcao.RulePeriodClosed:
		if !periodClosed(j.job.Competence, j.sys.cfg.Now()) {
			j.job.Hold = string(balcao.RulePeriodClosed)
			j.pending(ctx, "O período "+competenceLabel(j.job.Competence)+" ainda não foi encerrado.")
			return
		}
	}
	j.job.Hold = "" // stored with the job's next change
	j.fetching = true
	self, root := ctx.Self(), j.sys.as.Root
	j.slow = time.AfterFunc(processingAfter, func() { root.Send(self, &slowFetchTick{}) })
	ctx.Send(j.pool, &fetch{replyTo: self, job: agent.Job{
		ID: j.job.ID, CNPJ: j.job.CNPJ, Intent: j.job.Intent, Competence: j.job.Competence, Person: j.job.Person,
	}})
}

func (j *jobActor) fetched(ctx actor.Context, m *fetched) {
	if !j.fetching {
		return // a late answer after a restart
	}
	j.fetching = false
	j.slow.Stop()
	switch {
	case errors.Is(m.err, agent.ErrNoAgent):
		// Nothing to poll: the job waits without an actor or a timer until an agent connects
		// (office.agentsConnected) or the office starts again.
		j.change(ctx, balcao.JobWaiting, noAgentNote, nil, nil)
		ctx.Stop(ctx.Self())
	case m.err != nil:
		// A busy pool, or the agents closed as the server stops, says nothing of the job.
		if !errors.Is(m.err, errAgentsBusy) && !errors.Is(m.err, agent.ErrClosed) {
			j.job.Attempts++
		}
		if j.job.Attempts >= maxFetchAttempts {
			j.log.Warn("fetch failed for good", "attempts", j.job.Attempts, "err", m.err)
			j.pending(ctx, "Não foi possível obter o documento do sistema contábil depois de várias tentativas. Verifique o agente e tente de novo.")
			return
		}
		j.change(ctx, balcao.JobWaiting, "Nova tentativa: "+errorNote(m.err), nil, nil)
		j.arm(ctx)
	case m.pending != "":
		j.pending(ctx, m.pending)
	default:
		j.publish(ctx, m.files)
	}
}

// noAgentNote is the history's note of a job that found no agent connected.
const noAgentNote = "Aguardando a conexão de um agente do sistema contábil."

func errorNote(err error) string {
	if errors.Is(err, errAgentsBusy) {
		return "muitos pedidos aguardando o agente."
	}
	return "falha no agente."
}

// publish keeps the fetched files as the job's documents and has the conversation store and
// send them (deliver): the job's actor writes nothing itself.
func (j *jobActor) publish(ctx actor.Context, files []storedFile) {
	now := j.sys.cfg.Now()
	j.docs = make([]balcao.StoredDocument, 0, len(files))
	for i, f := range files {
		j.docs = append(j.docs, balcao.StoredDocument{
			ID: j.job.ID + "-" + strconv.Itoa(i+1), Company: j.job.Company, Intent: j.job.Intent,
			Competence: j.job.Competence, Person: j.job.Person, Name: f.name, MIME: "application/pdf",
			Size: f.size, SHA256: f.sha, Job: j.job.ID, Phone: j.job.Phone, CreatedAt: now,
		})
	}
	j.deliver(ctx, true)
}

// deliver asks the conversation to put the job's documents in the chat: those fetched, with
// the job done, for its batch to store (first: the first ask), or those a job stored done
// holds (stored by an earlier version, which published them in a batch of their own).
func (j *jobActor) deliver(ctx actor.Context, first bool) {
	m := &deliverDocuments{job: j.job, docs: j.docs, stored: j.job.State, first: first}
	if j.docs != nil {
		m.job.Documents = make([]string, len(j.docs))
		for i, d := range j.docs {
			m.job.Documents[i] = d.ID
		}
		m.job.History = slices.Clip(m.job.History) // the change's own array, not j.job's
		advance(&m.job, balcao.JobDone, fmt.Sprintf("%d documento(s) publicado(s) no portal.", len(j.docs)), j.sys.cfg.Now())
	} else {
		for _, id := range j.job.Documents {
			d, err := j.sys.cfg.DB.Document(j.office, id)
			if err != nil {
				j.log.Error("load document", "doc", id, "err", err)
				j.redeliveries++
				j.arm(ctx) // read again after the backoff, as after a failed delivery
				return
			}
			m.docs = append(m.docs, d)
		}
	}
	j.delivering = true
	j.asks++
	m.ask = j.asks
	ctx.Request(ctx.Parent(), m)
}

// delivered records the delivery of a job whose documents the conversation found in the chat
// already, sent by a version that recorded the delivery in a batch of its own, which a crash
// lost (see conversation.deliverDocuments).
func (j *jobActor) delivered(ctx actor.Context) {
	j.job.Delivered = true
	b := &storage.Batch{}
	b.DeleteSingle(storage.ContactJobKey(j.office, j.job.Phone, j.id)) // set once, when the job was made
	b.Put(storage.JobKey(j.office, j.id), &j.job)
	_ = j.sys.cfg.DB.Writer.Submit(b, nil)
	ctx.Stop(ctx.Self())
}

// pending moves the job to pendente_escritorio; the client hears of it once.
func (j *jobActor) pending(ctx actor.Context, reason string) {
	tell := !j.job.ToldPend
	j.job.ToldPend, j.job.Reason = true, reason
	j.change(ctx, balcao.JobPending, reason, nil, nil)
	if tell {
		ctx.Send(ctx.Parent(), &jobPendingNotice{job: j.job})
	}
	ctx.Stop(ctx.Self())
}

// errJobNotPending is the answer to a RetryJob of a job that is not pending.
func errJobNotPending() error {
	return balcao.NewError(balcao.ErrConflict, "job_not_pending", "Este pedido já está sendo processado.")
}

func (j *jobActor) retry(ctx actor.Context) {
	if j.job.State != balcao.JobPending {
		ctx.Respond(&Result{Err: errJobNotPending()})
		return
	}
	if j.job.Hold == string(balcao.RuleConfirm) {
		j.job.Confirmed = true
	}
	j.job.Attempts = 0
	sender, root := ctx.Sender(), j.sys.as.Root
	j.change(ctx, balcao.JobWaiting, "Repetido pelo escritório.", nil, func(job *balcao.Job, err error) {
		if sender != nil {
			root.Send(sender, &Result{Err: err, Job: job})
		}
	})
	j.dispatch(ctx)
}

// change records a new state (with extra changes in b, when given) and announces it once
// durable; then done, when given, runs with the job as the change left it and the outcome of
// the write (on the writer's goroutine). The announcement, balcao.JobChanged encoded here, goes
// to the office, which has the conversation of the job's phone publish it with the view of the
// conversation as it is then (office.jobChanged): staff see a job only when they may see its
// client's conversation, and no change reads the conversation from storage.
func (j *jobActor) change(ctx actor.Context, to balcao.JobState, note string, b *storage.Batch, done func(*balcao.Job, error)) {
	if b == nil {
		b = &storage.Batch{}
	}
	storage.MoveJobIndex(b, j.office, &j.job, j.job.State, to)
	advance(&j.job, to, note, j.sys.cfg.Now())
	b.Put(storage.JobKey(j.office, j.id), &j.job)
	ev, parent, root := encodeJobChanged(&j.job), ctx.Parent(), j.sys.as.Root
	var job *balcao.Job
	if done != nil {
		job = new(balcao.Job)
		*job = j.job
	}
	if err := j.sys.cfg.DB.Writer.Submit(b, func(err error) {
		if err == nil {
			root.Send(parent, ev)
		}
		if done != nil {
			done(job, err)
		}
	}); err != nil && done != nil {
		done(job, err)
	}
}

// advance moves job to state to, with note in its history.
func advance(job *balcao.Job, to balcao.JobState, note string, now time.Time) {
	job.State, job.UpdatedAt = to, now
	if to != balcao.JobPending {
		job.Reason = ""
	}
	job.History = append(job.History, balcao.JobEvent{State: to, Note: note, At: now})
	if len(job.History) > 50 {
		job.History = job.History[len(job.History)-50:]
	}
}

// encodeJobChanged encodes a job's change for its announcement, with room for the hub's stamp
// before it and the array's end after (balcao.Framed), so that the hub makes its frame where it
// is rather than in a copy. Encoded on the stack, then copied once: appended from nil, the
// buffer grew through half a dozen sizes (3.7 % of the bytes a run at 15 000 msg/s allocated).
func encodeJobChanged(job *balcao.Job) *jobChanged {
	const room = balcao.StampRoom + len(balcao.EventJobChanged)
	var scratch [2048]byte
	changed := balcao.JobChanged{Job: *job}
	enc, ok := balcao.AppendEventJSON(scratch[:room], &changed)
	if !ok {
		raw, err := json.Marshal(changed)
		if err != nil {
			raw = []byte("null") // as the hub does; a job always encodes
		}
		enc = append(scratch[:room], raw...)
	}
	buf := make([]byte, len(enc)+2) // the room after the payload
	copy(buf, enc)
	return &jobChanged{phone: job.Phone, buf: buf, start: room, end: len(enc)}
}

func (j *jobActor) arm(ctx actor.Context) {
	if j.timer != nil {
		return
	}
	d := retryWait(j.job.Attempts, j.redeliveries)
	self, root := ctx.Self(), j.sys.as.Root
	j.timer = time.AfterFunc(d, func() { root.Send(self, &jobRetryTick{}) })
}

// retryWait is how long a job waits before it tries again after attempts failed fetches and
// redeliveries failed asks for delivery: a second, doubled by each failure after the first
// delivery failure, at most 64 s (a conversation that keeps failing is not asked every second).
func retryWait(attempts, redeliveries int) time.Duration {
	return time.Duration(1<<min(attempts+max(redeliveries-1, 0), 6)) * time.Second
}

// periodClosed reports whether a competence is over (payroll and books are closed after it).
func periodClosed(competence string, now time.Time) bool {
	cur := now.In(assistant.Location()).Format("2006-01")
	switch len(competence) {
	case 7:
		return competence < cur
	case 4:
		return competence < cur[:4]
	}
	return true
}

func competenceLabel(c string) string {
	if len(c) == 7 {
		return c[5:] + "/" + c[:4]
	}
	return c
}

// barrier waits until every write submitted so far is durable.
func barrier(db *storage.DB) error {
	done := make(chan error, 1)
	if err := db.Writer.Submit(nil, func(err error) { done <- err }); err != nil {
		return fmt.Errorf("writer barrier: %w", err)
	}
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("writer barrier timed out")
	}
}
