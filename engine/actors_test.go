package engine_test

import (
	"context"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
)

// explodingAssistant makes the assistant panic on the text "boom" and answer as ever otherwise.
func explodingAssistant(c *engine.Config) {
	c.Respond = func(st assistant.State, in assistant.Input) assistant.Turn {
		if in.Text == "boom" {
			panic("assistant exploded")
		}
		return assistant.Respond(st, in)
	}
}

// TestPanicRestartsOnlyThatConversation: the assistant panics on one message; that message is
// still stored and handed to the staff, the conversation's actor restarts from storage and
// keeps working, and another conversation in the middle of a dialog is untouched.
func TestPanicRestartsOnlyThatConversation(t *testing.T) {
	e := startEngine(t, explodingAssistant)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	// Mariana speaks for two companies: the assistant asks which one, and waits for the answer.
	if status, body := ana.inbound("demo", "5548999990002", "me manda o holerite de outubro", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := ana.inbound("demo", "5548999990001", "boom", ""); status != http.StatusAccepted {
		t.Fatalf("inbound boom: %d %s, want 202 (stored, then handed to staff)", status, body)
	}
	_, body := ana.do("GET", "/api/conversations/5548999990001", nil)
	if !strings.Contains(string(body), `"state":"pending"`) {
		t.Fatalf("conversation after the panic = %s, want pending", body)
	}
	// The restarted actor serves the next message from the stored state.
	if status, body := ana.inbound("demo", "5548999990001", "oi de novo", ""); status != http.StatusAccepted {
		t.Fatalf("inbound after restart: %d %s", status, body)
	}
	_, body = ana.do("GET", "/api/conversations/5548999990001/messages", nil)
	msgs := decode[msgList](t, body)
	var texts []string
	seen := map[uint64]bool{}
	for _, m := range msgs.Messages {
		if seen[m.ID] {
			t.Fatalf("message id %d twice: %s", m.ID, body)
		}
		seen[m.ID] = true
		if m.Direction == "in" {
			texts = append(texts, m.Text)
		}
	}
	if strings.Join(texts, "|") != "boom|oi de novo" {
		t.Fatalf("inbound texts = %q", texts)
	}
	// The other conversation continues its dialog: the company chosen by number completes it.
	if status, body := ana.inbound("demo", "5548999990002", "1", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	_, body = ana.do("GET", "/api/conversations/5548999990002/messages", nil)
	if !strings.Contains(string(body), "Auto Mecânica Sul") {
		t.Fatalf("dialog of the other conversation lost its state: %s", body)
	}
}

// TestIdleConversationsPassivateAndComeBack: idle conversation actors stop, and the next
// message brings the conversation back from Pebble with its history and state.
func TestIdleConversationsPassivateAndComeBack(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.IdleAfter = 50 * time.Millisecond })
	ana := newClient(t, e)
	ana.login("demo", "ana")
	for _, p := range []string{"5548999990001", "5548999990003"} {
		if status, body := ana.inbound("demo", p, "quero falar com um atendente", ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
	}
	if status, body := ana.do("POST", "/api/conversations/5548999990001/start", nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	running := func() int {
		st, err := e.Actors().OfficeStats(context.Background(), "demo")
		if err != nil {
			t.Fatal(err)
		}
		return st.Conversations
	}
	eventually(t, "idle conversations to passivate", func() bool { return running() == 0 })

	if status, body := ana.do("POST", "/api/conversations/5548999990001/messages", map[string]string{"text": "voltei"}); status != http.StatusCreated {
		t.Fatalf("answer after passivation: %d %s (the attending state must survive)", status, body)
	}
	if n := running(); n != 1 {
		t.Fatalf("running conversations = %d, want 1", n)
	}
	_, body := ana.do("GET", "/api/conversations/5548999990001/messages", nil)
	msgs := decode[msgList](t, body)
	for i := 1; i < len(msgs.Messages); i++ {
		if msgs.Messages[i].ID != msgs.Messages[i-1].ID+1 {
			t.Fatalf("message ids not consecutive after passivation: %s", body)
		}
	}
	if last := msgs.Messages[len(msgs.Messages)-1]; last.Text != "voltei" || last.Author != "ana" {
		t.Fatalf("last message = %+v", last)
	}
}

// TestMessagesTakenRightAfterStart: the simulated WhatsApp takes a message for every office as
// soon as Start (or CreateOffice) returns; it refused them as for an unknown office until the
// office's gateway actor had opened its session.
func TestMessagesTakenRightAfterStart(t *testing.T) {
	for i := range 5 {
		e := startEngine(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := e.Sim().Deliver(ctx, "demo", "5548999990003", "", "oi"); err != nil {
			t.Fatalf("start %d: first message refused: %v", i, err)
		}
		cancel()
	}
}

// TestOfficeActorRestartsAndGoesOn: the office actor fails in the middle of a staff request
// (its clock panics once, in the office, while it saves a company); its supervisor restarts it,
// the request gets an error at once instead of at its timeout, and the office goes on: it saves the next
// company, a conversation it ran before answers again from storage, and nothing stored is lost
// or doubled.
func TestOfficeActorRestartsAndGoesOn(t *testing.T) {
	var fail atomic.Bool
	e := startEngine(t, func(c *engine.Config) {
		c.Now = func() time.Time {
			// Only the office's call: conversations read the clock too (delivery statuses).
			if fail.Load() && strings.Contains(string(debug.Stack()), "(*office).Receive") && fail.CompareAndSwap(true, false) {
				panic("clock failed")
			}
			return time.Now()
		}
	})
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	const phone = "5548999990001"
	if status, body := ana.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	company := func(name, cnpj string) (int, []byte) {
		return admin.do("POST", "/api/companies", map[string]any{"name": name, "cnpj": balcao.FormatCNPJ(balcao.CNPJCheckDigits(cnpj)), "enabled": true})
	}
	fail.Store(true)
	asked := time.Now()
	if status, body := company("Padaria Estrela", "112223330001"); status < 500 || !strings.Contains(string(body), `"internal"`) {
		t.Fatalf("company saved while the office failed = %d %s, want an internal error", status, body)
	}
	if waited := time.Since(asked); waited > 5*time.Second {
		t.Fatalf("the failed request was answered after %v, want at once, not at the 10 s request timeout", waited)
	}
	if fail.Load() {
		t.Fatal("the office never read its clock: nothing failed")
	}
	// The restarted office takes requests again.
	eventually(t, "the office saving companies again", func() bool {
		status, _ := company("Padaria Lua", "445556660001")
		return status == http.StatusCreated
	})
	// Its conversation actor was stopped with it; the next message brings it back from storage.
	if status, body := ana.inbound("demo", phone, "oi de novo", ""); status != http.StatusAccepted {
		t.Fatalf("inbound after the restart: %d %s", status, body)
	}
	_, body := ana.do("GET", "/api/conversations/"+phone+"/messages", nil)
	var texts []string
	for _, m := range decode[msgList](t, body).Messages {
		if m.Direction == "in" {
			texts = append(texts, m.Text)
		}
	}
	if strings.Join(texts, "|") != "quero falar com um atendente|oi de novo" {
		t.Fatalf("inbound texts after the restart = %q", texts)
	}
	_, body = ana.do("GET", "/api/conversations/"+phone, nil)
	if !strings.Contains(string(body), `"state":"pending"`) {
		t.Fatalf("conversation after the restart = %s, want still pending (handed to staff)", body)
	}
}

// TestConversationStoppedByItsSupervisorComesBack: a conversation that fails more often than its
// supervisor allows (10 restarts in 10 s) is stopped; the next message spawns a new actor
// (which waits for the writer first, see office.failed) that loads every message the failed
// ones stored and goes on.
func TestConversationStoppedByItsSupervisorComesBack(t *testing.T) {
	e := startEngine(t, explodingAssistant)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	const phone = "5548999990001"
	const booms = 12
	for i := range booms {
		// Each boom panics in the assistant and hands the conversation to the staff; taking it
		// and finishing it gives it back to the assistant for the next.
		if status, body := ana.inbound("demo", phone, "boom", ""); status != http.StatusAccepted {
			t.Fatalf("boom %d: %d %s, want 202 (stored, then handed to staff)", i, status, body)
		}
		for _, step := range []string{"start", "finish"} {
			if status, body := ana.do("POST", "/api/conversations/"+phone+"/"+step, nil); status != http.StatusOK {
				t.Fatalf("boom %d, %s: %d %s", i, step, status, body)
			}
		}
	}
	if status, body := ana.inbound("demo", phone, "oi de novo", ""); status != http.StatusAccepted {
		t.Fatalf("inbound after the failures: %d %s", status, body)
	}
	_, body := ana.do("GET", "/api/conversations/"+phone+"/messages?limit=200", nil)
	msgs := decode[msgList](t, body).Messages
	inbound := 0
	for i, m := range msgs {
		if i > 0 && m.ID != msgs[i-1].ID+1 {
			t.Fatalf("message ids not consecutive across the failures: %s", body)
		}
		if m.Direction == "in" {
			inbound++
		}
	}
	if inbound != booms+1 || msgs[len(msgs)-1].Direction != "out" {
		t.Fatalf("%d inbound stored (want %d), last %+v: the assistant must answer the last", inbound, booms+1, msgs[len(msgs)-1])
	}
}
