package actors

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/balcao/balcao"
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
