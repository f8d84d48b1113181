package engine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/balcao/balcao/engine"
)

// TestDistribution: with distribution on, a client who asks for a person gets the list of
// departments; the answer makes the conversation pending in that department, and finishing the
// service clears it.
func TestDistribution(t *testing.T) {
	clock := &fakeClock{}
	clock.set("2026-11-25 10:00") // a Wednesday morning: in office hours, no closed notice
	e := startEngine(t, func(c *engine.Config) { c.Now = clock.now })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"distribution": true}); status != http.StatusOK {
		t.Fatalf("settings: %d %s", status, body)
	}
	const phone = "5548999990003"
	type conv struct {
		Conversation struct {
			State      string `json:"state"`
			Department string `json:"department"`
		} `json:"conversation"`
	}
	get := func() conv {
		t.Helper()
		status, body := admin.do("GET", "/api/conversations/"+phone, nil)
		if status != http.StatusOK {
			t.Fatalf("conversation: %d %s", status, body)
		}
		return decode[conv](t, body)
	}

	if status, body := admin.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	list := "Com qual setor você quer falar?\n1 - Pessoal\n2 - Fiscal\n3 - Contábil\n4 - Financeiro\nResponda com o número ou o nome."
	admin.waitPhoneText(phone, list)
	if c := get(); c.Conversation.State != "assistant" || c.Conversation.Department != "" {
		t.Fatalf("while choosing: %+v, want the assistant and no department", c)
	}

	if status, body := admin.inbound("demo", phone, "2", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	admin.waitPhoneText(phone, "Certo! Vou chamar alguém da nossa equipe para te atender por aqui. 🙋")
	if c := get(); c.Conversation.State != "pending" || c.Conversation.Department != "fiscal" {
		t.Fatalf("after choosing 2: %+v, want pending in fiscal", c)
	}
	_, body := admin.do("GET", "/api/conversations?tab=pendentes", nil)
	if !strings.Contains(string(body), `"department":"fiscal"`) {
		t.Errorf("pending list = %s, want the department shown", body)
	}

	for _, step := range []string{"/start", "/finish"} {
		if status, body := admin.do("POST", "/api/conversations/"+phone+step, nil); status != http.StatusOK {
			t.Fatalf("%s: %d %s", step, status, body)
		}
	}
	if c := get(); c.Conversation.State != "assistant" || c.Conversation.Department != "" {
		t.Errorf("after finishing: %+v, want the assistant and no department", c)
	}
	// The service keeps its department for the history and its export.
	_, body = admin.do("GET", "/api/history", nil)
	if !strings.Contains(string(body), `"department":"fiscal"`) {
		t.Errorf("history = %s, want the service in fiscal", body)
	}
	_, body = admin.do("GET", "/api/history?format=csv", nil)
	if !strings.Contains(string(body), ";Fiscal\n") {
		t.Errorf("history CSV = %s, want the department's name in the setor column", body)
	}

	// A document the office keeps for its staff goes to its department without a list.
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"distribution": true, "rules": map[string]string{"holerite": "staff"}}); status != http.StatusOK {
		t.Fatalf("settings: %d %s", status, body)
	}
	if status, body := admin.inbound("demo", phone, "holerite de outubro", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the conversation pending in pessoal", func() bool {
		c := get()
		return c.Conversation.State == "pending" && c.Conversation.Department == "pessoal"
	})
}
