package engine_test

import (
	"context"
	"encoding/binary"
	"net/http"
	"testing"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestConversationTrustsItsContactCopyOnlyAtItsGeneration: a conversation that wakes keeps the
// copy of its contact (name, companies) stored in its record, without reading the contact and
// its companies, while the office's contacts generation is the one the copy was read at; a
// change to the contacts writes a new generation with it, and the copy is read again — even
// when the process stopped before the conversation heard of the change.
func TestConversationTrustsItsContactCopyOnlyAtItsGeneration(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	const phone = "5548999990002" // Mariana Lima, of two companies
	ctx := context.Background()
	say := func(e *engine.Engine) {
		t.Helper()
		if _, err := e.Sim().Deliver(ctx, "demo", phone, "", "oi"); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(name string) func(db *storage.DB, b *storage.Batch) {
		return func(db *storage.DB, b *storage.Batch) {
			c, err := db.Contact("demo", phone)
			if err != nil {
				t.Fatal(err)
			}
			c.Name = name
			b.Put(storage.ContactKey("demo", phone), &c)
		}
	}
	stored := func(e *engine.Engine) balcao.Conversation {
		t.Helper()
		conv, err := e.DB().Conversation("demo", phone)
		if err != nil {
			t.Fatal(err)
		}
		return conv
	}

	e := startEngine(t, cfg)
	say(e)
	eventually(t, "the first turn stored", func() bool { _, err := e.DB().Conversation("demo", phone); return err == nil })
	conv := stored(e)
	if conv.ContactGen != 1 || conv.ContactName != "Mariana Lima" || len(conv.Companies) != 2 {
		t.Fatalf("first record: gen %d, name %q, companies %+v; want gen 1 (no change yet), the contact's copy", conv.ContactGen, conv.ContactName, conv.Companies)
	}
	for _, co := range conv.Companies {
		company, err := e.DB().Company("demo", co.ID)
		if err != nil || co.Assistant != company.UseAssistant {
			t.Fatalf("copy of %s: assistant %v, the company's %v (%v)", co.ID, co.Assistant, company.UseAssistant, err)
		}
	}
	stop(t, e)

	// Renamed behind the office's back (no new generation): the copy is kept.
	offline(t, data, rename("Nome Sem Geração"))
	e = startEngine(t, cfg)
	say(e)
	eventually(t, "the second turn", func() bool { return stored(e).LastSeq > conv.LastSeq })
	if got := stored(e); got.ContactName != "Mariana Lima" || got.ContactGen != 1 {
		t.Fatalf("after a change without a generation: name %q gen %d; want the copy kept (the contact was not read)", got.ContactName, got.ContactGen)
	}
	conv = stored(e)
	stop(t, e)

	// Renamed with a new generation, as the office writes it, and the process stopped before
	// the conversation heard of it: the copy is read again.
	offline(t, data, func(db *storage.DB, b *storage.Batch) {
		rename("Mariana Nova")(db, b)
		b.Set(storage.ContactsGenKey("demo"), binary.BigEndian.AppendUint64(nil, 2))
	})
	e = startEngine(t, cfg)
	say(e)
	eventually(t, "the third turn", func() bool { return stored(e).LastSeq > conv.LastSeq })
	if got := stored(e); got.ContactName != "Mariana Nova" || got.ContactGen != 2 {
		t.Fatalf("after a change with a generation: name %q gen %d; want the contact read again, at gen 2", got.ContactName, got.ContactGen)
	}

	// Through the API: the office writes generation 3 and the conversation copies at it.
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/addressbook/"+phone, map[string]any{"name": "Mariana API", "companies": []string{"auto-mecanica-sul"}}); status != http.StatusOK {
		t.Fatalf("rename: %d %s", status, body)
	}
	eventually(t, "the copy of the API's change", func() bool {
		got := stored(e)
		return got.ContactName == "Mariana API" && got.ContactGen == 3 && len(got.Companies) == 1
	})
	if raw, err := e.DB().Value(storage.ContactsGenKey("demo")); err != nil || len(raw) != 8 || raw[7] != 3 {
		t.Fatalf("stored generation %x (%v), want 3", raw, err)
	}
}
