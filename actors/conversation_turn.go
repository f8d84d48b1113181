package actors

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// turn collects what one handled message changes: the batch to write, the events to publish
// and the messages to send once the batch is durable.
type turn struct {
	b          *storage.Batch
	before     [][]byte  // the conversation's index keys as stored
	beforeKeys [3][]byte // before's room
	events     []event
	outs       []*balcao.Message // the messages added (addMessage), not copies
	reason     string            // why the conversation changed, for its event
	jobs       []balcao.Job      // jobs created, started once durable
	// view is the conversation as the turn leaves it, filled at commit: the events of the turn
	// point to it until encode swaps it for the conversation's scope (scopeOf), by which the hub
	// shows them only to the staff who may see the conversation.
	view balcao.ConversationView
	prev *balcao.ConversationView // its scope before the turn (nil when new)
}

// event is one event of a turn, published with the others once the turn is durable.
type event = balcao.Outgoing

// encodedEvent is an event's payload encoded to JSON when its turn commits, on the actor's
// goroutine: the storage writer's goroutine, which publishes the events of every conversation
// once durable, then spends no time on JSON (ui.Hub takes a json.Marshaler's bytes as they
// are). It keeps the event's scope for the hub's visibility filter.
type encodedEvent struct {
	raw       []byte
	cur, prev *balcao.ConversationView
}

// MarshalJSON implements json.Marshaler.
func (e *encodedEvent) MarshalJSON() ([]byte, error) { return e.raw, nil }

// Scope implements balcao.Scoped.
func (e *encodedEvent) Scope() (cur, prev *balcao.ConversationView) { return e.cur, e.prev }

// framedEvent is a turn's event encoded (as encodedEvent), whose payload sits in a buffer
// shared with the turn's other events, with room for the hub's stamps (balcao.Framed): the hub
// lays the frames out in it instead of copying them (one allocation and copy of the turn's
// events less). 48 bytes: a turn's events are one array of them.
type framedEvent struct {
	buf        []byte
	start, end int32 // the payload is buf[start:end]
	cur, prev  *balcao.ConversationView
}

// MarshalJSON implements json.Marshaler: the payload, capped (an append never writes over the
// next one).
func (e *framedEvent) MarshalJSON() ([]byte, error) { return e.buf[e.start:e.end:e.end], nil }

// Scope implements balcao.Scoped.
func (e *framedEvent) Scope() (cur, prev *balcao.ConversationView) { return e.cur, e.prev }

// Framing implements balcao.Framed.
func (e *framedEvent) Framing() ([]byte, int, int) { return e.buf, int(e.start), int(e.end) }

// encode replaces the data of each event about the conversation (balcao.Scoped: all a turn
// makes) by its encoding; any other kind is left for the hub to encode, so that the hub's
// visibility rules see it as it is. The payloads are written by balcao.AppendEventJSON (the
// bytes json.Marshal writes, json.Marshal itself for another type) one after the other, each
// after the room its stamp takes (balcao.Framed), into a buffer on the stack, which a turn's
// events fit, then copied into one allocation they share. Each keeps the conversation's scope
// for the view the event is about (scopeOf), not that view; the view before the change
// (ConversationChanged.Prev) is kept as it is: a turn's is a scope already.
func (c *conversation) encode(events []event) {
	n := 0
	for i := range events {
		if _, ok := events[i].Data.(balcao.Scoped); ok {
			n++
		}
	}
	if n == 0 {
		return
	}
	encs := make([]framedEvent, n)
	var lastView, lastScope *balcao.ConversationView
	var scratch [4096]byte
	buf, j := scratch[:0], 0
	for i := range events {
		sc, ok := events[i].Data.(balcao.Scoped)
		if !ok {
			continue
		}
		enc := &encs[j]
		j++
		cur, prev := sc.Scope()
		if cur != lastView { // a turn's events are about the same view
			lastView, lastScope = cur, c.scopeOf(cur)
		}
		enc.cur, enc.prev = lastScope, prev
		buf = slices.Grow(buf, balcao.StampRoom+len(events[i].Type))
		buf = buf[:len(buf)+balcao.StampRoom+len(events[i].Type)]
		enc.start = int32(len(buf))
		if buf, ok = balcao.AppendEventJSON(buf, events[i].Data); !ok {
			raw, err := json.Marshal(events[i].Data)
			if err != nil {
				raw = []byte("null") // as the hub does; our event types always encode
			}
			buf = append(buf, raw...)
		}
		enc.end = int32(len(buf))
		events[i].Data = enc
	}
	all := make([]byte, len(buf)+2) // the room after the last payload
	copy(all, buf)
	for j := range encs {
		encs[j].buf = all
	}
}

