package engine_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
)

// waitPhoneText waits until the phone has received a message equal to want and returns what it
// received.
func (c *client) waitPhoneText(phone, want string) []simMessage {
	c.t.Helper()
	var msgs []simMessage
	eventually(c.t, "the message "+want+" on the phone", func() bool {
		msgs = c.outbound(phone)
		for _, m := range msgs {
			if m.Text == want {
				return true
			}
		}
		return false
	})
	return msgs
}

// TestSettingsDefaults: any staff member reads the default texts (the greeting naming the
// office), the variables and the default departments; nobody logged out does.
func TestSettingsDefaults(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	if status, _ := ana.do("GET", "/api/settings/defaults", nil); status != http.StatusUnauthorized {
		t.Fatalf("defaults logged out = %d, want 401", status)
	}
	ana.login("demo", "ana") // an attendant
	status, body := ana.do("GET", "/api/settings/defaults", nil)
	if status != http.StatusOK {
		t.Fatalf("defaults = %d %s", status, body)
	}
	d := decode[balcao.SettingsDefaults](t, body)
	if len(d.Messages) != len(balcao.MessageKeys) {
		t.Errorf("messages = %q, want one per key %q", d.Messages, balcao.MessageKeys)
	}
	if want := "Olá, {cliente}! 👋 Sou o assistente virtual do Escritório Demo."; d.Messages[balcao.MessageGreeting] != want {
		t.Errorf("greeting = %q, want %q", d.Messages[balcao.MessageGreeting], want)
	}
	if strings.Join(d.Variables, ",") != "cliente,empresa,atendente,competencia" {
		t.Errorf("variables = %q", d.Variables)
	}
	if strings.Join(d.KeyVariables[balcao.MessageOutOfHours], ",") != "abertura" {
		t.Errorf("keyVariables = %q, want abertura for out_of_hours", d.KeyVariables)
	}
	if len(d.Departments) != 4 || d.Departments[1].ID != "fiscal" || d.Departments[2].Name != "Contábil" {
		t.Errorf("departments = %+v, want the defaults", d.Departments)
	}
}

// TestOfficeMessages: an administrator's texts reach the client with their variables filled;
// a wrong text is refused with a message per field and changes nothing.
func TestOfficeMessages(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	put := func(msgs map[string]string) (int, []byte) {
		t.Helper()
		return admin.do("PUT", "/api/settings", map[string]any{"messages": msgs})
	}
	greeting := "Oi, {cliente}! Aqui é o atendimento da {empresa}."
	finished := "Atendimento concluído por {atendente}. Até logo, {cliente}!"
	notLinked := "Seu número ainda não está no cadastro da {empresa}, {cliente}; já te respondemos."
	assistantOff := "Oi, {cliente}! A equipe da {empresa} te responde já."
	if status, body := put(map[string]string{balcao.MessageGreeting: greeting, balcao.MessageFinished: finished, balcao.MessageSurvey: "",
		balcao.MessageNotLinked: notLinked, balcao.MessageAssistantOff: assistantOff}); status != http.StatusOK {
		t.Fatalf("put messages: %d %s", status, body)
	}

	// A phone that is nobody's contact (no name, no company: the text tidied around them), and
	// a client of a company with the assistant off (Fernanda Costa, Construtora Ilha Bela).
	for phone, want := range map[string]string{
		"5548977776666": "Seu número ainda não está no cadastro; já te respondemos.",
		"5548999990004": "Oi, Fernanda! A equipe da Construtora Ilha Bela S.A. te responde já.",
	} {
		if status, body := admin.inbound("demo", phone, "bom dia", ""); status != http.StatusAccepted {
			t.Fatalf("inbound %s: %d %s", phone, status, body)
		}
		admin.waitPhoneText(phone, want)
	}

	const phone = "5548999990001" // Carlos Souza, Padaria Pão Quente Ltda
	if status, body := admin.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	msgs := admin.waitPhoneText(phone, "Oi, Carlos! Aqui é o atendimento da Padaria Pão Quente Ltda.")
	for _, m := range msgs {
		if strings.Contains(m.Text, "{") {
			t.Errorf("phone received %q, a variable not filled", m.Text)
		}
	}

	ana := newClient(t, e)
	ana.login("demo", "ana")
	for _, step := range []string{"/start", "/finish"} {
		if status, body := ana.do("POST", "/api/conversations/"+phone+step, nil); status != http.StatusOK {
			t.Fatalf("%s: %d %s", step, status, body)
		}
	}
	admin.waitPhoneText(phone, "Atendimento concluído por Ana Ribeiro. Até logo, Carlos!")

	// Wrong texts: 422 naming each field, and the stored texts stay.
	tests := []struct {
		name  string
		msgs  map[string]string
		field string
		want  string
	}{
		{"unknown variable", map[string]string{balcao.MessageGreeting: "Olá, {nome}!"}, "messages.greeting",
			"Variável desconhecida: {nome}. Use {cliente}, {empresa}, {atendente} ou {competencia}."},
		{"unknown key", map[string]string{"farewell": "Tchau"}, "messages.farewell", "Mensagem desconhecida."},
		{"too long", map[string]string{balcao.MessageHandover: strings.Repeat("a", 1001)}, "messages.handover", "Escreva até 1000 caracteres."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := put(tt.msgs)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("put %q = %d %s, want 422", tt.msgs, status, body)
			}
			fields := decode[struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}](t, body).Error.Fields
			if fields[tt.field] != tt.want {
				t.Errorf("fields = %q, want %s: %q", fields, tt.field, tt.want)
			}
		})
	}
	_, body := admin.do("GET", "/api/settings", nil)
	stored := decode[balcao.Settings](t, body).Messages
	if len(stored) != 4 || stored[balcao.MessageGreeting] != greeting || stored[balcao.MessageFinished] != finished ||
		stored[balcao.MessageNotLinked] != notLinked || stored[balcao.MessageAssistantOff] != assistantOff {
		t.Errorf("stored messages after refused changes = %q, want the four texts saved", stored)
	}

	// Settings without messages store an empty map, and the defaults come back.
	if status, body := admin.do("PUT", "/api/settings", map[string]any{}); status != http.StatusOK || !strings.Contains(string(body), `"messages":{}`) {
		t.Fatalf("put without messages = %d %s, want 200 and an empty map", status, body)
	}
	const other = "5548999990003" // João Pereira
	if status, body := admin.inbound("demo", other, "oi", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	admin.waitPhoneText(other, "Olá, João! 👋 Sou o assistente virtual do Escritório Demo.")
}

