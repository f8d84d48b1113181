package actors

import (
	"encoding/binary"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/storage"
)

// Delivery progress of outbound messages (sent by WhatsApp, delivered, read) arrives two or
// three times per message. Rather than a read and a write each time, the conversation keeps its
// outbound messages still in progress in memory, gathers the changes, and writes them together,
// each as a small delivery record (storage.Delivery) rather than the message again: with its
// next turn, or after flushDelay. Losing a pending change in a crash costs little: a
// "sent" whose outbox entry was not yet deleted is sent again at start with the same WhatsApp
// id, which WhatsApp ignores; a lost "delivered" is reported again by the next receipt.
//
// A message leaves memory once it is delivered (or failed) and that change is durable: most
// live conversations then keep none, and a later "read" costs two point reads (the message
// and its delivery record). Only a change known to be durable may be forgotten, or a reload
// could read the record without it.

const (
	flushDelay     = 20 * time.Millisecond
	recentOutbound = 32
)

// delivery is allocated with the first outbound message or report of one (deliveryState): most
// conversations that are running only received.
type delivery struct {
	out     []outbound  // oldest first; at most recentOutbound unless changes are pending
	outMem  *[]outbound // the pooled box out's memory goes back in (see outbounds)
	outbox  []uint64    // outbox entries (by their last seq) all handed over: they go with the next write
	writes  uint64      // delivery writes submitted
	durable uint64      // the last of them known durable
	armed   bool        // a flushTick is on its way
}

// outbound is a recent outbound message and whether its latest change is stored.
type outbound struct {
	msg   balcao.Message      // its StatusAt is in at
	at    storage.StatusTimes // when it reached each status
	dirty bool                // changed since the last write
	write uint64              // the delivery write that stored its latest change (0: none)
}

type flushTick struct{}

// flushTickMsg is every flushTick sent: the tick carries nothing.
var flushTickMsg = &flushTick{}

// deliveryStored comes back from the writer once a delivery write is durable. d tells which
// delivery state it belongs to: a restarted actor, or one that dropped its state, ignores it.
type deliveryStored struct {
	d     *delivery
	write uint64
}

// remember keeps an outbound message just stored, dropping the oldest one that can go when
// recentOutbound are kept.
func (c *conversation) remember(m balcao.Message) {
	d := c.deliveryState()
	if len(d.out) >= recentOutbound {
		if i := slices.IndexFunc(d.out, d.forgettable); i >= 0 {
			d.out = slices.Delete(d.out, i, i+1)
		}
	}
	at := storage.StatusTimesOf(m.StatusAt)
	m.StatusAt = nil
	d.out = append(d.out, outbound{msg: m, at: at})
}

// deliveryState returns the conversation's delivery state, begun (with its message list from
// outbounds) if it has none. Every state is begun here: stored gives the list back to the pool
// when it lets the state go.
func (c *conversation) deliveryState() *delivery {
	if c.delivery == nil {
		mem := outbounds.Get().(*[]outbound)
		c.delivery = &delivery{out: *mem, outMem: mem}
	}
	return c.delivery
}

// forgettable reports whether a message may leave memory: nothing pending and its last change
// durable (a reload finds what memory has).
func (d *delivery) forgettable(o outbound) bool { return !o.dirty && o.write <= d.durable }

// find returns the message of seq kept in memory, or nil.
func (d *delivery) find(seq uint64) *outbound {
	if d == nil {
		return nil
	}
	for i := range d.out {
		if d.out[i].msg.Seq == seq {
			return &d.out[i]
		}
	}
	return nil
}

// receipt records WhatsApp's report on an outbound message, found by its WhatsApp id: in
// memory, else by the seq its id carries (outboundID), else, for a message stored before ids
// carried it, by its wa/ entry.
func (c *conversation) receipt(ctx actor.Context, r *gateway.Receipt) {
	if d := c.delivery; d != nil {
		for i := range d.out {
			if d.out[i].msg.WAID == r.ID {
				c.setStatus(ctx, d.out[i].msg.Seq, r.Status, "")
				return
			}
		}
	}
	if seq, ok := outboundSeq(r.ID); ok {
		c.setStatus(ctx, seq, r.Status, r.ID)
		return
	}
	raw, err := c.sys.cfg.DB.Value(storage.WhatsAppIDKey(c.office, c.phone, r.ID))
	if err != nil || len(raw) != 8 {
		c.logger().Debug("receipt for unknown message", "err", err)
		return
	}
	c.setStatus(ctx, binary.BigEndian.Uint64(raw), r.Status, "")
}

// sent records that WhatsApp accepted (or refused for good) a message; its turn's outbox entry
// goes with the last of them.
func (c *conversation) sent(ctx actor.Context, m *deliveryChanged) {
	d := c.deliveryState()
	if m.outboxEnd {
		d.outbox = append(d.outbox, m.seq)
	}
	c.setStatus(ctx, m.seq, m.status, "")
	c.armFlush(ctx)
}

var statusRank = map[string]int{
	balcao.StatusQueued: 0, balcao.StatusFailed: 1, balcao.StatusSent: 2, balcao.StatusDelivered: 3, balcao.StatusRead: 4,
}

