package actors

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/storage"
)

// TestGatewayKeepsAPhonesOrderPastItsRetryQueue: WhatsApp is down and the gateway's retry
// queue is full, so a phone's reply X is left in the outbox only, to be read again once the
// queue drains. A retry sends a few and fails again: the queue is below its bound, but the
// phone's next reply must wait in the outbox behind X, not join the queue and go out first.
func TestGatewayKeepsAPhonesOrderPastItsRetryQueue(t *testing.T) {
	const filler, phone = "5511000000001", "5548999990001" // the filler's entries are read first
	wa := &fakeWhatsApp{}                                  // down
	now := time.Now()
	s := startSystem(t, wa, nil, func(b *storage.Batch) {
		queued := func(phone string, seq uint64, text string) {
			m := balcao.Message{Seq: seq, Direction: balcao.Outbound, Author: balcao.AuthorSystem, Text: text,
				WAID: outboundID(seq), Status: balcao.StatusQueued, At: now}
			b.Put(storage.MessageKey("o1", phone, seq), &m)
			b.Set(storage.OutboxKey("o1", phone, seq), nil)
		}
		for seq := uint64(1); seq <= maxRetryQueue; seq++ {
			queued(filler, seq, fmt.Sprint("f", seq))
		}
		queued(phone, 1, "X")
		b.Put(storage.ConversationKey("o1", phone), &balcao.Conversation{ID: phone, State: balcao.StateAssistant,
			StateSince: now, CreatedAt: now, LastAt: now, LastSeq: 1, InboundKnown: true})
	})
	wa.setAllow(5) // the first retry sends 5 and fails again
	eventually(t, "five sent", func() bool { return len(wa.sentTo(filler)) == 5 })
	s.deliver(t, phone, "IN1", "oi") // no contact: the reply (seq 3) says the phone is not linked
	wa.setAllow(-1)
	eventually(t, "the phone's two replies sent", func() bool { return len(wa.sentTo(phone)) >= 2 })
	// A message sent again with its id is one WhatsApp ignores (a rescan may read an entry
	// whose deletion is not yet durable): the order is that of the first sends.
	var seqs []uint64
	for _, m := range wa.sentTo(phone) {
		if seq, _ := outboundSeq(m.ID); !slices.Contains(seqs, seq) {
			seqs = append(seqs, seq)
		}
	}
	if !slices.Equal(seqs, []uint64{1, 3}) {
		t.Fatalf("the phone got replies %v, want 1 then 3 (in the order they were stored)", seqs)
	}
}

// hangingWhatsApp is fakeWhatsApp whose first hang sends reach WhatsApp and then hang, their
// acknowledgement lost, until their context ends: whatsmeow's SendMessage when the connection
// stalls after the server took the message.
type hangingWhatsApp struct {
	*fakeWhatsApp
	hang     atomic.Int32
	hung     chan string  // the id of each send that hangs
	released atomic.Int32 // hung sends whose context ended
}

var (
	_ gateway.WhatsApp = (*hangingWhatsApp)(nil)
	_ gateway.Session  = (*hangingWhatsApp)(nil)
)

func (h *hangingWhatsApp) Open(ctx context.Context, office string, sink gateway.Sink) (gateway.Session, error) {
	if _, err := h.fakeWhatsApp.Open(ctx, office, sink); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *hangingWhatsApp) Send(ctx context.Context, m *gateway.Outbound) error {
	if h.hang.Add(-1) < 0 {
		return h.fakeWhatsApp.Send(ctx, m)
	}
	h.mu.Lock()
	h.sent = append(h.sent, *m)
	h.mu.Unlock()
	h.hung <- m.ID
	<-ctx.Done()
	h.released.Add(1)
	return context.Cause(ctx)
}