// TestAssistantFallbackTexts keeps the assistant's own wording (used when its caller passes no
// texts; the assistant may not import balcao) equal to the office defaults.
func TestAssistantFallbackTexts(t *testing.T) {
	const office = "Escritório Exato"
	in := assistant.Input{Text: "oi", ContactName: "ana", Companies: []assistant.Company{{ID: "c1", Name: "ACME"}},
		Settings: assistant.Settings{OfficeName: office, NextOpen: "amanhã às 08:00"}}
	greet := assistant.Respond(assistant.State{}, in).Replies
	vars := balcao.MessageVars{Cliente: "Ana", Abertura: "amanhã às 08:00"}
	if want := balcao.RenderMessage(balcao.DefaultMessage(balcao.MessageGreeting, office), vars); greet[0] != want {
		t.Errorf("assistant greeting = %q, office default %q", greet[0], want)
	}
	if want := balcao.DefaultMessage(balcao.MessageMenuHeader, office) + "\n"; !strings.HasPrefix(greet[1], want) {
		t.Errorf("assistant menu = %q, want the default header %q", greet[1], want)
	}
	in.Text = "quero falar com um atendente"
	got := assistant.Respond(assistant.State{Greeted: true}, in).Replies
	want := "Certo! " + balcao.DefaultMessage(balcao.MessageHandover, office) + "\n" +
		balcao.RenderMessage(balcao.DefaultMessage(balcao.MessageOutOfHours, office), vars)
	if len(got) != 1 || got[0] != want {
		t.Errorf("assistant hand-over while closed = %q, office defaults %q", got, want)
	}
}

// TestEngineTextsAreTheOffices: the texts the engine itself sends are the office's too: the
// line above the portal link, the notice of a request that waits for the office (with its
// company and competence) and the answer to a message the assistant failed on.
func TestEngineTextsAreTheOffices(t *testing.T) {
	e := startEngine(t, explodingAssistant)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"messages": map[string]string{
		balcao.MessagePortalLink:       "Seu acesso, {cliente}:",
		balcao.MessageJobPending:       "Aviso você quando o da {empresa} de {competencia} sair, {cliente}.",
		balcao.MessageProcessingFailed: "Recebemos, {cliente}! Já te chamamos.",
	}}); status != http.StatusOK {
		t.Fatalf("put messages: %d %s", status, body)
	}
	inbound := func(phone, text string) {
		t.Helper()
		if status, body := admin.inbound("demo", phone, text, ""); status != http.StatusAccepted {
			t.Fatalf("inbound %q: %d %s", text, status, body)
		}
	}

	const joao = "5548999990003" // João Pereira, Tech Floripa
	inbound(joao, "me manda o link do portal")
	eventually(t, "the portal link under the office's line", func() bool {
		return slices.ContainsFunc(admin.outbound(joao), func(m simMessage) bool {
			lead, link, ok := strings.Cut(m.Text, "\n")
			return ok && lead == "Seu acesso, João:" && strings.Contains(link, "/portal/")
		})
	})
	inbound(joao, "boom")
	admin.waitPhoneText(joao, "Recebemos, João! Já te chamamos.")

	comp, name := month(0) // this month's payroll is not calculated yet: the request waits
	label := comp[5:] + "/" + comp[:4]
	inbound("5548999990001", "holerite de "+name)
	admin.waitPhoneText("5548999990001", "Seu pedido (holerite de "+label+") precisa de uma ação do escritório. "+
		"Aviso você quando o da Padaria Pão Quente Ltda de "+label+" sair, Carlos.")
	// Mariana speaks for two companies: {empresa} is the one of the request, her second.
	inbound("5548999990002", "holerite de "+name)
	inbound("5548999990002", "2")
	admin.waitPhoneText("5548999990002", "Seu pedido (holerite de "+label+") precisa de uma ação do escritório. "+
		"Aviso você quando o da Clínica Vida Saudável ME de "+label+" sair, Mariana.")
}
