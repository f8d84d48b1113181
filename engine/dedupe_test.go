package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// inboundCount counts the inbound messages stored in a conversation.
func inboundCount(t *testing.T, c *client, phone string) int {
	t.Helper()
	_, body := c.do("GET", "/api/conversations/"+phone+"/messages?limit=200", nil)
	n := 0
	for _, m := range decode[msgList](t, body).Messages {
		if m.Direction == "in" {
			n++
		}
	}
	return n
}

// TestRedeliveryStoredOnce: WhatsApp delivers a message again with its first timestamp — right
// away, after 40 newer messages (past the conversation's memory of recent ids), after a
// restart, and into a conversation stored before the record kept its latest timestamp — and it
// is stored once each time; messages stamped later than everything stored are taken without a
// look in storage, and one stamped earlier but new is still taken.
func TestRedeliveryStoredOnce(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	sim := e.Sim()
	ctx := context.Background()
	const phone = "5548999990003"
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	deliver := func(e *engine.Engine, id string, at time.Time) {
		t.Helper()
		if _, err := e.Sim().DeliverAt(ctx, "demo", phone, id, "oi", at); err != nil {
			t.Fatalf("deliver %s: %v", id, err)
		}
	}
	deliver(e, "FIRST", t0)
	deliver(e, "FIRST", t0) // at once: the recent ids
	for i := range 40 {
		deliver(e, fmt.Sprintf("N%02d", i), t0.Add(time.Duration(i+1)*time.Second))
	}
	deliver(e, "FIRST", t0)                                                 // past the recent ids: looked up by its old stamp
	deliver(e, "EARLY", t0.Add(-time.Minute))                               // stamped earlier, but new
	if _, err := sim.Deliver(ctx, "demo", phone, "N05", "oi"); err != nil { // unstamped: looked up
		t.Fatal(err)
	}
	c := newClient(t, e)
	c.login("demo", "ana")
	if n := inboundCount(t, c, phone); n != 42 {
		t.Fatalf("inbound stored = %d, want 42 (FIRST, N00–N39, EARLY)", n)
	}

	stop(t, e)
	// A record from before InboundAt: the restarted conversation learns it from its messages.
	offline(t, data, func(db *storage.DB, b *storage.Batch) {
		conv, err := db.Conversation("demo", phone)
		if err != nil || !conv.InboundKnown || !conv.InboundAt.Equal(t0.Add(40*time.Second)) {
			t.Fatalf("stored conversation: known %v, latest %v (%v); want %v", conv.InboundKnown, conv.InboundAt, err, t0.Add(40*time.Second))
		}
		conv.InboundKnown, conv.InboundAt = false, time.Time{}
		b.Put(storage.ConversationKey("demo", phone), &conv)
	})

	e = startEngine(t, cfg)
	deliver(e, "N39", t0.Add(40*time.Second)) // the latest one again, after the restart
	deliver(e, "N10", t0.Add(11*time.Second))
	deliver(e, "NEW", t0.Add(41*time.Second))
	c = newClient(t, e)
	c.login("demo", "ana")
	if n := inboundCount(t, c, phone); n != 43 {
		t.Fatalf("inbound stored after the restart = %d, want 43 (one new)", n)
	}
	if status, body := c.inbound("demo", phone, "oi", "NEW"); status != http.StatusAccepted {
		t.Fatalf("redelivery over HTTP: %d %s", status, body)
	}
	stamped := map[string]string{"office": "demo", "from": phone, "text": "oi", "id": "N20", "at": t0.Add(21 * time.Second).Format(time.RFC3339Nano)}
	if status, body := c.do("POST", "/sim/inbound", stamped); status != http.StatusAccepted {
		t.Fatalf("stamped redelivery over HTTP: %d %s", status, body)
	}
	if n := inboundCount(t, c, phone); n != 43 {
		t.Fatalf("inbound stored = %d after redeliveries over HTTP, want 43", n)
	}
	stop(t, e)
	db, err := storage.Open(engine.PebbleDir(data), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if conv, err := db.Conversation("demo", phone); err != nil || !conv.InboundKnown || !conv.InboundAt.Equal(t0.Add(41*time.Second)) {
		t.Fatalf("conversation after the restart: known %v, latest %v (%v); want it learnt, then %v", conv.InboundKnown, conv.InboundAt, err, t0.Add(41*time.Second))
	}
}

// TestConcurrentRedeliveriesStoredOnce: WhatsApp delivers one message many times at once (a
// reconnect replaying it while the first delivery is still being written): it is stored once,
// every delivery acknowledged, and the next message still taken.
func TestConcurrentRedeliveriesStoredOnce(t *testing.T) {
	e := startEngine(t)
	ctx := context.Background()
	const phone = "5548999990004"
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	for round := range 5 {
		id := fmt.Sprintf("SAME%d", round)
		errs := make(chan error, 16)
		for range cap(errs) {
			go func() {
				_, err := e.Sim().DeliverAt(ctx, "demo", phone, id, "oi", at.Add(time.Duration(round)*time.Second))
				errs <- err
			}()
		}
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: delivery not acknowledged: %v", round, err)
			}
		}
	}
	c := newClient(t, e)
	c.login("demo", "ana")
	if n := inboundCount(t, c, phone); n != 5 {
		t.Fatalf("inbound stored = %d, want 5 (each message once)", n)
	}
}