// turns are turn structs (~450 bytes) with their batch and lists, reused: two or three turns
// per inbound message made a tenth of the engine's allocations.
var turns = sync.Pool{New: func() any {
	return &turn{b: &storage.Batch{}, events: make([]event, 0, 4)} // a message turn's usual events
}}

// recycle empties t and puts it back in turns. Called at the end of its batch's callback (a
// turn whose batch was refused is left to the collector): nothing refers to it then. Its events
// were published (the hub keeps their encodings, not the list), its outbound messages handed
// over by value, its keys were in the batch's memory, which the writer took back.
func (t *turn) recycle() {
	clear(t.events)
	clear(t.outs)
	events, outs, b := t.events[:0], t.outs[:0], t.b
	if cap(events) > maxPooledEvents {
		events = make([]event, 0, 4)
	}
	if cap(outs) > maxPooledEvents {
		outs = nil
	}
	*t = turn{b: b, events: events, outs: outs}
	turns.Put(t)
}

// maxPooledEvents bounds the lists a recycled turn keeps (an import's turn may hold hundreds).
const maxPooledEvents = 16

func (c *conversation) begin() *turn {
	t := turns.Get().(*turn)
	t.before = c.indexKeys(t.b, t.beforeKeys[:0])
	if c.exists {
		t.prev = c.scopeNow()
	}
	return t
}

// addMessage appends a message to the conversation: an inbound one with WhatsApp's id, an
// outbound one (waID "") with its outboundID.
func (c *conversation) addMessage(t *turn, dir balcao.Direction, author, text string, doc *balcao.Document, waID string, at time.Time) balcao.Message {
	return c.addQuoting(t, dir, author, text, doc, waID, at, 0)
}

// addQuoting is addMessage for a message that replies to the message quoted (its seq, 0 for
// none).
func (c *conversation) addQuoting(t *turn, dir balcao.Direction, author, text string, doc *balcao.Document, waID string, at time.Time, quoted uint64) balcao.Message {
	c.conv.LastSeq++
	m := balcao.Message{Seq: c.conv.LastSeq, Direction: dir, Author: author, Text: text, Document: doc, WAID: waID, At: at, Quoted: quoted}
	if dir == balcao.Outbound {
		m.Status, m.WAID = balcao.StatusQueued, outboundID(m.Seq)
		t.outs = append(t.outs, &m) // in the outbox with the others at commit
		c.remember(m)
	}
	t.b.Put(c.seqKey(t.b, storage.AppendMessageKey, m.Seq), &m)
	c.conv.LastAt, c.conv.Preview = at, balcao.Preview(text)
	t.events = append(t.events, event{Type: balcao.EventMessageAdded, Data: balcao.MessageAdded{Conversation: c.phone, Message: &m, View: &t.view}})
	return m
}

// reply appends an outbound message from the assistant, the system or a staff member.
func (c *conversation) reply(t *turn, author, text string) balcao.Message {
	return c.addMessage(t, balcao.Outbound, author, text, nil, "", c.sys.cfg.Now())
}

// transition moves the conversation to another state and records it.
func (c *conversation) transition(t *turn, to balcao.State, staff, reason string) {
	now := c.sys.cfg.Now()
	tr := balcao.Transition{From: c.conv.State, To: to, Staff: staff, Reason: reason, At: now}
	c.conv.Transitions++
	t.b.Put(c.seqKey(t.b, storage.AppendTransitionKey, c.conv.Transitions), &tr)
	c.conv.State, c.conv.StateSince = to, now
	c.conv.Attendant = ""
	if to == balcao.StateAttending {
		c.conv.Attendant = staff
		if !slices.Contains(c.conv.Served, staff) {
			c.conv.Served = append(c.conv.Served, staff) // message restriction shows them to staff
		}
	}
	if svc := c.conv.Service; svc != nil {
		if to != balcao.StateAssistant && c.conv.Department != "" {
			svc.Department = c.conv.Department // history and dashboards by department
		}
		switch {
		case to == balcao.StatePending && svc.Queued.IsZero():
			svc.Queued = now
		case to == balcao.StateAttending:
			svc.Taken, svc.Staff = now, staff
		}
	}
	t.reason = reason
}

