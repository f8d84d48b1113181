package actors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/storage"
)

// conversation is the actor of one office × contact phone. It owns the conversation record, its
// messages and transitions. Each message it handles becomes one storage batch; what depends
// on durability (acknowledging WhatsApp, answering staff, sending replies, publishing events)
// happens in the batch's callback. Its in-memory state runs ahead of the disk by at most the
// batches in the writer; a restart (panic, failed write) or passivation rebuilds it from Pebble
// after a writer barrier.
type conversation struct {
	sys    *System
	office string
	phone  string
	gw     *actor.PID

	// A live conversation costs memory for as long as it runs (100 000 may run at once): keep
	// here only what a turn needs, and allocate the rest when used.
	exists bool                // the record is stored
	conv   balcao.Conversation // its Companies are the contact's enabled companies
	dialog assistant.State

	launches *sync.Map                // the office's (see launch)
	recent   inFlightIDs              // WhatsApp ids of the inbound messages in batches not yet durable
	batches  uint64                   // batches this instance submitted through commit
	durable  atomic.Uint64            // how many of them the writer called back for
	delivery *delivery                // outbound messages in progress and their pending changes; nil when none
	scope    *balcao.ConversationView // what its last events' visibility was (see scopeOf)
	handled  uint64                   // messages routed by the office that this actor handled (its failed instances' too)
	barrier  bool                     // wait for the writer before loading (a restart)
	gen      uint64                   // the office's contacts generation it knows (office.contactGen)
}

// launch is how the office starts a conversation actor. All of an office's conversation
// actors share its Props (one per actor made three more objects, ~330 bytes, for the collector
// to mark on every cycle while the actor lives), so each learns its phone from its name,
// {phone}${n}, and takes its launch from office.launches under that name when it starts.
type launch struct {
	barrier bool   // wait for the writer before loading: the phone's previous actor failed
	gen     uint64 // the office's contacts generation (office.contactGen)
	handled uint64 // messages the actor's failed instances handled (a restart: see restarting)
}

// launchName is the name of the actor, under which its launch is kept.
func launchName(ctx actor.Context) string {
	return strings.TrimPrefix(ctx.Self().Id, ctx.Parent().Id+"/")
}

// identify sets the phone and launch of a starting instance. A restarted one finds the launch
// its failed predecessor left (restarting): it waits for the writer (its predecessor's writes
// may be in flight) and, knowing no contacts generation, reads the contact again.
func (c *conversation) identify(ctx actor.Context) {
	name := launchName(ctx)
	c.phone = name[:strings.LastIndexByte(name, '$')]
	c.barrier, c.gen = true, 0
	if v, ok := c.launches.LoadAndDelete(name); ok {
		l := v.(launch)
		c.barrier, c.gen, c.handled = l.barrier, l.gen, l.handled
	}
}

// restarting leaves the launch of the instance protoactor makes in place of this failed one,
// under the same pid. The office keeps counting what it routes to the pid (child.forwarded)
// and agrees to passivate it only when that equals what the actor says it handled: the next
// instance goes on from this one's count, or the office would refuse it for good.
func (c *conversation) restarting(ctx actor.Context) {
	c.launches.Store(launchName(ctx), launch{barrier: true, handled: c.handled})
}

// idleTick is the office telling an idle conversation to passivate (see office.sweep).
type idleTick struct{}

type writeFailed struct{ err error }

func (c *conversation) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.identify(ctx)
		c.start(ctx)
	case *actor.Stopping:
		c.flushDelivery(ctx, false)
	case *actor.Restarting:
		c.restarting(ctx)
	case *idleTick:
		c.idle(ctx)
	case *writeFailed:
		panic(fmt.Sprintf("conversation write failed, reloading from storage: %v", m.err))
	case *flushTick:
		if c.delivery != nil { // nil after a restart: the tick was the earlier instance's
			c.delivery.armed = false
			c.flushDelivery(ctx, true)
		}
	case *deliveryStored:
		c.stored(m)
	default:
		c.handled++ // every other message was routed by the office
		c.handle(ctx, m)
	}
}

