package actors

import (
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// createJob stores a complete document request as a job, in the same batch as the message that
// completed it, and has the office start it once durable.
func (c *conversation) createJob(t *turn, r *assistant.Request) {
	company := c.company(r.CompanyID)
	now := c.sys.cfg.Now()
	j := balcao.Job{
		ID: newJobID(now), Company: company.ID, CNPJ: company.CNPJ, Intent: string(r.Intent),
		Competence: r.Competence, Person: r.Person, Phone: c.phone, State: balcao.JobWaiting,
		History:   []balcao.JobEvent{{State: balcao.JobWaiting, Note: "Pedido pelo WhatsApp.", At: now}},
		CreatedAt: now, UpdatedAt: now,
	}
	t.b.Put(storage.JobKey(c.office, j.ID), &j)
	t.b.Set(storage.JobIndexKey(c.office, j.State, j.CreatedAt, j.ID), nil)
	t.b.Set(storage.ContactJobKey(c.office, c.phone, j.ID), nil)
	t.events = append(t.events, event{Type: balcao.EventJobChanged, Data: balcao.JobChanged{Job: j, View: &t.view}})
	t.jobs = append(t.jobs, j)
}

// jobChanged publishes a job's durable change with the conversation as it is now, which the
// hub's visibility filter applies to it.
func (c *conversation) jobChanged(m *jobChanged) {
	var scope *balcao.ConversationView // without one only managers see the change
	if c.exists {
		scope = c.scopeNow() // kept by the hub's window: the scope, not a view (see scopeOf)
	}
	c.sys.cfg.Publisher.Publish(c.office, balcao.EventJobChanged, m.event(scope))
}

// deliverDocuments puts a job's documents in the chat, once: a marker in the same batch makes
// any later ask a no-op (a retry after an answered error finds none, and sends them). The first
// ask needs no look: nothing can have stored the marker before it. The same batch stores the documents
// with their portal entries and the job done and delivered (unless an earlier version stored
// them: m.stored), which ends it (its actor stops on the answer); a job whose marker was stored
// by an earlier version, without that record, is recorded by its actor.
func (c *conversation) deliverDocuments(ctx actor.Context, m *deliverDocuments) {
	if !m.first {
		if sent, err := c.sys.cfg.DB.Has(storage.JobSentKey(c.office, m.job.ID)); err != nil || sent {
			ctx.Respond(&Result{Err: err})
			return
		}
	}
	t := c.begin()
	publish := m.stored != balcao.JobDone
	for _, d := range m.docs {
		link := ""
		if c.sys.cfg.PortalLink != nil {
			link = c.sys.cfg.PortalLink(c.office, c.phone, d.ID)
		}
		doc := &balcao.Document{ID: d.ID, Name: d.Name, URL: link, MIME: d.MIME, Size: d.Size, SHA: d.SHA256}
		msg := c.addMessage(t, balcao.Outbound, balcao.AuthorAssistant, "📄 "+d.Name+"\n"+link, doc, "", c.sys.cfg.Now())
		d.MessageSeq = msg.Seq
		t.b.Put(storage.DocumentKey(c.office, d.ID), &d)
		if publish {
			t.b.Set(storage.PortalKey(c.office, d.Company, d.CreatedAt, d.ID), nil)
		}
	}
	t.b.Set(storage.JobSentKey(c.office, m.job.ID), nil)
	job := m.job
	job.Delivered = true
	t.b.DeleteSingle(storage.ContactJobKey(c.office, job.Phone, job.ID)) // set once, when the job was made
	t.b.Put(storage.JobKey(c.office, job.ID), &job)
	if publish {
		storage.MoveJobIndex(t.b, c.office, &job, m.stored, job.State)
		t.events = append(t.events, event{Type: balcao.EventJobChanged, Data: balcao.JobChanged{Job: job, View: &t.view}})
	}
	c.commitAndRespond(ctx, t, Result{Job: &job})
}

// jobPendingNotice tells the client the office will take care of the request.
func (c *conversation) jobPendingNotice(ctx actor.Context, m *jobPendingNotice) {
	t := c.begin()
	v := c.messageVars("") // with the request's company and competence
	v.Empresa, v.Competencia = c.company(m.job.Company).Name, competenceLabel(m.job.Competence)
	c.reply(t, balcao.AuthorAssistant, "Seu pedido ("+jobWhat(m.job)+") precisa de uma ação do escritório. "+c.renderText(balcao.MessageJobPending, v))
	c.commit(ctx, t, nil)
}

// jobReply sends a staff member's message about a job to the client who asked.
func (c *conversation) jobReply(ctx actor.Context, m *jobReply) {
	t := c.begin()
	msg := c.reply(t, m.staff, m.text)
	c.commitAndRespond(ctx, t, Result{Message: &msg})
}

// jobWhat says in Portuguese what a job asks for, for the client: "holerite de 10/2026",
// "holerite de Maria Silva, 10/2026", "certidão negativa de débitos".
func jobWhat(j balcao.Job) string {
	s := assistant.Intent(j.Intent).Label()
	switch {
	case j.Person != "" && j.Competence != "":
		s += " de " + j.Person + ", " + competenceLabel(j.Competence)
	case j.Person != "":
		s += " de " + j.Person
	case j.Competence != "":
		s += " de " + competenceLabel(j.Competence)
	}
	return s
}

// describeJob says in Portuguese what a job is and where it stands, for the client's list of
// open requests: "holerite (10/2026) — em preparação".
func describeJob(j balcao.Job) string {
	s := assistant.Intent(j.Intent).Label()
	if j.Person != "" {
		s += " de " + j.Person
	}
	if j.Competence != "" {
		s += " (" + competenceLabel(j.Competence) + ")"
	}
	switch j.State {
	case balcao.JobPending:
		s += " — aguardando o escritório"
	case balcao.JobDone:
		s += " — pronto"
	default:
		s += " — em preparação"
	}
	return s
}

// wantsPortal reports whether a client asks for the portal link.
func wantsPortal(text string) bool {
	return len(text) < 200 && strings.Contains(strings.ToLower(text), "portal")
}