// openService starts a service at the client's first message (or when a staff member takes
// a conversation that had none).
func (c *conversation) openService(at time.Time) {
	if c.conv.Service != nil {
		return
	}
	c.conv.Services++
	svc := &balcao.Service{
		ID: c.phone + "-" + strconv.FormatUint(c.conv.Services, 10), Phone: c.phone,
		ContactName: c.conv.ContactName, Start: at,
	}
	if len(c.conv.Companies) > 0 {
		svc.Company, svc.CompanyName = c.conv.Companies[0].ID, c.conv.Companies[0].Name
	}
	c.conv.Service = svc
}

// closeService ends the service under way and stores it for history and dashboards.
func (c *conversation) closeService(t *turn, outcome balcao.Outcome, end time.Time) {
	svc := c.conv.Service
	if svc == nil {
		return
	}
	svc.End, svc.Outcome = end, outcome
	t.b.Put(storage.ServiceKey(c.office, svc.Start, svc.ID), svc)
	if now := c.sys.cfg.Now(); now.Sub(svc.Start) > balcao.DayFiguresFinalAfter-24*time.Hour ||
		end.Sub(svc.Start) > balcao.DayFiguresFinalAfter-24*time.Hour {
		// Its day's figures may be stored already: they are computed again. Counted from now
		// as well as from its end: one ended at a restart (endQuietService) may end days
		// before it is stored.
		t.b.Delete(storage.DayMetricsKey(c.office, svc.Start.In(assistant.Location()).Format(time.DateOnly)))
	}
	t.b.Set(storage.ServiceIDKey(c.office, svc.ID), seqBytes(uint64(svc.Start.UnixNano())))
	c.conv.Service = nil
}

// outboundID is the WhatsApp id of the outbound message of seq: "3EB0" (as WhatsApp Web's
// ids), 8 random hex digits and the seq in 12 (outboundIDLen in all). Receipts name messages
// by this id: carrying the seq, it finds the message without a key mapping it back, one
// Pebble insert per outbound message fewer than a random id with its wa/ entry (which older
// messages still have, see receipt).
func outboundID(seq uint64) string {
	var b [outboundIDLen]byte
	copy(b[:], "3EB0")
	r := rand.Uint32()
	for i := 11; i >= 4; i-- {
		b[i] = upperHex[r&0xf]
		r >>= 4
	}
	for i := outboundIDLen - 1; i >= 12; i-- {
		b[i] = upperHex[seq&0xf]
		seq >>= 4
	}
	return string(b[:])
}

const (
	outboundIDLen = 24
	upperHex      = "0123456789ABCDEF"
)

// outboundSeq returns the seq an outboundID carries; ok is false for any other id.
func outboundSeq(id string) (seq uint64, ok bool) {
	if len(id) != outboundIDLen || id[:4] != "3EB0" {
		return 0, false
	}
	for i := 4; i < outboundIDLen; i++ {
		d := strings.IndexByte(upperHex, id[i])
		if d < 0 {
			return 0, false
		}
		if i >= 12 {
			seq = seq<<4 | uint64(d)
		}
	}
	return seq, seq > 0
}

// indexKeys appends to keys the inbox index entries of the conversation as it is now, built in
// b's memory.
func (c *conversation) indexKeys(b *storage.Batch, keys [][]byte) [][]byte {
	if !c.exists {
		return keys
	}
	keys = append(keys, c.indexKey(b, balcao.TabContacts, c.conv.LastAt))
	switch c.conv.State {
	case balcao.StatePending:
		keys = append(keys, c.indexKey(b, balcao.TabPending, c.conv.StateSince))
	case balcao.StateAttending:
		keys = append(keys, c.indexKey(b, balcao.TabAttending, c.conv.StateSince))
	}
	return keys
}

// seqKey builds in b's memory (storage.Batch.Key) the conversation's key of kind build (a
// message, its delivery record, a transition, an outbox entry) for seq.
func (c *conversation) seqKey(b *storage.Batch, build func(dst []byte, office, phone string, seq uint64) []byte, seq uint64) []byte {
	return b.Key(func(k []byte) []byte { return build(k, c.office, c.phone, seq) })
}

func (c *conversation) indexKey(b *storage.Batch, tab balcao.Tab, at time.Time) []byte {
	return b.Key(func(k []byte) []byte { return storage.AppendIndexKey(k, c.office, tab, at, c.phone) })
}