// handle runs a message the office routed to this conversation.
func (c *conversation) handle(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *gateway.Inbound:
		c.inbound(ctx, m)
	case *gateway.Receipt:
		c.receipt(ctx, m)
	case *deliveryChanged:
		c.sent(ctx, m)
	case *StartService:
		c.startService(ctx, m)
	case *FinishService:
		c.finishService(ctx, m)
	case *SendStaffMessage:
		c.staffMessage(ctx, m)
	case *contactChanged:
		c.contactChanged(ctx, m)
	case *deliverDocuments:
		c.deliverDocuments(ctx, m)
	case *jobPendingNotice:
		c.jobPendingNotice(ctx, m)
	case *jobReply:
		c.jobReply(ctx, m)
	case *jobChanged:
		c.jobChanged(m)
	case *SendScheduled:
		c.sendScheduled(ctx, m)
	}
}

// start loads the conversation once every write of an earlier incarnation is applied.
func (c *conversation) start(ctx actor.Context) {
	db := c.sys.cfg.DB
	if c.barrier {
		// A restart: writes of the failed instance may still be in the writer.
		if err := barrier(db); err != nil {
			panic(err)
		}
	}
	conv, err := db.Conversation(c.office, c.phone)
	switch {
	case err == nil:
		c.conv, c.exists = conv, true
		if len(conv.Dialog) > 0 {
			if err := storage.Decode(conv.Dialog, &c.dialog); err != nil {
				c.logger().Warn("dialog state unreadable, starting over", "err", err)
			}
		}
		if !c.conv.InboundKnown {
			c.learnInboundAt()
		}
	case errors.Is(err, balcao.ErrNotFound):
		now := c.sys.cfg.Now()
		c.conv = balcao.Conversation{ID: c.phone, State: balcao.StateAssistant, StateSince: now, CreatedAt: now, LastAt: now, InboundKnown: true}
	default:
		panic(fmt.Sprintf("load conversation: %v", err))
	}
	if !c.exists || c.gen == 0 || c.conv.ContactGen != c.gen {
		c.loadContact() // else no contact or company changed since the record's copies were read
	}
	c.endQuietService(ctx)
}

// endQuietService ends, as idle would have, a service the assistant alone served that its
// client left quiet for IdleAfter while no actor ran: the engine stopped (or the actor failed)
// before the office found it idle. Left open, the client's next visit, days later maybe,
// joined it: one service spanning days, counted on the first one, and the visit missing from
// history and dashboards until then. Its batch goes before any message the actor handles.
func (c *conversation) endQuietService(ctx actor.Context) {
	if !c.exists || c.conv.Service == nil || c.conv.State != balcao.StateAssistant ||
		c.sys.cfg.Now().Sub(c.conv.LastAt) < c.sys.cfg.IdleAfter {
		return
	}
	t := c.begin()
	c.closeService(t, balcao.OutcomeAssistant, c.conv.LastAt)
	c.commit(ctx, t, nil)
}

// loadContact reads the contact and its enabled companies and refreshes the copies of them
// kept in the conversation record (the contact's name is all the actor keeps of the contact),
// as of the contacts generation the actor knows.
func (c *conversation) loadContact() {
	db := c.sys.cfg.DB
	c.conv.Companies = c.conv.Companies[:0:0]
	contact, err := db.Contact(c.office, c.phone)
	c.conv.ContactName = "" // a removed contact leaves the bare phone
	if err == nil {
		c.conv.ContactName = contact.Name
		for _, id := range contact.Companies {
			if co, err := db.Company(c.office, id); err == nil && co.Enabled {
				c.conv.Companies = append(c.conv.Companies, balcao.CompanyRef{ID: co.ID, Name: co.Name, CNPJ: co.CNPJ, Assistant: co.UseAssistant})
			}
		}
	} else if !errors.Is(err, balcao.ErrNotFound) {
		panic(fmt.Sprintf("load contact: %v", err))
	}
	c.conv.Linked = len(c.conv.Companies) > 0
	c.conv.ContactGen = c.gen
}