// TestHungSendIsCancelledAndSentAgain: WhatsApp takes a reply and then hangs without
// acknowledging it. Other phones' messages are stored meanwhile (the hang holds up the
// gateway, not the conversations); after the send timeout the reply is sent again with the same
// id (WhatsApp keeps one), then the replies queued behind it go out, and the outbox empties.
func TestHungSendIsCancelledAndSentAgain(t *testing.T) {
	const first, second = "5511900000001", "5511900000002"
	h := &hangingWhatsApp{fakeWhatsApp: &fakeWhatsApp{allow: -1}, hung: make(chan string, 1)}
	h.hang.Store(1)
	s := startSystem(t, h.fakeWhatsApp, func(c *Config) { c.WhatsApp, c.SendTimeout = h, 3*time.Second }, nil)
	s.deliver(t, first, "IN1", "oi") // not a contact: the reply says so
	id := await(t, h.hung, "the reply's send hanging")
	s.deliver(t, second, "IN2", "oi")
	if h.released.Load() != 0 {
		t.Fatalf("an inbound message waited for the hung send to time out")
	}
	eventually(t, "both phones' replies sent and the outbox empty", func() bool {
		entries := 0
		if err := s.db.Outbox("o1", func(string, uint64, bool) bool { entries++; return true }); err != nil {
			t.Fatal(err)
		}
		return len(h.sentTo(first)) >= 2 && len(h.sentTo(second)) >= 1 && entries == 0
	})
	if got := h.sentTo(first); len(got) != 2 || got[0].ID != id || got[1].ID != id {
		t.Fatalf("the first phone got %d sends, want the hung one and its retry, both with id %s: %+v", len(got), id, got)
	}
	if h.released.Load() != 1 {
		t.Fatalf("%d hung sends ended, want 1 (by the timeout)", h.released.Load())
	}
}

// TestSessionAnswersWhileASendHangs: the office's WhatsApp session (Conexão WhatsApp: its
// status, pairing, unlinking) is reached while the gateway is busy with a send that hangs, as it
// is for minutes draining a backlog at the office's pace. Asking the gateway actor for it timed
// out: the screen showed "Conectando…" and Desconectar failed.
func TestSessionAnswersWhileASendHangs(t *testing.T) {
	h := &hangingWhatsApp{fakeWhatsApp: &fakeWhatsApp{allow: -1}, hung: make(chan string, 1)}
	h.hang.Store(1)
	s := startSystem(t, h.fakeWhatsApp, func(c *Config) {
		c.WhatsApp, c.SendTimeout, c.RequestTimeout = h, 3*time.Second, 500*time.Millisecond
	}, nil)
	s.deliver(t, "5511900000001", "IN1", "oi") // not a contact: the reply says so
	await(t, h.hung, "the reply's send hanging")
	sess, err := s.sys.Session(t.Context(), "o1")
	if err != nil {
		t.Fatalf("Session while a send hangs = %v, want the office's session", err)
	}
	if sess != gateway.Session(h) {
		t.Fatalf("Session = %v, want the session the gateway opened", sess)
	}
}

// slowOpenWhatsApp is fakeWhatsApp whose Open waits until open is closed: the gateway actor
// is still starting when the office's conversations commit their first replies.
type slowOpenWhatsApp struct {
	*fakeWhatsApp
	open chan struct{}
}

func (w *slowOpenWhatsApp) Open(ctx context.Context, office string, sink gateway.Sink) (gateway.Session, error) {
	<-w.open
	return w.fakeWhatsApp.Open(ctx, office, sink)
}

// TestReplyCommittedWhileTheGatewayStartsIsSentOnce: a reply committed while the gateway actor
// opened its session is in the outbox its start reads, and also on its way to it from the
// conversation: it went out twice (the outbox's read queued it, then the conversation's
// hand-over sent it again).
func TestReplyCommittedWhileTheGatewayStartsIsSentOnce(t *testing.T) {
	const phone = "5548999990001" // no contact: each reply says the phone is not linked
	wa := &slowOpenWhatsApp{fakeWhatsApp: &fakeWhatsApp{allow: -1}, open: make(chan struct{})}
	s := startSystem(t, wa.fakeWhatsApp, func(c *Config) { c.WhatsApp = wa }, nil)
	s.deliver(t, phone, "IN1", "oi") // durable, in the outbox, while the session opens
	close(wa.open)
	eventually(t, "the reply sent", func() bool { return len(wa.sentTo(phone)) >= 1 })
	// The turn's hand-over is in the gateway's mailbox ahead of this question once a later
	// write is durable (the writer calls back in order).
	if err := s.db.Writer.Commit(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	pid, err := s.sys.office("o1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ask[*sessionAnswer](s.sys, pid, &getSession{}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if sent := wa.sentTo(phone); len(sent) != 1 {
		t.Fatalf("the reply was sent %d times, want once", len(sent))
	}
}