// commit writes the conversation record and index moves with the turn's changes; once durable
// it calls done, publishes the events and hands the outbound messages to the gateway. A failed
// write restarts the actor, which reloads what is really stored.
func (c *conversation) commit(ctx actor.Context, t *turn, done func(error)) {
	c.exists = true
	var afterKeys [3][]byte
	after := c.indexKeys(t.b, afterKeys[:0])
	// An index key names the time the conversation entered it, so it is set once before it is
	// deleted: DeleteSingle.
	for _, k := range t.before {
		if !containsKey(after, k) {
			t.b.DeleteSingle(k)
		}
	}
	for _, k := range after {
		if !containsKey(t.before, k) {
			t.b.Set(k, nil)
		}
	}
	if n := len(t.outs); n > 0 {
		var earlier []uint64
		for _, m := range t.outs[:n-1] {
			earlier = append(earlier, m.Seq)
		}
		t.b.Set(c.seqKey(t.b, storage.AppendOutboxKey, t.outs[n-1].Seq), storage.OutboxValue(earlier))
	}
	t.b.Put(t.b.Key(func(k []byte) []byte { return storage.AppendConversationKey(k, c.office, c.phone) }), &c.conv)
	t.view = c.conv.View()
	statuses, write := c.takeDelivery(t.b, &t.view)
	t.events = append(t.events, statuses...)
	t.events = append(t.events, event{Type: balcao.EventConversationChanged, Data: balcao.ConversationChanged{Conversation: &t.view, Reason: t.reason, Prev: t.prev}})
	c.encode(t.events)

	self, parent, root, gw, pub, office, phone, d := ctx.Self(), ctx.Parent(), c.sys.as.Root, c.gw, c.sys.cfg.Publisher, c.office, c.phone, c.delivery
	c.batches++
	durable := &c.durable
	err := c.sys.cfg.DB.Writer.Submit(t.b, func(err error) {
		defer t.recycle()
		durable.Add(1) // the writer calls back in the order of submission
		if done != nil {
			done(err)
		}
		if err != nil {
			root.Send(self, &writeFailed{err: err})
			return
		}
		pub.PublishAll(office, t.events)
		for i := range t.outs {
			root.Send(gw, &sendOutbound{phone: phone, msg: *t.outs[i], end: i == len(t.outs)-1})
		}
		for i := range t.jobs {
			root.Send(parent, &jobCreated{job: t.jobs[i]})
		}
		if write > 0 {
			root.Send(self, &deliveryStored{d: d, write: write})
		}
	})
	if err != nil {
		durable.Add(1) // no callback will come
		if done != nil {
			done(err)
		}
	}
}

// commitAndRespond commits and answers the request being handled (a staff command, a job's
// deliverDocuments) with res, its outcome and the conversation as the turn left it.
func (c *conversation) commitAndRespond(ctx actor.Context, t *turn, res Result) {
	sender, root := ctx.Sender(), c.sys.as.Root
	view := c.conv.View()
	c.commit(ctx, t, func(err error) {
		if sender != nil {
			res.Err, res.Conversation = err, &view
			root.Send(sender, &res)
		}
	})
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if string(x) == string(k) {
			return true
		}
	}
	return false
}

// inFlightIDs are the WhatsApp ids of the inbound messages whose batches are not yet durable,
// which a redelivery could not find in Pebble; once a batch is durable its ids are forgotten
// (a redelivery is then looked up). A conversation that keeps writing holds the ids of its
// last turn or two, not of its last 32 messages (32 strings and a 512-byte array per busy
// conversation, for the collector to mark on every cycle).
type inFlightIDs struct {
	ids []inFlightID // in batch order
}

type inFlightID struct {
	id    string
	batch uint64 // the conversation instance's batch that stores it (see conversation.batches)
}

// maxInFlightIDs bounds them: a phone that sent more messages than that while the writer was
// slow loses only the memory of the oldest, which a redelivery then finds once applied.
const maxInFlightIDs = 32

// add remembers id, stored by the instance's batch number batch.
func (f *inFlightIDs) add(id string, batch uint64) {
	if len(f.ids) == maxInFlightIDs {
		f.ids = append(f.ids[:0], f.ids[1:]...)
	}
	f.ids = append(f.ids, inFlightID{id: id, batch: batch})
}

// forget drops the ids of the batches up to durable.
func (f *inFlightIDs) forget(durable uint64) {
	n := 0
	for n < len(f.ids) && f.ids[n].batch <= durable {
		n++
	}
	switch {
	case n == len(f.ids):
		f.ids = nil
	case n > 0:
		f.ids = append(f.ids[:0], f.ids[n:]...)
	}
}

func (f *inFlightIDs) has(id string) bool {
	return slices.ContainsFunc(f.ids, func(x inFlightID) bool { return x.id == id })
}
