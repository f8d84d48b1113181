package actors

import (
	"errors"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// TestDeliveryReportedToARestartedConversation: a reply stored by an earlier actor of its
// conversation is reported sent, then delivered, to a new one: the earlier actor was
// passivated while WhatsApp was down, or the whole system restarted with the reply in the
// outbox. WhatsApp reports a message sent before any receipt, so the new actor's delivery
// state begins with "sent"; it must be the same as one begun by a stored reply, or the actor
// fails once the delivery is durable and it lets the state go.
func TestDeliveryReportedToARestartedConversation(t *testing.T) {
	const phone = "5548999990001" // no contact: the reply says the phone is not linked
	t.Run("passivated", func(t *testing.T) {
		wa := &fakeWhatsApp{} // down
		s := startSystem(t, wa, func(c *Config) { c.IdleAfter = 200 * time.Millisecond }, nil)
		s.deliver(t, phone, "IN1", "oi")
		eventually(t, "the conversation passivated", func() bool { return s.running(t) == 0 })
		wa.setAllow(-1) // the gateway's next retry sends the reply
		s.deliveryReported(t, phone)
	})
	t.Run("stored before a restart", func(t *testing.T) {
		wa := &fakeWhatsApp{allow: -1}
		now := time.Now()
		s := startSystem(t, wa, nil, func(b *storage.Batch) {
			m := balcao.Message{Seq: 1, Direction: balcao.Outbound, Author: balcao.AuthorSystem, Text: "Olá",
				WAID: outboundID(1), Status: balcao.StatusQueued, At: now}
			b.Put(storage.MessageKey("o1", phone, 1), &m)
			b.Set(storage.OutboxKey("o1", phone, 1), nil)
			b.Put(storage.ConversationKey("o1", phone), &balcao.Conversation{ID: phone, State: balcao.StateAssistant,
				StateSince: now, CreatedAt: now, LastAt: now, LastSeq: 1, InboundKnown: true})
		})
		s.deliveryReported(t, phone) // the gateway sends what the outbox holds at start
	})
}

// deliveryReported waits until phone's one reply is sent and that is stored, reports it
// delivered, and checks that its conversation stored that and took the news of it being
// durable without failing.
func (s *systemUnderTest) deliveryReported(t *testing.T, phone string) {
	t.Helper()
	eventually(t, "the reply sent", func() bool { return len(s.wa.sentTo(phone)) == 1 })
	reply := s.wa.sentTo(phone)[0]
	seq, _ := outboundSeq(reply.ID)
	if st := await(t, s.statuses, "the reply stored sent"); st.Seq != seq || st.Status != balcao.StatusSent {
		t.Fatalf("status stored %d %s, want %d %s", st.Seq, st.Status, seq, balcao.StatusSent)
	}
	s.wa.receipt("o1", phone, reply.ID, balcao.StatusDelivered)
	if st := await(t, s.statuses, "the reply stored delivered"); st.Seq != seq || st.Status != balcao.StatusDelivered {
		t.Fatalf("status stored %d %s, want %d %s", st.Seq, st.Status, seq, balcao.StatusDelivered)
	}
	// The writer calls back in commit order: once a barrier is durable, the delivery write's
	// callback has told the conversation that the write is durable (deliveryStored), ahead of
	// this request, which it refuses (it is not being attended).
	if err := s.db.Writer.Commit(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.sys.Request(t.Context(), "o1", &FinishService{Phone: phone, Staff: "ana"}); !errors.Is(err, balcao.ErrConflict) {
		t.Fatalf("finish a service not started: %v, want a conflict", err)
	}
	if n := s.panics.n.Load(); n != 0 {
		t.Fatalf("the conversation failed %d time(s): %s", n, s.panics)
	}
	if m, err := s.db.Message("o1", phone, seq); err != nil || m.Status != balcao.StatusDelivered {
		t.Fatalf("reply stored %s, %v; want %s", m.Status, err, balcao.StatusDelivered)
	}
}
