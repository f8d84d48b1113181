package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// TestBatchMemoryReused: batches' change lists and encoded records are pooled and reused by
// the batches that follow; whatever each stored is read back as written, including records
// that outgrew the pooled arena, raw values, deletions, a truncated batch and a batch filled
// again after its commit. Odd rounds build their keys in the batch's memory (Batch.Key), between
// records that grow it.
func TestBatchMemoryReused(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	ctx := context.Background()
	at := time.Unix(1_764_000_000, 5).UTC()
	want := map[string][]byte{}
	reused := &storage.Batch{}
	for round := range 50 {
		b := &storage.Batch{}
		if round%2 == 1 {
			b = reused // filled again once its commit returned
		}
		key := func(k []byte, build func([]byte) []byte) []byte {
			if round%2 == 0 {
				return k
			}
			built := b.Key(build)
			if !bytes.Equal(built, k) {
				t.Fatalf("built in the batch: %q, want %q", built, k)
			}
			return built
		}
		for i := range 12 {
			phone := fmt.Sprintf("5548%09d", round*100+i)
			text := strings.Repeat(fmt.Sprint(round, "-", i, " "), 1+(round*i)%400) // up to ~4 KB
			m := &balcao.Message{Seq: uint64(i + 1), Direction: balcao.Inbound, Author: balcao.AuthorClient, Text: text, At: at}
			k := key(storage.MessageKey("o1", phone, m.Seq), func(k []byte) []byte { return storage.AppendMessageKey(k, "o1", phone, m.Seq) })
			b.Put(k, m)
			want[string(k)] = storage.Encode(m)
			tr := &balcao.Transition{From: balcao.StateAssistant, To: balcao.StatePending, Reason: text[:min(len(text), 40)], At: at}
			k = key(storage.TransitionKey("o1", phone, 1), func(k []byte) []byte { return storage.AppendTransitionKey(k, "o1", phone, 1) })
			b.Put(k, tr)
			want[string(k)] = storage.Encode(tr)
			k = key(storage.WhatsAppIDKey("o1", phone, "B"+phone), func(k []byte) []byte { return storage.AppendWhatsAppIDKey(k, "o1", phone, "B"+phone) })
			b.Set(k, []byte(phone))
			want[string(k)] = []byte(phone)
		}
		// A truncated tail is not written.
		n := b.Len()
		b.Put(storage.ConversationKey("o1", "dropped"), &balcao.Conversation{ID: "dropped"})
		b.Truncate(n)
		if round > 0 {
			// Delete one message of the previous round.
			k := storage.MessageKey("o1", fmt.Sprintf("5548%09d", (round-1)*100), 1)
			b.Delete(k)
			delete(want, string(k))
		}
		if err := db.Writer.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		if b.Len() != 0 {
			t.Fatalf("a committed batch still holds %d changes", b.Len())
		}
	}
	for k, v := range want {
		got, err := db.Value([]byte(k))
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("Value(%s) = %x, %v; want %x", k, got, err, v)
		}
	}
	if ok, err := db.Has(storage.ConversationKey("o1", "dropped")); err != nil || ok {
		t.Fatalf("truncated change stored: %v, %v", ok, err)
	}
	if ok, err := db.Has(storage.MessageKey("o1", fmt.Sprintf("5548%09d", 0), 1)); err != nil || ok {
		t.Fatalf("deleted key still there: %v, %v", ok, err)
	}
}

// TestKeysAppend: each Append…Key appends to what dst holds the key its constructor returns,
// and builds it in a batch's memory without an allocation of its own.
func TestKeysAppend(t *testing.T) {
	at := time.Unix(1_764_000_000, 5).UTC()
	for _, tc := range []struct {
		name  string
		key   []byte
		build func([]byte) []byte
	}{
		{"conversation", storage.ConversationKey("o1", "5548999990001"), func(k []byte) []byte { return storage.AppendConversationKey(k, "o1", "5548999990001") }},
		{"message", storage.MessageKey("o1", "5548999990001", 7), func(k []byte) []byte { return storage.AppendMessageKey(k, "o1", "5548999990001", 7) }},
		{"status", storage.MessageStatusKey("o1", "5548999990001", 7), func(k []byte) []byte { return storage.AppendMessageStatusKey(k, "o1", "5548999990001", 7) }},
		{"transition", storage.TransitionKey("o1", "5548999990001", 3), func(k []byte) []byte { return storage.AppendTransitionKey(k, "o1", "5548999990001", 3) }},
		{"whatsapp id", storage.WhatsAppIDKey("o1", "5548999990001", "ABC"), func(k []byte) []byte { return storage.AppendWhatsAppIDKey(k, "o1", "5548999990001", "ABC") }},
		{"index", storage.IndexKey("o1", balcao.TabContacts, at, "5548999990001"), func(k []byte) []byte { return storage.AppendIndexKey(k, "o1", balcao.TabContacts, at, "5548999990001") }},
		{"outbox", storage.OutboxKey("o1", "5548999990001", 9), func(k []byte) []byte { return storage.AppendOutboxKey(k, "o1", "5548999990001", 9) }},
	} {
		if got := tc.build([]byte("before|")); string(got) != "before|"+string(tc.key) {
			t.Errorf("%s: appended %q, want %q after what was there", tc.name, got, tc.key)
		}
		b := &storage.Batch{}
		b.Key(func(k []byte) []byte { return k }) // takes the batch's memory
		allocs := testing.AllocsPerRun(10, func() {
			if k := b.Key(tc.build); !bytes.Equal(k, tc.key) {
				t.Fatalf("%s: built %q in the batch, want %q", tc.name, k, tc.key)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.0f allocations per key built in a batch, want 0", tc.name, allocs)
		}
	}
}

// TestDecodedRecordsOwnTheirMemory: Get decodes straight from Pebble's value, which is valid
// only until the read ends; the decoded records must not point into it.
func TestDecodedRecordsOwnTheirMemory(t *testing.T) {
	at := time.Unix(1_764_000_000, 0).UTC()
	cases := []struct {
		name      string
		in, fresh func() any
	}{
		{"message", func() any {
			return &balcao.Message{Seq: 1, Text: "olá", WAID: "B1", Document: &balcao.Document{Name: "a.pdf", URL: "/d/1"}, StatusAt: map[string]time.Time{"read": at}, At: at}
		}, func() any { return &balcao.Message{} }},
		{"conversation", func() any {
			return &balcao.Conversation{ID: "5548", ContactName: "Ana", Dialog: []byte("state"), Companies: []balcao.CompanyRef{{ID: "c", Name: "C"}}, Served: []string{"ana"}, LastAt: at}
		}, func() any { return &balcao.Conversation{} }},
		{"contact (reflective)", func() any {
			return &balcao.Contact{Phone: "5548", Name: "Ana", Companies: []string{"c1", "c2"}, CreatedAt: at}
		}, func() any { return &balcao.Contact{} }},
	}
	for _, c := range cases {
		raw := storage.Encode(c.in())
		want := bytes.Clone(raw)
		got := c.fresh()
		if err := storage.Decode(raw, got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i := range raw {
			raw[i] = 'X'
		}
		if enc := storage.Encode(got); !bytes.Equal(enc, want) {
			t.Errorf("%s: decoded %+v changed with its source", c.name, got)
		}
	}
}
