package actors

import (
	"encoding/binary"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/storage"
)

// Delivery progress of outbound messages (sent by WhatsApp, delivered, read) arrives two or
// three times per message. Rather than a read and a write each time, the conversation keeps its
// recent outbound messages in memory, gathers the changes, and writes them together: with its
// next turn, or after flushDelay. Losing a pending change in a crash costs little: a "sent"
// whose outbox entry was not yet deleted is sent again at start with the same WhatsApp id,
// which WhatsApp ignores; a lost "delivered" is reported again by the next receipt.

const (
	flushDelay     = 20 * time.Millisecond
	recentOutbound = 32
)

type delivery struct {
	recent map[uint64]*balcao.Message // by seq, the last recentOutbound outbound messages
	byWA   map[string]uint64          // their WhatsApp ids
	order  []uint64                   // seqs in recent, oldest first
	dirty  map[uint64]bool            // changed since the last write
	outbox map[uint64]bool            // accepted by WhatsApp: the outbox entry goes
	armed  bool                       // a flushTick is on its way
}

type flushTick struct{}

func newDelivery() delivery {
	return delivery{recent: map[uint64]*balcao.Message{}, byWA: map[string]uint64{}, dirty: map[uint64]bool{}, outbox: map[uint64]bool{}}
}

// remember keeps an outbound message just stored.
func (d *delivery) remember(m balcao.Message) {
	if len(d.order) >= recentOutbound {
		old := d.order[0]
		if !d.dirty[old] && !d.outbox[old] {
			d.order = d.order[1:]
			if om := d.recent[old]; om != nil {
				delete(d.byWA, om.WAID)
			}
			delete(d.recent, old)
		}
	}
	c := m
	d.recent[m.Seq] = &c
	d.byWA[m.WAID] = m.Seq
	d.order = append(d.order, m.Seq)
}

// message returns an outbound message, from memory or storage.
func (c *conversation) outboundMessage(seq uint64) *balcao.Message {
	if m, ok := c.delivery.recent[seq]; ok {
		return m
	}
	m, err := c.sys.cfg.DB.Message(c.office, c.phone, seq)
	if err != nil {
		c.logger().Warn("status for unknown message", "seq", seq, "err", err)
		return nil
	}
	c.delivery.recent[seq] = &m
	c.delivery.byWA[m.WAID] = seq
	c.delivery.order = append(c.delivery.order, seq)
	return &m
}

// receipt records WhatsApp's report on an outbound message, found by its WhatsApp id.
func (c *conversation) receipt(ctx actor.Context, r *gateway.Receipt) {
	seq, ok := c.delivery.byWA[r.ID]
	if !ok {
		raw, err := c.sys.cfg.DB.Value(storage.WhatsAppIDKey(c.office, c.phone, r.ID))
		if err != nil || len(raw) != 8 {
			c.logger().Debug("receipt for unknown message", "err", err)
			return
		}
		seq = binary.BigEndian.Uint64(raw)
	}
	c.setStatus(ctx, seq, r.Status)
}

// sent records that WhatsApp accepted (or refused for good) a message: its outbox entry goes.
func (c *conversation) sent(ctx actor.Context, m *deliveryChanged) {
	c.delivery.outbox[m.seq] = true
	c.setStatus(ctx, m.seq, m.status)
	c.armFlush(ctx)
}

var statusRank = map[string]int{
	balcao.StatusQueued: 0, balcao.StatusFailed: 1, balcao.StatusSent: 2, balcao.StatusDelivered: 3, balcao.StatusRead: 4,
}

// setStatus moves an outbound message's delivery status forward, never back.
func (c *conversation) setStatus(ctx actor.Context, seq uint64, status string) {
	m := c.outboundMessage(seq)
	if m == nil || statusRank[status] <= statusRank[m.Status] {
		return
	}
	m.Status = status
	if m.StatusAt == nil {
		m.StatusAt = map[string]time.Time{}
	}
	m.StatusAt[status] = c.sys.cfg.Now()
	c.delivery.dirty[seq] = true
	c.armFlush(ctx)
}

func (c *conversation) armFlush(ctx actor.Context) {
	if c.delivery.armed {
		return
	}
	c.delivery.armed = true
	self, root := ctx.Self(), c.sys.as.Root
	time.AfterFunc(flushDelay, func() { root.Send(self, &flushTick{}) })
}

// takeDelivery moves the pending delivery changes into a batch and returns their events, about
// the conversation as view shows it.
func (c *conversation) takeDelivery(b *storage.Batch, view *balcao.ConversationView) []event {
	var events []event
	for seq := range c.delivery.dirty {
		m := c.delivery.recent[seq]
		b.Put(storage.MessageKey(c.office, c.phone, seq), m)
		events = append(events, event{balcao.EventMessageStatus, balcao.MessageStatusChanged{Conversation: c.phone, Seq: seq, Status: m.Status, View: view}})
	}
	for seq := range c.delivery.outbox {
		b.Delete(storage.OutboxKey(c.office, c.phone, seq))
	}
	clear(c.delivery.dirty)
	clear(c.delivery.outbox)
	return events
}

// flushDelivery writes the pending delivery changes on their own.
func (c *conversation) flushDelivery(ctx actor.Context) {
	if len(c.delivery.dirty) == 0 && len(c.delivery.outbox) == 0 {
		return
	}
	b := &storage.Batch{}
	view := c.conv.View()
	events := c.takeDelivery(b, &view)
	pub, office := c.sys.cfg.Publisher, c.office
	_ = c.sys.cfg.DB.Writer.Submit(b, func(err error) {
		if err != nil {
			return
		}
		for _, e := range events {
			pub.Publish(office, e.typ, e.data)
		}
	})
}
