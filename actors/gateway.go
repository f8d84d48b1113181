package actors

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// gatewayActor owns one office's WhatsApp session and its outbound queue. Outbound messages are
// durable in the outbox before they reach it; it sends them in order, deletes each outbox entry
// once WhatsApp accepted it, and retries with backoff while WhatsApp fails. At start it sends
// whatever the outbox still holds (a crash between storing and sending).
type gatewayActor struct {
	sys     *System
	office  string
	log     *slog.Logger
	session gateway.Session

	queue    []*sendOutbound // waiting for a retry, in order; at most maxRetryQueue
	overflow bool            // messages are left in the outbox only until the queue drains: then it is read again
	// replayed are the messages the last read of the outbox queued: a reply committed just
	// before that read is also on its way here as a sendOutbound, which must not send it again.
	replayed map[replayedMsg]struct{}
	backoff  time.Duration
	timer    *time.Timer
	guard    sendGuard // the sends' context and timeout
}

// sendOutbound hands a durable outbound message to the gateway actor.
type sendOutbound struct {
	phone string
	msg   balcao.Message
	end   bool // the last of its turn: its outbox entry goes once it is handed over
}

// replayedMsg names a message the outbox's read queued.
type replayedMsg struct {
	phone string
	seq   uint64
}

type retryTick struct{}

// getSession asks for the office's WhatsApp session (nil while it could not be opened).
type getSession struct{}

type sessionAnswer struct{ session gateway.Session }

const (
	maxRetryQueue = 10000
	minBackoff    = 500 * time.Millisecond
	maxBackoff    = 30 * time.Second
	sendTimeout   = 90 * time.Second
)

func newGatewayActor(sys *System, office string) *gatewayActor {
	return &gatewayActor{sys: sys, office: office, log: sys.cfg.Log.With("office", office, "actor", "gateway"),
		guard: sendGuard{timeout: sys.cfg.SendTimeout}}
}

func (g *gatewayActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		g.open(ctx)
		g.replayOutbox(ctx)
	case *actor.Stopping, *actor.Restarting:
		if g.timer != nil {
			g.timer.Stop()
		}
		g.guard.stop()
		if g.session != nil {
			g.sys.sessions.CompareAndDelete(g.office, g.session)
			if err := g.session.Close(); err != nil {
				g.log.Warn("close whatsapp session", "err", err)
			}
		}
	case *sendOutbound:
		if k := (replayedMsg{m.phone, m.msg.Seq}); g.replayed != nil {
			if _, dup := g.replayed[k]; dup {
				delete(g.replayed, k) // queued, or sent already, by the outbox's read
				return
			}
		}
		if len(g.queue) > 0 || g.overflow || g.session == nil {
			g.enqueue(ctx, m)
			return
		}
		if !g.send(ctx, m) {
			g.enqueue(ctx, m)
		}
	case *retryTick:
		g.timer = nil
		g.retry(ctx)
	case *getSession:
		ctx.Respond(&sessionAnswer{session: g.session})
	}
}

func (g *gatewayActor) open(ctx actor.Context) {
	s, err := g.sys.cfg.WhatsApp.Open(context.Background(), g.office, officeSink{root: g.sys.as.Root, pid: ctx.Parent()})
	if err != nil {
		g.log.Error("open whatsapp session", "err", err)
		g.arm(ctx)
		return
	}
	g.session = s
	g.sys.sessions.Store(g.office, s)
}

func (g *gatewayActor) replayOutbox(ctx actor.Context) {
	db := g.sys.cfg.DB
	g.replayed = map[replayedMsg]struct{}{} // those of an earlier read have arrived long since
	err := db.Outbox(g.office, func(phone string, seq uint64, end bool) bool {
		m, err := db.Message(g.office, phone, seq)
		if err != nil {
			g.log.Warn("outbox entry without message", "seq", seq, "err", err)
			return true
		}
		if !end && m.Status != balcao.StatusQueued {
			return true // handed over before the last of its turn was
		}
		g.queue = append(g.queue, &sendOutbound{phone: phone, msg: m, end: end})
		g.replayed[replayedMsg{phone, seq}] = struct{}{}
		if len(g.queue) >= maxRetryQueue {
			g.overflow = true
			return false
		}
		return true
	})
	if err != nil {
		g.log.Error("read outbox", "err", err)
	}
	g.retry(ctx)
}

// enqueue keeps a message for the next retry. Past maxRetryQueue it stays in the outbox only,
// and so does every message after it until the queue drains and the outbox is read again:
// one queued while the queue was below its bound again would go out before earlier messages of
// its phone that are in the outbox only.
func (g *gatewayActor) enqueue(ctx actor.Context, m *sendOutbound) {
	if g.overflow || len(g.queue) >= maxRetryQueue {
		g.overflow = true // it stays in the outbox and is read again later
	} else {
		g.queue = append(g.queue, m)
	}
	g.arm(ctx)
}

// retry sends the queue in order until a send fails.
func (g *gatewayActor) retry(ctx actor.Context) {
	if g.session == nil {
		g.open(ctx)
		if g.session == nil {
			return
		}
	}
	for len(g.queue) > 0 {
		if !g.send(ctx, g.queue[0]) {
			g.arm(ctx)
			return
		}
		g.queue[0] = nil
		g.queue = g.queue[1:]
	}
	g.backoff = 0
	if g.overflow {
		g.overflow = false
		g.replayOutbox(ctx)
	}
}

func (g *gatewayActor) arm(ctx actor.Context) {
	if g.timer != nil {
		return
	}
	g.backoff = min(max(2*g.backoff, minBackoff), maxBackoff)
	self, root := ctx.Self(), g.sys.as.Root
	g.timer = time.AfterFunc(g.backoff, func() { root.Send(self, &retryTick{}) })
}

// send hands one message to WhatsApp; on success the outbox entry goes and the conversation
// learns the message was sent.
func (g *gatewayActor) send(ctx actor.Context, m *sendOutbound) bool {
	out := &gateway.Outbound{Office: g.office, To: m.phone, ID: m.msg.WAID, Text: m.msg.Text, Document: m.msg.Document}
	if d := m.msg.Document; d != nil && d.SHA != "" && g.sys.cfg.Files != nil {
		data, err := g.sys.cfg.Files.Read(d.SHA)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// The file left the store (a data directory restored without its files): the
			// message can never go. It fails, as the staff see, rather than be retried for
			// ever with every later message of the office waiting behind it.
			g.log.Error("document to send is not in the file store", "seq", m.msg.Seq, "err", err)
			ctx.Send(ctx.Parent(), &deliveryChanged{to: m.phone, seq: m.msg.Seq, waID: m.msg.WAID, status: balcao.StatusFailed, outboxEnd: m.end})
			return true
		case err != nil:
			g.log.Error("read document for sending", "seq", m.msg.Seq, "err", err)
			return false
		}
		out.File = &gateway.File{Name: d.Name, MIME: d.MIME, Data: data}
	}
	err := g.session.Send(g.guard.begin(), out)
	g.guard.end()
	status := balcao.StatusSent
	switch {
	case errors.Is(err, gateway.ErrPermanent):
		g.log.Warn("whatsapp refused message for good", "seq", m.msg.Seq, "err", err)
		status = balcao.StatusFailed
	case err != nil:
		g.log.Warn("send whatsapp message", "seq", m.msg.Seq, "err", err)
		return false
	}
	// The conversation deletes the outbox entry with its next write, after the turn's last.
	ctx.Send(ctx.Parent(), &deliveryChanged{to: m.phone, seq: m.msg.Seq, waID: m.msg.WAID, status: status, outboxEnd: m.end})
	return true
}