// idle runs when the office found the conversation idle for IdleAfter: it writes what is
// pending and asks the office to stop it. If a message is on its way the office refuses, and
// asks again once the conversation is idle again.
func (c *conversation) idle(ctx actor.Context) {
	c.flushDelivery(ctx, false)
	if c.conv.Service != nil && c.conv.State == balcao.StateAssistant {
		// The assistant alone served it and the client went quiet: the service ends.
		t := c.begin()
		c.closeService(t, balcao.OutcomeAssistant, c.conv.LastAt)
		c.commit(ctx, t, nil)
	}
	// Passivate once every write of this instance is durable, so that the next one can load
	// without waiting for the writer.
	root, parent, msg := c.sys.as.Root, ctx.Parent(), &passivate{pid: ctx.Self(), phone: c.phone, handled: c.handled}
	if err := c.sys.cfg.DB.Writer.Submit(nil, func(err error) {
		if err == nil {
			root.Send(parent, msg)
		}
	}); err != nil {
		c.logger().Debug("passivate", "err", err)
	}
}

func (c *conversation) inbound(ctx actor.Context, in *gateway.Inbound) {
	c.recent.forget(c.durable.Load())
	if c.recent.has(in.ID) {
		c.ackAfterBarrier(in)
		return
	}
	if !c.surelyNew(in) {
		if seen, err := c.sys.cfg.DB.Has(storage.WhatsAppIDKey(c.office, c.phone, in.ID)); err != nil {
			in.Ack(fmt.Errorf("check message id: %w", err))
			return
		} else if seen {
			c.ackAfterBarrier(in)
			return
		}
	}
	// A panic before the commit would drop the message: tell the sender it was not stored.
	committed := false
	defer func() {
		if r := recover(); r != nil {
			if !committed {
				in.Ack(fmt.Errorf("conversation failed: %v", r))
			}
			panic(r)
		}
	}()
	if in.Media != nil && in.Document == nil && c.sys.cfg.Files != nil {
		sha, err := c.sys.cfg.Files.Put(in.Media.Data)
		if err != nil {
			in.Ack(fmt.Errorf("store media: %w", err))
			return
		}
		in.Document = &balcao.Document{Name: in.Media.Name, MIME: in.Media.MIME, Size: int64(len(in.Media.Data)), SHA: sha}
	}
	quoted := c.quotedSeq(in.QuotedID)
	t := c.begin()
	rating := c.surveyAnswer(in.Text)
	if rating == 0 {
		c.openService(in.At) // a score for the last service opens no new one
	}
	msg := c.addQuoting(t, balcao.Inbound, balcao.AuthorClient, in.Text, in.Document, in.ID, in.At, quoted)
	t.b.Set(t.b.Key(func(k []byte) []byte { return storage.AppendWhatsAppIDKey(k, c.office, c.phone, in.ID) }), seqBytes(msg.Seq))
	c.recent.add(in.ID, c.batches+1) // the batch commit submits below
	if in.At.After(c.conv.InboundAt) {
		c.conv.InboundAt = in.At
	}
	c.conv.Unread++

	stored, before := t.b.Len(), c.conv
	var failure any
	if rating > 0 {
		c.recordRating(t, rating)
	} else {
		failure = c.decide(t, in.Text, in.At)
	}
	if failure != nil {
		// The message is stored and goes to the staff; the actor restarts from storage.
		c.conv = before
		t.b.Truncate(stored)
		t.events, t.outs, t.jobs = t.events[:1], nil, nil
		c.reply(t, balcao.AuthorSystem, c.officeText(balcao.MessageProcessingFailed, ""))
		c.transition(t, balcao.StatePending, "", balcao.ReasonProcessFailed)
		c.logger().Error("process inbound message", "seq", msg.Seq, "panic", failure)
	}
	c.commit(ctx, t, func(err error) { in.Ack(err) })
	committed = true
	if failure != nil {
		panic(failure)
	}
}

