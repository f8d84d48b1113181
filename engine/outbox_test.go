package engine_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestOutboxSendsWhatACrashLeft: a turn's replies share one outbox entry, kept until the last
// of them is handed to WhatsApp. Replies stored but not sent when the engine stopped (as a
// crash between the commit and the sends leaves them) go out at the next start, in order,
// each once: of a turn whose first reply was already handed over, only the others; an entry
// written by an older version (one per message, no value) as well. Then the outbox is empty.
func TestOutboxSendsWhatACrashLeft(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	ctx := context.Background()
	const turnPhone, oldPhone = "5548999990001", "5548999990003" // demo contacts: the assistant answers
	outboxOf := func(e *engine.Engine) []string {
		var entries []string
		if err := e.DB().Outbox("demo", func(phone string, seq uint64, end bool) bool {
			entries = append(entries, fmt.Sprintf("%s/%d/%v", phone, seq, end))
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return entries
	}
	sentTexts := func(e *engine.Engine, phone string) []string {
		sent, err := e.Sim().Outbound("demo", phone, "")
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, s := range sent {
			texts = append(texts, s.Text)
		}
		return texts
	}
	for _, p := range []string{turnPhone, oldPhone} {
		if _, err := e.Sim().Deliver(ctx, "demo", p, "", "oi"); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "both turns' replies handed over (their entries gone)", func() bool {
		return len(sentTexts(e, turnPhone)) > 0 && len(sentTexts(e, oldPhone)) > 0 && len(outboxOf(e)) == 0
	})
	stop(t, e)

	var turn []balcao.Message
	offline(t, data, func(db *storage.DB, b *storage.Batch) {
		queue := func(phone string, texts ...string) []balcao.Message {
			conv, err := db.Conversation("demo", phone)
			if err != nil {
				t.Fatal(err)
			}
			var out []balcao.Message
			for _, text := range texts {
				conv.LastSeq++
				m := balcao.Message{Seq: conv.LastSeq, Direction: balcao.Outbound, Author: balcao.AuthorAssistant, Text: text,
					WAID: fmt.Sprintf("3EB0%08X%012X", 0xABCDEF, conv.LastSeq), Status: balcao.StatusQueued, At: time.Now()}
				b.Put(storage.MessageKey("demo", phone, m.Seq), &m)
				out = append(out, m)
			}
			b.Put(storage.ConversationKey("demo", phone), &conv)
			return out
		}
		turn = queue(turnPhone, "primeira", "segunda", "terceira")
		b.Set(storage.OutboxKey("demo", turnPhone, turn[2].Seq), storage.OutboxValue([]uint64{turn[0].Seq, turn[1].Seq}))
		b.Put(storage.MessageStatusKey("demo", turnPhone, turn[0].Seq), &storage.Delivery{Status: balcao.StatusSent})
		old := queue(oldPhone, "de antes")
		b.Set(storage.OutboxKey("demo", oldPhone, old[0].Seq), nil)
	})

	e = startEngine(t, cfg)
	sentAfter := func(phone string) []string { return sentTexts(e, phone) } // this engine's simulator
	eventually(t, "the queued replies sent", func() bool {
		return len(sentAfter(turnPhone)) >= 2 && len(sentAfter(oldPhone)) >= 1
	})
	eventually(t, "an empty outbox once they were handed over", func() bool { return len(outboxOf(e)) == 0 })
	// Sends of one office go out in order: anything sent twice would be there by now.
	if got := sentAfter(turnPhone); !slices.Equal(got, []string{"segunda", "terceira"}) {
		t.Fatalf("sent after the restart: %q, want the turn's replies not yet handed over, in order", got)
	}
	if got := sentAfter(oldPhone); !slices.Equal(got, []string{"de antes"}) {
		t.Fatalf("sent after the restart for an entry of before: %q", got)
	}
	for _, m := range turn[1:] {
		eventually(t, fmt.Sprintf("reply %d delivered", m.Seq), func() bool {
			got, err := e.DB().Message("demo", turnPhone, m.Seq)
			return err == nil && got.Status == balcao.StatusDelivered
		})
	}
}

// TestRepliesGoOutInOrderWhenWhatsAppFails: WhatsApp drops the connection as a turn's replies
// go out (the first is refused): the others wait behind it, it is tried again after a backoff,
// and the phone gets them all once, in order; the outbox empties and every reply ends
// delivered.
func TestRepliesGoOutInOrderWhenWhatsAppFails(t *testing.T) {
	e := startEngine(t)
	const phone = "5548999990001" // a demo contact: the assistant answers
	e.Sim().FailSends("demo", 0, 1)
	if _, err := e.Sim().Deliver(context.Background(), "demo", phone, "", "oi"); err != nil {
		t.Fatal(err)
	}
	var texts []string
	eventually(t, "the replies on the phone", func() bool {
		sent, err := e.Sim().Outbound("demo", phone, "")
		if err != nil {
			t.Fatal(err)
		}
		texts = texts[:0]
		for _, s := range sent {
			texts = append(texts, s.Text)
		}
		return len(texts) >= 2
	})
	msgs, _, err := e.DB().Messages("demo", phone, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var replies []string
	for _, m := range msgs {
		if m.Direction == balcao.Outbound {
			replies = append(replies, m.Text)
		}
	}
	if !slices.Equal(texts, replies) {
		t.Fatalf("the phone got %q, the conversation stored %q: want each once, in order", texts, replies)
	}
	eventually(t, "the outbox empty and every reply delivered", func() bool {
		entries := 0
		if err := e.DB().Outbox("demo", func(string, uint64, bool) bool { entries++; return true }); err != nil {
			t.Fatal(err)
		}
		msgs, _, err := e.DB().Messages("demo", phone, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Direction == balcao.Outbound && m.Status != balcao.StatusDelivered {
				return false
			}
		}
		return entries == 0
	})
}

// TestDocumentWhoseFileIsGoneDoesNotHoldTheOffice: a queued document message whose file is no
// longer in the file store (a data directory restored without its files) can never be sent:
// it ends failed, which the staff see, and the office's other messages behind it go out. It
// was retried for ever, and every later message of every phone of the office waited behind it.
func TestDocumentWhoseFileIsGoneDoesNotHoldTheOffice(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	const lost, other = "5548999990001", "5548999990003" // lost's entries are read first
	for _, p := range []string{lost, other} {
		if _, err := e.Sim().Deliver(context.Background(), "demo", p, "", "oi"); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the replies handed over", func() bool { return outboxEmpty(t, e) && len(sentTo(t, e, other)) > 0 })
	stop(t, e)

	var doc balcao.Message
	offline(t, data, func(db *storage.DB, b *storage.Batch) {
		queue := func(phone string, m balcao.Message) balcao.Message {
			conv, err := db.Conversation("demo", phone)
			if err != nil {
				t.Fatal(err)
			}
			conv.LastSeq++
			m.Seq, m.Direction, m.Author, m.Status, m.At = conv.LastSeq, balcao.Outbound, "ana", balcao.StatusQueued, time.Now()
			m.WAID = fmt.Sprintf("3EB0%08X%012X", 0xABCDEF, m.Seq)
			b.Put(storage.MessageKey("demo", phone, m.Seq), &m)
			b.Put(storage.ConversationKey("demo", phone), &conv)
			b.Set(storage.OutboxKey("demo", phone, m.Seq), storage.OutboxValue(nil))
			return m
		}
		doc = queue(lost, balcao.Message{Text: "Segue o recibo", Document: &balcao.Document{Name: "recibo.pdf", MIME: "application/pdf", Size: 9,
			SHA: "0000000000000000000000000000000000000000000000000000000000000000"}})
		queue(other, balcao.Message{Text: "mensagem atrás do documento perdido"})
	})

	e = startEngine(t, cfg)
	eventually(t, "the other phone's message sent", func() bool {
		return slices.Contains(sentTo(t, e, other), "mensagem atrás do documento perdido")
	})
	eventually(t, "the document failed and the outbox empty", func() bool {
		m, err := e.DB().Message("demo", lost, doc.Seq)
		return err == nil && m.Status == balcao.StatusFailed && outboxEmpty(t, e)
	})
}

// sentTo lists the texts the engine's simulated WhatsApp sent a demo phone, oldest first.
func sentTo(t *testing.T, e *engine.Engine, phone string) []string {
	t.Helper()
	sent, err := e.Sim().Outbound("demo", phone, "")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, s := range sent {
		texts = append(texts, s.Text)
	}
	return texts
}
