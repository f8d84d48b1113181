package actors

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// SendScheduled puts one message of a scheduled send (a schedule's occurrence, a broadcast or a
// reminder) in the conversation of a phone, with its document request when it has one. It is
// idempotent on (Schedule, Occurrence, Phone): the conversation writes a balcao.ScheduledSend
// record in the same batch as the message, and a command whose record exists sends nothing.
// Answered with a *Result once durable: Message is the new message, or nil when it had been
// sent already; ErrNotLinked when the message is about a company that is no longer one of the
// contact's enabled companies.
type SendScheduled struct {
	Phone string
	// Company is the company the message is about ("" for none): part of the idempotency key,
	// and the company of the document request. "" lets a request go to the contact's first
	// company.
	Company    string
	Schedule   string
	Occurrence time.Time
	Author     string // balcao.AuthorSystem
	Text       string
	// Request, when set, starts a job for the document exactly as when the client asks for it
	// (Intent and a resolved Competence).
	Request *assistant.Request
	// Retry is set when an earlier attempt may still be in the writer: the check then waits
	// for it first.
	Retry bool
}

func (m *SendScheduled) phone() string { return m.Phone }

// ErrNotLinked is returned by SendScheduled when its company is not, or no longer, an enabled
// company of the contact (unlinked, or disabled, after the run listed the contact for it):
// nothing is sent. Sending would write about a company the contact left, and a document
// request would go to another of theirs, which may get its own message in the same run.
var ErrNotLinked = errors.New("contact not linked to the company")

func (c *conversation) sendScheduled(ctx actor.Context, m *SendScheduled) {
	db := c.sys.cfg.DB
	if m.Retry {
		if err := barrier(db); err != nil {
			ctx.Respond(&Result{Err: err})
			return
		}
	}
	key := storage.ScheduledSendKey(c.office, m.Schedule, m.Occurrence, c.phone, m.Company)
	if sent, err := db.Has(key); err != nil || sent {
		ctx.Respond(&Result{Err: err})
		return
	}
	if m.Company != "" && !c.linked(m.Company) {
		ctx.Respond(&Result{Err: ErrNotLinked})
		return
	}
	t := c.begin()
	msg := c.reply(t, m.Author, m.Text)
	rec := balcao.ScheduledSend{Phone: c.phone, Seq: msg.Seq, At: msg.At}
	if m.Request != nil && len(c.conv.Companies) > 0 {
		r := *m.Request
		r.CompanyID = c.company(m.Company).ID
		c.createJob(t, &r)
		rec.Job = t.jobs[len(t.jobs)-1].ID
	} else if m.Request != nil {
		c.logger().Info("scheduled document request skipped: contact has no enabled company", "intent", m.Request.Intent)
	}
	t.b.Put(key, &rec)
	c.commitAndRespond(ctx, t, Result{Message: &msg})
}

// String names the command in logs without its text.
func (m *SendScheduled) String() string {
	return fmt.Sprintf("SendScheduled{%s %s %s}", m.Schedule, m.Occurrence.Format(time.RFC3339), balcao.MaskPhone(m.Phone))
}

// linked reports whether a company is one of the contact's enabled companies.
func (c *conversation) linked(company string) bool {
	for _, co := range c.conv.Companies {
		if co.ID == company {
			return true
		}
	}
	return false
}