// quotedSeq is the seq of the message of this conversation with WhatsApp id id, which a
// client's reply quotes: one of the client's (its id is in the redelivery index) or one sent
// to the client (the id carries the seq; the message is read to be sure). 0 when id is empty
// or names no message Balcão has, or the look-up fails: a quote is not worth losing the reply.
func (c *conversation) quotedSeq(id string) uint64 {
	if id == "" {
		return 0
	}
	db := c.sys.cfg.DB
	if v, err := db.Value(storage.WhatsAppIDKey(c.office, c.phone, id)); err == nil && len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	if seq, ok := outboundSeq(id); ok && seq <= c.conv.LastSeq {
		if m, err := db.Message(c.office, c.phone, seq); err == nil && m.WAID == id {
			return seq
		}
	}
	return 0
}

// decide runs the state machine on one client text; a panic is returned, not propagated.
func (c *conversation) decide(t *turn, text string, at time.Time) (failure any) {
	defer func() { failure = recover() }()
	if c.conv.State != balcao.StateAssistant {
		return nil // a person serves it, or will: the message waits for them
	}
	if !c.conv.Linked {
		c.reply(t, balcao.AuthorSystem, c.officeText(balcao.MessageNotLinked, ""))
		c.transition(t, balcao.StatePending, "", balcao.ReasonNotLinked)
		return nil
	}
	if !c.usesAssistant() {
		c.reply(t, balcao.AuthorSystem, c.officeText(balcao.MessageAssistantOff, ""))
		c.transition(t, balcao.StatePending, "", balcao.ReasonAssistantGave)
		return nil
	}
	if wantsPortal(text) && c.sys.cfg.PortalLogin != nil {
		c.reply(t, balcao.AuthorAssistant, c.officeText(balcao.MessagePortalLink, "")+"\n"+c.sys.cfg.PortalLogin(c.office, c.phone))
		return nil
	}
	in := c.assistantInput(text)
	turn := c.sys.cfg.Respond(c.dialog, in)
	c.dialog = turn.State
	if turn.Handover && !in.Settings.Open {
		c.conv.ClosedNoticeDay = in.Now.In(assistant.Location()).Format(time.DateOnly)
	}
	for _, r := range turn.Replies {
		c.reply(t, balcao.AuthorAssistant, r)
	}
	if svc := c.conv.Service; svc != nil && len(turn.Replies) > 0 && len(svc.ReplyMicros) < 64 {
		svc.ReplyMicros = append(svc.ReplyMicros, max(c.sys.cfg.Now().Sub(at).Microseconds(), 1))
	}
	switch {
	case turn.Handover:
		c.conv.Department = turn.Department
		c.transition(t, balcao.StatePending, "", balcao.ReasonAssistantGave)
	case turn.Request != nil:
		c.createJob(t, turn.Request)
	}
	c.conv.Dialog = storage.Encode(&c.dialog)
	return nil
}

// company is the contact's enabled company of that id, or else its first (none: the zero
// CompanyRef).
func (c *conversation) company(id string) balcao.CompanyRef {
	for _, co := range c.conv.Companies {
		if co.ID == id {
			return co
		}
	}
	if len(c.conv.Companies) == 0 {
		return balcao.CompanyRef{}
	}
	return c.conv.Companies[0]
}

func (c *conversation) usesAssistant() bool {
	for _, co := range c.conv.Companies {
		if co.Assistant {
			return true
		}
	}
	return false
}