// setStatus moves an outbound message's delivery status forward, never back. A message no
// longer in memory is read, and kept only if its status moves. With waID, the message must
// have that WhatsApp id (a receipt found it by the seq in the id).
func (c *conversation) setStatus(ctx actor.Context, seq uint64, status, waID string) {
	o := c.delivery.find(seq)
	if o != nil && waID != "" && o.msg.WAID != waID {
		c.logger().Debug("receipt for unknown message", "seq", seq)
		return
	}
	if o == nil {
		m, err := c.sys.cfg.DB.Message(c.office, c.phone, seq)
		switch {
		case err != nil:
		case m.Direction != balcao.Outbound:
			err = errors.New("an inbound message has no delivery status")
		case waID != "" && m.WAID != waID:
			err = errors.New("the message has another whatsapp id")
		}
		if err != nil {
			c.logger().Warn("status for unknown message", "seq", seq, "err", err)
			return
		}
		if statusRank[status] <= statusRank[m.Status] {
			return
		}
		c.remember(m)
		o = &c.delivery.out[len(c.delivery.out)-1]
	}
	m := &o.msg
	if statusRank[status] <= statusRank[m.Status] {
		return
	}
	m.Status = status
	o.at.Reach(status, c.sys.cfg.Now())
	o.dirty = true
	c.armFlush(ctx)
}

func (c *conversation) armFlush(ctx actor.Context) {
	if c.delivery.armed {
		return
	}
	c.delivery.armed = true
	c.sys.flushes.after(ctx.Self(), flushTickMsg)
}

// takeDelivery moves the pending delivery changes into a batch and returns their events, about
// the conversation as view shows it, and the number of this write (0 when no message changed:
// nothing to forget once it is durable).
func (c *conversation) takeDelivery(b *storage.Batch, view *balcao.ConversationView) ([]event, uint64) {
	d := c.delivery
	if d == nil {
		return nil, 0
	}
	var events []event
	var write uint64
	for i := range d.out {
		o := &d.out[i]
		if !o.dirty {
			continue
		}
		if write == 0 {
			d.writes++
			write = d.writes
		}
		o.dirty, o.write = false, write
		b.Put(c.seqKey(b, storage.AppendMessageStatusKey, o.msg.Seq), &storage.Delivery{Status: o.msg.Status, StatusAt: o.at})
		events = append(events, event{Type: balcao.EventMessageStatus, Data: balcao.MessageStatusChanged{Conversation: c.phone, Seq: o.msg.Seq, Status: o.msg.Status, View: view}})
	}
	for _, seq := range d.outbox {
		b.DeleteSingle(c.seqKey(b, storage.AppendOutboxKey, seq)) // set once, in the reply's turn
	}
	d.outbox = d.outbox[:0]
	return events, write
}

// stored forgets the messages whose delivery is over once a write is durable; the conversation
// lets go of the whole delivery state when nothing is left in it.
func (c *conversation) stored(m *deliveryStored) {
	d := c.delivery
	if d == nil || d != m.d {
		return
	}
	d.durable = max(d.durable, m.write)
	d.out = slices.DeleteFunc(d.out, func(o outbound) bool {
		return d.forgettable(o) && statusRank[o.msg.Status] >= statusRank[balcao.StatusDelivered]
	})
	if len(d.out) == 0 && len(d.outbox) == 0 && !d.armed {
		c.delivery = nil
		if cap(d.out) <= recentOutbound { // DeleteFunc cleared what it removed
			*d.outMem = d.out
			outbounds.Put(d.outMem)
		}
		d.out, d.outMem = nil, nil
	}
}

// outbounds pools the message lists of delivery states. A conversation lets go of its state
// once its replies are delivered (most of 100 000 live conversations keep none), so a busy one
// made a new list for nearly every reply: 5 % of the bytes a run at 15 000 msg/s allocated.
// Only the list's memory is pooled, never the state itself: deliveryStored finds its state by
// pointer.
var outbounds = sync.Pool{New: func() any { s := make([]outbound, 0, 2); return &s }}

// flushDelivery writes the pending delivery changes on their own. With notify, the actor hears
// when they are durable, or restarts from storage when the write failed, as after a failed
// turn (its state already took the changes as written and the outbox entries as deleted); an
// actor about to stop does not ask (it would be a dead letter).
func (c *conversation) flushDelivery(ctx actor.Context, notify bool) {
	if d := c.delivery; d == nil || (len(d.outbox) == 0 && slices.IndexFunc(d.out, func(o outbound) bool { return o.dirty }) < 0) {
		return
	}
	b := &storage.Batch{}
	events, write := c.takeDelivery(b, c.scopeNow())
	c.encode(events) // here, not on the writer's goroutine that publishes them
	pub, office, self, root, d := c.sys.cfg.Publisher, c.office, ctx.Self(), c.sys.as.Root, c.delivery
	_ = c.sys.cfg.DB.Writer.Submit(b, func(err error) {
		if err != nil {
			if notify {
				root.Send(self, &writeFailed{err: err})
			}
			return
		}
		pub.PublishAll(office, events)
		if write > 0 && notify {
			root.Send(self, &deliveryStored{d: d, write: write})
		}
	})
}
