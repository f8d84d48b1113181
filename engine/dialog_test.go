package engine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
)

// TestDialogSurvivesPassivation: the assistant's short dialog is one request across messages
// even when the conversation's actor stops between them (idle passivation): the question it
// asked, the request drafted so far and the messages not understood in a row are in the stored
// conversation, and the next actor goes on from them.
func TestDialogSurvivesPassivation(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.IdleAfter = 50 * time.Millisecond })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	passivated := func() {
		t.Helper()
		eventually(t, "the conversations to passivate", func() bool {
			st, err := e.Actors().OfficeStats(context.Background(), "demo")
			if err != nil {
				t.Fatal(err)
			}
			return st.Conversations == 0
		})
	}
	// say sends text from phone and waits for the assistant's answer, which must contain want.
	say := func(phone, text, want string) {
		t.Helper()
		before := len(admin.outbound(phone))
		if status, body := admin.inbound("demo", phone, text, ""); status != http.StatusAccepted {
			t.Fatalf("inbound %q: %d %s", text, status, body)
		}
		var got string
		eventually(t, "the answer to "+text, func() bool {
			msgs := admin.outbound(phone)
			if len(msgs) == before {
				return false
			}
			got = ""
			for _, m := range msgs[before:] {
				got += m.Text + "\n"
			}
			return strings.Contains(got, want)
		})
	}

	// Mariana speaks for two companies: the competence is asked, then the company.
	const mariana = "5548999990002"
	competence, _ := month(1)
	say(mariana, "preciso do holerite da Maria", "Ex.: outubro ou 10/2026")
	passivated()
	say(mariana, "o do mês passado", "2 - Clínica Vida Saudável ME")
	passivated()
	say(mariana, "2", "Vou buscar o holerite")
	var found bool
	eventually(t, "the request as a job", func() bool {
		for _, j := range admin.allJobs() {
			if j.Phone == mariana {
				if j.Intent != "holerite" || j.Competence != competence || j.Person != "Maria" || j.Company != "clinica-vida" {
					t.Fatalf("job = %+v, want Maria's holerite of %s for clinica-vida", j, competence)
				}
				found = true
			}
		}
		return found
	})

	// Three messages in a row not understood hand João over, a stop in between or not.
	const joao = "5548999990003"
	say(joao, "bom dia", "1 - Holerite") // the greeting: a first contact is not a miss
	say(joao, "kkkk", "não entendi")
	say(joao, "asdf", "não entendi")
	passivated()
	say(joao, "🤔", "alguém da nossa equipe")
	_, body := admin.do("GET", "/api/conversations/"+joao, nil)
	if !strings.Contains(string(body), `"state":"pending"`) {
		t.Fatalf("conversation after three misses = %s, want pending", body)
	}
}

// TestStatusQuestionLeavesOutDeliveredRequests: once a request's documents are in the chat it
// is no longer open, and a question about the client's requests does not list it.
func TestStatusQuestionLeavesOutDeliveredRequests(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	const phone = "5548999990001"
	_, name := month(1) // the demo documents have every month but the current one
	if status, body := c.inbound("demo", phone, "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the documents on the phone", func() bool { return len(documentsOf(c.outbound(phone))) > 0 })
	if status, body := c.inbound("demo", phone, "já ficou pronto?", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var last string
	eventually(t, "the answer to the status question", func() bool {
		msgs := c.outbound(phone)
		last = msgs[len(msgs)-1].Text
		return strings.Contains(last, "pedidos")
	})
	if !strings.Contains(last, "não tem pedidos em aberto") {
		t.Fatalf("status answer = %q, want no open requests", last)
	}
}