func (c *conversation) assistantInput(text string) assistant.Input {
	in := assistant.Input{Text: text, Now: c.sys.cfg.Now(), Settings: assistant.Settings{Open: true}}
	if settings, err := c.sys.cfg.DB.Settings(c.office); err == nil {
		c.applySettings(&in, settings)
		c.applyTexts(&in, settings)
	}
	in.ContactName = c.conv.ContactName
	for _, co := range c.conv.Companies {
		if co.Assistant {
			in.Companies = append(in.Companies, assistant.Company{ID: co.ID, Name: co.Name, CNPJ: co.CNPJ})
		}
	}
	// The open requests matter only to a question about them: the assistant reads them then.
	in.OpenRequests = func() []string {
		jobs, err := c.sys.cfg.DB.ContactJobs(c.office, c.phone)
		if err != nil {
			c.logger().Warn("open requests unreadable", "err", err)
			return nil
		}
		open := make([]string, len(jobs))
		for i, j := range jobs {
			open[i] = describeJob(j)
		}
		return open
	}
	return in
}

// applySettings tells the assistant which document kinds the office keeps for its staff, and
// whether a person can answer now. Outside office hours the client hears when the office
// opens once per day: after that the conversation is treated as if open, so that the hand-over
// message does not repeat the hours.
func (c *conversation) applySettings(in *assistant.Input, settings balcao.Settings) {
	for intent, rule := range settings.Rules {
		if rule == balcao.RuleStaff {
			if in.Settings.Disabled == nil {
				in.Settings.Disabled = map[assistant.Intent]bool{}
			}
			in.Settings.Disabled[assistant.Intent(intent)] = true
		}
	}
	loc := assistant.Location()
	if !settings.OpenAt(in.Now, loc) && c.conv.ClosedNoticeDay != in.Now.In(loc).Format(time.DateOnly) {
		in.Settings.Open, in.Settings.NextOpen = false, settings.NextOpen(in.Now, loc)
	}
}

// surelyNew reports whether an inbound message cannot have been stored before, without a look
// in storage: WhatsApp stamped it later than every inbound message the conversation stored (a
// redelivery carries the timestamp of its first delivery). Messages otherwise are looked up by
// their WhatsApp id; so are all of them in a conversation whose latest timestamp is unknown.
func (c *conversation) surelyNew(in *gateway.Inbound) bool {
	return in.Stamped && c.conv.InboundKnown && in.At.After(c.conv.InboundAt)
}

// learnInboundAt finds the latest timestamp among the stored inbound messages of a conversation
// whose record predates Conversation.InboundAt (once: the record keeps it from its next write).
func (c *conversation) learnInboundAt() {
	var before uint64
	for {
		msgs, more, err := c.sys.cfg.DB.Messages(c.office, c.phone, before, 512)
		if err != nil {
			c.logger().Warn("read messages for their latest timestamp", "err", err)
			return // still unknown: every message is looked up
		}
		for _, m := range msgs {
			if m.Direction == balcao.Inbound && m.At.After(c.conv.InboundAt) {
				c.conv.InboundAt = m.At
			}
		}
		if !more || len(msgs) == 0 {
			break
		}
		before = msgs[0].Seq
	}
	c.conv.InboundKnown = true
}

// ackAfterBarrier acknowledges a redelivered message once its first copy is durable.
func (c *conversation) ackAfterBarrier(in *gateway.Inbound) {
	if err := c.sys.cfg.DB.Writer.Submit(nil, in.Ack); err != nil {
		in.Ack(err)
	}
}

func (c *conversation) startService(ctx actor.Context, m *StartService) {
	switch {
	case c.conv.State == balcao.StateAttending && c.conv.Attendant == m.Staff:
		c.respondView(ctx, "")
		return
	case c.conv.State == balcao.StateAttending:
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrConflict, "already_attending",
			"Esta conversa já está em atendimento com "+c.conv.Attendant+".")})
		return
	}
	t := c.begin()
	c.conv.Unread = 0
	c.openService(c.sys.cfg.Now())
	c.transition(t, balcao.StateAttending, m.Staff, balcao.ReasonStarted)
	c.commitAndRespond(ctx, t, Result{})
}

