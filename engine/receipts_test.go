package engine_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestReceiptsFindOutboundMessages: WhatsApp's receipts name an outbound message by the id
// Balcão gave it, which carries the message's seq: after a restart (nothing in memory) a
// receipt finds its message with no key mapping ids to messages. An id of that shape whose
// seq is another message's, or no message's, changes nothing. A message stored with a random
// id and its wa/ entry, as before ids carried the seq, still gets its receipts.
func TestReceiptsFindOutboundMessages(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	ctx := context.Background()
	const phone = "5548999990007"
	if _, err := e.Sim().Deliver(ctx, "demo", phone, "", "oi"); err != nil {
		t.Fatal(err)
	}
	var replyID string
	eventually(t, "the reply", func() bool {
		sent, _ := e.Sim().Outbound("demo", phone, "")
		if len(sent) > 0 {
			replyID = sent[0].ID
		}
		return replyID != ""
	})
	message := func(e *engine.Engine, seq uint64) balcao.Message {
		t.Helper()
		m, err := e.DB().Message("demo", phone, seq)
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		return m
	}
	const in, reply = 1, 2
	if m := message(e, reply); m.WAID != replyID || m.Direction != balcao.Outbound {
		t.Fatalf("message %d = %+v, want the reply %s", reply, m, replyID)
	}
	eventually(t, "the reply delivered", func() bool { return message(e, reply).Status == balcao.StatusDelivered })
	if has, err := e.DB().Has(storage.WhatsAppIDKey("demo", phone, replyID)); err != nil || has {
		t.Fatalf("the reply's id has a wa/ entry (%v): its seq should be enough", err)
	}
	stop(t, e)

	// A message of before: a random id, found through its wa/ entry.
	const oldID = "3EB0A1B2C3D4E5F60718"
	var old balcao.Message
	offline(t, data, func(db *storage.DB, b *storage.Batch) {
		conv, err := db.Conversation("demo", phone)
		if err != nil {
			t.Fatal(err)
		}
		conv.LastSeq++
		old = balcao.Message{Seq: conv.LastSeq, Direction: balcao.Outbound, Author: balcao.AuthorAssistant, Text: "antiga", WAID: oldID, Status: balcao.StatusDelivered, At: time.Now()}
		b.Put(storage.MessageKey("demo", phone, old.Seq), &old)
		b.Set(storage.WhatsAppIDKey("demo", phone, oldID), binary.BigEndian.AppendUint64(nil, old.Seq))
		b.Put(storage.ConversationKey("demo", phone), &conv)
	})

	e = startEngine(t, cfg)
	read := func(id string) {
		t.Helper()
		if err := e.Sim().Read("demo", phone, id); err != nil {
			t.Fatal(err)
		}
	}
	// Receipts of one conversation are handled in order: once the last one is applied, the
	// forged ones before it were handled.
	read(fmt.Sprintf("3EB0%08X%012X", 0, in))               // the inbound message's seq
	read(fmt.Sprintf("3EB0%08X%012X", 0xFFFFFFFF, reply))   // the reply's seq, another id
	read(fmt.Sprintf("3EB0%08X%012X", 0x12345678, 99))      // no such message
	read(fmt.Sprintf("3EB0%08X%012X", 0x12345678, old.Seq)) // the old message's seq, not its id
	read(oldID)
	eventually(t, "the old message read", func() bool { return message(e, old.Seq).Status == balcao.StatusRead })
	if m := message(e, in); m.Status != "" {
		t.Fatalf("inbound message status = %q after a forged receipt", m.Status)
	}
	if m := message(e, reply); m.Status != balcao.StatusDelivered {
		t.Fatalf("reply status = %q after a receipt with another id", m.Status)
	}
	read(replyID)
	eventually(t, "the reply read after the restart", func() bool { return message(e, reply).Status == balcao.StatusRead })
}
