package engine_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) set(v string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", v, assistant.Location())
	if err != nil {
		panic(err)
	}
	c.ns.Store(t.UnixNano())
}

// TestOutOfHoursMessageOncePerDay: outside office hours a client who asks for a person hears
// when the office opens, once per conversation per day; a holiday counts as closed; in hours
// nobody is told about hours.
func TestOutOfHoursMessageOncePerDay(t *testing.T) {
	clock := &fakeClock{}
	clock.set("2026-11-25 21:00") // a Wednesday night
	e := startEngine(t, func(c *engine.Config) { c.Now = clock.now })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5548999990001"
	ask := func(want, notWant string) {
		t.Helper()
		before := len(admin.outbound(phone))
		if status, body := admin.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
		var msgs []simMessage
		eventually(t, "every reply of the turn on the phone", func() bool {
			msgs = admin.outbound(phone)
			_, body := admin.do("GET", "/api/conversations/"+phone+"/messages?limit=200", nil)
			out := 0
			for _, m := range decode[msgList](t, body).Messages {
				if m.Direction == "out" {
					out++
				}
			}
			return len(msgs) > before && len(msgs) == out
		})
		var last string
		for _, m := range msgs[before:] {
			last += m.Text + "\n"
		}
		if want != "" && !strings.Contains(last, want) || notWant != "" && strings.Contains(last, notWant) {
			t.Fatalf("reply = %q, want %q and not %q", last, want, notWant)
		}
		_, body := admin.do("GET", "/api/conversations/"+phone, nil)
		if !strings.Contains(string(body), `"state":"pending"`) {
			t.Fatalf("conversation = %s, want pending", body)
		}
		// Served and finished, so that the next ask goes through the assistant again.
		for _, step := range []string{"/start", "/finish"} {
			if status, body := admin.do("POST", "/api/conversations/"+phone+step, nil); status != 200 {
				t.Fatalf("%s: %d %s", step, status, body)
			}
		}
	}
	ask("amanhã às 08:00", "")
	clock.set("2026-11-25 22:00")
	ask("", "fechado") // the same night: told already
	clock.set("2026-11-26 20:00")
	ask("amanhã às 08:00", "") // a new day
	clock.set("2026-12-25 10:00")
	ask("segunda-feira às 08:00", "") // Christmas, then the weekend
	clock.set("2026-11-30 10:00")
	ask("", "fechado") // a Monday morning: open
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"hours": map[string]any{"mon": []map[string]string{{"from": "25:00", "to": "12:00"}}}}); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "hours.mon.0.from") {
		t.Fatalf("opening at 25:00 = %d %s, want 422 naming the field", status, body)
	}
}

// TestStaffIdentification: when the office wants it, the client sees the staff member's name
// before each of their messages.
func TestStaffIdentification(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5548999990003"
	if status, body := admin.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := admin.do("POST", "/api/conversations/"+phone+"/start", nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	send := func(text, want string) {
		t.Helper()
		if status, body := admin.do("POST", "/api/conversations/"+phone+"/messages", map[string]string{"text": text}); status != http.StatusCreated {
			t.Fatalf("send: %d %s", status, body)
		}
		eventually(t, "the message on the phone as "+want, func() bool {
			for _, m := range admin.outbound(phone) {
				if m.Text == want {
					return true
				}
			}
			return false
		})
	}
	send("primeira", "primeira")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"identifyStaff": true}); status != 200 {
		t.Fatalf("settings: %d %s", status, body)
	}
	send("segunda", "*Administrador:* segunda")
}

// TestOutOfHoursWhileAttendingAndForDocuments: outside office hours the client hears the
// office's own hand-over and out-of-hours texts, with their variables filled, and the conversation keeps its
// unread mark for the staff; a client someone is attending hears nothing about hours, even on
// a new day; and the assistant serves a document request at night instead of handing it over.
func TestOutOfHoursWhileAttendingAndForDocuments(t *testing.T) {
	clock := &fakeClock{}
	clock.set("2026-11-25 21:00") // a Wednesday night
	e := startEngine(t, func(c *engine.Config) { c.Now = clock.now })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"messages": map[string]string{
		"out_of_hours": "Estamos fechados, {cliente}; voltamos {abertura}.",
		"handover":     "Vou passar para a equipe da {empresa}.",
	}}); status != http.StatusOK {
		t.Fatalf("save the out-of-hours text: %d %s", status, body)
	}
	type conv struct {
		Conversation struct {
			State  string `json:"state"`
			Unread int    `json:"unread"`
		} `json:"conversation"`
	}
	get := func(phone string) conv {
		t.Helper()
		status, body := admin.do("GET", "/api/conversations/"+phone, nil)
		if status != http.StatusOK {
			t.Fatalf("conversation %s: %d %s", phone, status, body)
		}
		return decode[conv](t, body)
	}
	// stored returns the texts of the conversation's messages, in order (the inbound ones
	// prefixed with "> "). A turn's replies are stored with its message, before the 202.
	stored := func(phone string) []string {
		t.Helper()
		_, body := admin.do("GET", "/api/conversations/"+phone+"/messages?limit=200", nil)
		var out []string
		for _, m := range decode[msgList](t, body).Messages {
			if m.Direction == "in" {
				out = append(out, "> "+m.Text)
			} else {
				out = append(out, m.Text)
			}
		}
		return out
	}
	say := func(phone, text string) {
		t.Helper()
		if status, body := admin.inbound("demo", phone, text, ""); status != http.StatusAccepted {
			t.Fatalf("inbound %q: %d %s", text, status, body)
		}
	}

	const carlos = "5548999990001"
	say(carlos, "quero falar com um atendente")
	admin.waitPhoneText(carlos, "Certo! Vou passar para a equipe da Padaria Pão Quente Ltda.\nEstamos fechados, Carlos; voltamos amanhã às 08:00.")
	if c := get(carlos); c.Conversation.State != "pending" || c.Conversation.Unread != 1 {
		t.Fatalf("after the out-of-hours answer: %+v, want pending with the client's message unread", c)
	}

	// Taken at night; the next night, while attended, the client asks for a person again.
	if status, body := admin.do("POST", "/api/conversations/"+carlos+"/start", nil); status != http.StatusOK {
		t.Fatalf("start: %d %s", status, body)
	}
	clock.set("2026-11-26 21:00")
	before := len(stored(carlos))
	say(carlos, "quero falar com um atendente")
	if after := stored(carlos); len(after) != before+1 || after[before] != "> quero falar com um atendente" {
		t.Fatalf("messages while attended = %q, want only the client's after %d", after, before)
	}
	if c := get(carlos); c.Conversation.State != "attending" || c.Conversation.Unread != 1 {
		t.Fatalf("while attended: %+v, want attending with one unread", c)
	}

	// A document at night: the assistant takes it as a request, nobody is told about hours.
	const joao = "5548999990003"
	say(joao, "holerite de outubro")
	for _, text := range stored(joao) {
		if strings.Contains(text, "fechado") {
			t.Errorf("document request at night answered %q", text)
		}
	}
	if c := get(joao); c.Conversation.State != "assistant" {
		t.Errorf("document request at night: %+v, want the assistant serving it", c)
	}
	eventually(t, "João's request in the request centre", func() bool {
		for _, j := range admin.allJobs() {
			if j.Phone == joao && j.Intent == "holerite" && j.Competence == "2026-10" {
				return true
			}
		}
		return false
	})
}