func (c *conversation) finishService(ctx actor.Context, m *FinishService) {
	switch {
	case c.conv.State != balcao.StateAttending:
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrConflict, "not_attending", "Esta conversa não está em atendimento.")})
		return
	case c.conv.Attendant != m.Staff && !m.Override:
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrForbidden, "not_your_service",
			"Esta conversa está em atendimento com "+c.conv.Attendant+".")})
		return
	}
	t := c.begin()
	c.reply(t, balcao.AuthorSystem, c.officeText(balcao.MessageFinished, c.conv.Attendant))
	c.conv.Department = ""
	c.dialog = assistant.State{}
	c.conv.Dialog = nil
	c.transition(t, balcao.StateAssistant, m.Staff, balcao.ReasonFinished)
	outcome := balcao.OutcomeIgnored
	if c.conv.Service != nil && c.conv.Service.StaffMessages > 0 {
		outcome = balcao.OutcomeStaff
	}
	svc := c.conv.Service
	c.closeService(t, outcome, c.sys.cfg.Now())
	if settings, err := c.sys.cfg.DB.Settings(c.office); err == nil && settings.Survey && svc != nil && outcome == balcao.OutcomeStaff {
		c.reply(t, balcao.AuthorSystem, c.officeText(balcao.MessageSurvey, svc.Staff))
		c.conv.Survey, c.conv.SurveyStart, c.conv.SurveyUntil = svc.ID, svc.Start, c.sys.cfg.Now().Add(24*time.Hour)
	}
	c.commitAndRespond(ctx, t, Result{})
}

func (c *conversation) staffMessage(ctx actor.Context, m *SendStaffMessage) {
	if c.conv.State != balcao.StateAttending || c.conv.Attendant != m.Staff {
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrConflict, "not_attending",
			"Inicie o atendimento desta conversa para responder.")})
		return
	}
	text := m.Text
	if settings, err := c.sys.cfg.DB.Settings(c.office); err == nil && settings.IdentifyStaff && m.Name != "" && text != "" {
		text = "*" + m.Name + ":* " + text
	}
	m.Text = text
	t := c.begin()
	var msg balcao.Message
	if m.Document != nil {
		msg = c.addMessage(t, balcao.Outbound, m.Staff, m.Text, m.Document, "", c.sys.cfg.Now())
	} else {
		msg = c.reply(t, m.Staff, m.Text)
	}
	c.conv.Unread = 0
	if svc := c.conv.Service; svc != nil {
		svc.StaffMessages++
		if svc.FirstResponse.IsZero() {
			svc.FirstResponse = msg.At
		}
	}
	c.commitAndRespond(ctx, t, Result{Message: &msg})
}

func (c *conversation) contactChanged(ctx actor.Context, m *contactChanged) {
	t := c.begin()
	c.gen = max(c.gen, m.gen) // read after the change: the copies are of its generation
	c.loadContact()
	t.reason = "contact_changed"
	sender, root, contact := ctx.Sender(), c.sys.as.Root, m.contact
	view := c.conv.View()
	if !c.exists {
		// A phone that never wrote has no conversation to store yet.
		if sender != nil {
			ctx.Respond(&Result{Conversation: &view, Contact: &contact})
		}
		return
	}
	c.commit(ctx, t, func(err error) {
		if sender != nil {
			root.Send(sender, &Result{Err: err, Conversation: &view, Contact: &contact})
		}
	})
}

func (c *conversation) respondView(ctx actor.Context, _ string) {
	v := c.conv.View()
	ctx.Respond(&Result{Conversation: &v})
}

func seqBytes(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// logger is the conversation's logger, made when something is logged (most actors never log:
// a child logger per actor would cost memory for nothing).
func (c *conversation) logger() *slog.Logger {
	return c.sys.cfg.Log.With("office", c.office, "phone", balcao.MaskPhone(c.phone))
}
