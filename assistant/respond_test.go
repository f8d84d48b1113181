package assistant

import (
	"strings"
	"testing"
)

var (
	acme    = Company{ID: "c1", Name: "ACME Ltda", CNPJ: "11222333000181"}
	padaria = Company{ID: "c2", Name: "Padaria Pão Quente", CNPJ: "44555666000199"}
)

func input(text string, companies ...Company) Input {
	if len(companies) == 0 {
		companies = []Company{acme}
	}
	return Input{
		Text:        text,
		Now:         ref,
		ContactName: "ana paula",
		Companies:   companies,
		Settings:    Settings{OfficeName: "Escritório Exato", Open: true},
	}
}

// converse sends the messages in order, carrying the state, and returns
// every turn.
func converse(st State, in Input, msgs ...string) []Turn {
	var turns []Turn
	for _, m := range msgs {
		in.Text = m
		t := Respond(st, in)
		turns = append(turns, t)
		st = t.State
	}
	return turns
}

func joined(t Turn) string { return strings.Join(t.Replies, "\n") }

func wantRequest(t *testing.T, turn Turn, want Request) {
	t.Helper()
	if turn.Request == nil {
		t.Fatalf("no request; replies %q, state %+v", turn.Replies, turn.State)
	}
	if *turn.Request != want {
		t.Errorf("request = %+v, want %+v", *turn.Request, want)
	}
	if turn.State.Awaiting != "" || turn.State.Draft != nil {
		t.Errorf("state after a complete request = %+v, want nothing pending", turn.State)
	}
}

func TestRespondGreeting(t *testing.T) {
	turn := Respond(State{}, input("oi"))
	got := joined(turn)
	if !strings.Contains(got, "Ana") || !strings.Contains(got, "1 - Holerite") || !strings.Contains(got, "Escritório Exato") {
		t.Errorf("Respond(oi) = %q, want a greeting with the first name, office and menu", got)
	}
	if !turn.State.Greeted {
		t.Error("state not greeted after a greeting")
	}
}

func TestRespondFirstContactRequest(t *testing.T) {
	turn := Respond(State{}, input("holerite de outubro"))
	wantRequest(t, turn, Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c1"})
	if len(turn.Replies) != 2 || !strings.HasPrefix(turn.Replies[0], "Olá, Ana!") {
		t.Errorf("replies = %q, want a greeting then the confirmation", turn.Replies)
	}
	if want := "Certo! Vou buscar o holerite de 10/2026 da ACME Ltda. Já te envio. 📄"; turn.Replies[1] != want {
		t.Errorf("confirmation = %q, want %q", turn.Replies[1], want)
	}
}

func TestRespondCompetenceFollowUp(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   string
	}{
		{"month name", "outubro", "2026-10"},
		{"bare number", "10", "2026-10"},
		{"future month number", "12", "2025-12"},
		{"relative", "o do mês passado", "2026-10"},
		{"numeric", "10/2026", "2026-10"},
		{"abbreviation", "set/25", "2025-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turns := converse(State{Greeted: true}, input(""), "preciso do holerite da Maria", tt.answer)
			if turns[0].State.Awaiting != AwaitCompetence || turns[0].Request != nil {
				t.Fatalf("first turn state = %+v, want awaiting competence", turns[0].State)
			}
			if !strings.Contains(joined(turns[0]), "Ex.: outubro ou 10/2026") {
				t.Errorf("question = %q, want an example", joined(turns[0]))
			}
			wantRequest(t, turns[1], Request{Intent: Holerite, Competence: tt.want, Person: "Maria", CompanyID: "c1"})
		})
	}
}

func TestRespondYearlyFollowUp(t *testing.T) {
	turns := converse(State{Greeted: true}, input(""), "informe de rendimentos", "2025")
	if !strings.Contains(joined(turns[0]), "Ex.: 2025") {
		t.Errorf("question = %q, want a year example", joined(turns[0]))
	}
	wantRequest(t, turns[1], Request{Intent: InformeRendimentos, Competence: "2025", CompanyID: "c1"})
}

func TestRespondNewIntentWhileAwaiting(t *testing.T) {
	turns := converse(State{Greeted: true}, input(""), "holerite", "na verdade o das de setembro")
	wantRequest(t, turns[1], Request{Intent: DAS, Competence: "2026-09", CompanyID: "c1"})

	turns = converse(State{Greeted: true}, input(""), "holerite", "obrigado")
	if turns[1].State.Draft != nil || !strings.Contains(joined(turns[1]), "Por nada") {
		t.Errorf("thanks while awaiting: %q, state %+v", joined(turns[1]), turns[1].State)
	}
}

func TestRespondCompanyChoice(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   string
	}{
		{"by number", "2", "c2"},
		{"by name", "padaria", "c2"},
		{"by part of the name with accent", "pão quente", "c2"},
		{"by first word", "acme", "c1"},
		{"by ordinal", "a primeira", "c1"},
		{"by CNPJ", "44555666000199", "c2"},
		{"by CNPJ with punctuation", "é o 44.555.666/0001-99", "c2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turns := converse(State{Greeted: true}, input("", acme, padaria), "das de outubro", tt.answer)
			if turns[0].State.Awaiting != AwaitCompany {
				t.Fatalf("first turn state = %+v, want awaiting company", turns[0].State)
			}
			if q := joined(turns[0]); !strings.Contains(q, "1 - ACME Ltda") || !strings.Contains(q, "2 - Padaria Pão Quente") {
				t.Errorf("question = %q, want a numbered list", q)
			}
			wantRequest(t, turns[1], Request{Intent: DAS, Competence: "2026-10", CompanyID: tt.want})
		})
	}
}

func TestRespondCompanyInRequest(t *testing.T) {
	turn := Respond(State{Greeted: true}, input("holerite de outubro da padaria", acme, padaria))
	wantRequest(t, turn, Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c2"})
}

// A company named with the request is kept while the competence is asked.
func TestRespondCompanyBeforeCompetence(t *testing.T) {
	turns := converse(State{Greeted: true}, input("", acme, padaria), "holerite da padaria", "outubro")
	if turns[0].State.Awaiting != AwaitCompetence {
		t.Fatalf("first turn state = %+v, want awaiting competence", turns[0].State)
	}
	wantRequest(t, turns[1], Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c2"})

	turns = converse(State{Greeted: true}, input("", acme, padaria), "das da acme", "mês passado")
	wantRequest(t, turns[1], Request{Intent: DAS, Competence: "2026-10", CompanyID: "c1"})
}

// A draft's company the contact no longer speaks for is asked again.
func TestRespondDraftCompanyGone(t *testing.T) {
	st := State{Greeted: true, Awaiting: AwaitCompetence, Draft: &Request{Intent: Holerite, CompanyID: "c9"}}
	turns := converse(st, input("", acme, padaria), "outubro", "2")
	if turns[0].State.Awaiting != AwaitCompany || turns[0].Request != nil {
		t.Fatalf("after the competence: state %+v, request %+v, want awaiting company", turns[0].State, turns[0].Request)
	}
	wantRequest(t, turns[1], Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c2"})
}

func TestRespondCompanyCNPJInRequest(t *testing.T) {
	turn := Respond(State{Greeted: true}, input("das de outubro do cnpj 11.222.333/0001-81", acme, padaria))
	wantRequest(t, turn, Request{Intent: DAS, Competence: "2026-10", CompanyID: "c1"})
}

func TestRespondCompanyIsNotAPerson(t *testing.T) {
	turn := Respond(State{Greeted: true}, input("holerite de outubro da padaria", padaria))
	wantRequest(t, turn, Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c2"})
}

func TestRespondCompetenceThenCompany(t *testing.T) {
	turns := converse(State{Greeted: true}, input("", acme, padaria), "fgts", "mes passado", "1")
	if turns[1].State.Awaiting != AwaitCompany {
		t.Fatalf("after competence: state %+v, want awaiting company", turns[1].State)
	}
	wantRequest(t, turns[2], Request{Intent: FGTS, Competence: "2026-10", CompanyID: "c1"})
}

func TestRespondThreeMisses(t *testing.T) {
	in := input("")
	in.Settings.Open = false
	in.Settings.NextOpen = "amanhã às 08:00"
	turns := converse(State{Greeted: true}, in, "kkkk", "asdf", "🤔")
	for i, want := range []int{1, 2} {
		if turns[i].Handover || turns[i].State.Misses != want {
			t.Errorf("turn %d: handover %v misses %d, want no handover and %d misses", i, turns[i].Handover, turns[i].State.Misses, want)
		}
		if !strings.Contains(joined(turns[i]), "não entendi") {
			t.Errorf("turn %d = %q, want a 'não entendi'", i, joined(turns[i]))
		}
	}
	last := turns[2]
	if !last.Handover || last.State.Misses != 0 {
		t.Errorf("third miss: handover %v misses %d, want handover and misses reset", last.Handover, last.State.Misses)
	}
	if !strings.Contains(joined(last), "amanhã às 08:00") {
		t.Errorf("closed-office handover = %q, want NextOpen", joined(last))
	}
}

func TestRespondMissesResetWhenUnderstood(t *testing.T) {
	turns := converse(State{Greeted: true}, input(""), "kkkk", "asdf", "menu", "kkk")
	if turns[3].Handover || turns[3].State.Misses != 1 {
		t.Errorf("after menu: handover %v misses %d, want 1 miss", turns[3].Handover, turns[3].State.Misses)
	}
}

func TestRespondMissesWhileAwaitingCompetence(t *testing.T) {
	turns := converse(State{Greeted: true}, input(""), "holerite", "sei lá", "hmm", "kkk")
	if turns[1].State.Awaiting != AwaitCompetence || !strings.Contains(joined(turns[1]), "Ex.:") {
		t.Errorf("first miss: %q state %+v, want the question again", joined(turns[1]), turns[1].State)
	}
	if !turns[3].Handover {
		t.Errorf("third miss: no handover")
	}
}

func TestRespondDisabled(t *testing.T) {
	in := input("holerite de outubro")
	in.Settings.Disabled = map[Intent]bool{Holerite: true}
	turn := Respond(State{Greeted: true}, in)
	if !turn.Handover || turn.Request != nil {
		t.Errorf("disabled intent: handover %v request %v, want handover only", turn.Handover, turn.Request)
	}
	if !strings.Contains(joined(turn), "equipe") {
		t.Errorf("disabled reply = %q, want a person from the team", joined(turn))
	}
}

func TestRespondAtendente(t *testing.T) {
	tests := []struct {
		name     string
		open     bool
		wantText string
		noText   string
	}{
		{"open", true, "equipe", "fechado"},
		{"closed", false, "segunda às 08:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input("quero falar com um atendente")
			in.Settings.Open = tt.open
			in.Settings.NextOpen = "segunda às 08:00"
			turn := Respond(State{Greeted: true, Misses: 2}, in)
			got := joined(turn)
			if !turn.Handover || turn.State.Misses != 0 {
				t.Errorf("Respond(atendente): handover %v misses %d", turn.Handover, turn.State.Misses)
			}
			if !strings.Contains(got, tt.wantText) || (tt.noText != "" && strings.Contains(got, tt.noText)) {
				t.Errorf("Respond(atendente) = %q, want %q", got, tt.wantText)
			}
		})
	}
}

func TestRespondStatus(t *testing.T) {
	open := []string{"holerite 10/2026 (ACME)", "guia do FGTS 10/2026"}
	for _, text := range []string{"já ficou pronto?", "6"} { // in words, and by the menu
		in := input(text)
		in.OpenRequests = func() []string { return open }
		got := joined(Respond(State{Greeted: true}, in))
		for _, o := range open {
			if !strings.Contains(got, o) {
				t.Errorf("status for %q = %q, want %q listed", text, got, o)
			}
		}
	}
	asked := false
	in := input("holerite de outubro")
	in.OpenRequests = func() []string { asked = true; return nil }
	Respond(State{Greeted: true}, in)
	if asked {
		t.Error("the open requests were read for a message that is not about them")
	}
	in = input("já ficou pronto?")
	if got := joined(Respond(State{Greeted: true}, in)); !strings.Contains(got, "não tem pedidos") {
		t.Errorf("status with none = %q", got)
	}
}

// A message that names a document with the word "pedido" asks for it; only a
// status question about it lists the open requests.
func TestRespondPedidoNamesDocument(t *testing.T) {
	requests := []struct {
		text string
		want Request
	}{
		{"boa tarde, segue pedido: guia DAS competência 10/2026. Att.", Request{Intent: DAS, Competence: "2026-10", CompanyID: "c1"}},
		{"pedido: holerite de outubro", Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c1"}},
		{"faço o pedido da guia do FGTS do mês passado", Request{Intent: FGTS, Competence: "2026-10", CompanyID: "c1"}},
		{"novo pedido - DAS 09/2026", Request{Intent: DAS, Competence: "2026-09", CompanyID: "c1"}},
	}
	for _, tt := range requests {
		t.Run(tt.text, func(t *testing.T) {
			in := input(tt.text)
			in.OpenRequests = func() []string { return nil }
			turn := Respond(State{Greeted: true}, in)
			if got := joined(turn); strings.Contains(got, "não tem pedidos") {
				t.Errorf("Respond(%q) = %q, want the document requested", tt.text, got)
			}
			wantRequest(t, turn, tt.want)
		})
	}
	open := []string{"guia do DAS 10/2026"}
	for _, text := range []string{"como está meu pedido do DAS?", "e o pedido da guia do DAS, já saiu?", "status do pedido do holerite"} {
		t.Run(text, func(t *testing.T) {
			in := input(text)
			in.OpenRequests = func() []string { return open }
			turn := Respond(State{Greeted: true}, in)
			if got := joined(turn); turn.Request != nil || !strings.Contains(got, open[0]) {
				t.Errorf("Respond(%q) = %q (request %+v), want the open requests listed", text, got, turn.Request)
			}
		})
	}
}

func TestRespondThanks(t *testing.T) {
	got := joined(Respond(State{Greeted: true}, input("valeu!")))
	if got != "Por nada! Se precisar, é só chamar. 😊" {
		t.Errorf("Respond(valeu) = %q", got)
	}
}

func TestRespondMenuNumbers(t *testing.T) {
	tests := []struct {
		name string
		msgs []string
		want Request
	}{
		{"holerite", []string{"1", "outubro"}, Request{Intent: Holerite, Competence: "2026-10", CompanyID: "c1"}},
		{"guias sub-list", []string{"2", "2", "setembro"}, Request{Intent: FGTS, Competence: "2026-09", CompanyID: "c1"}},
		{"guia by name after the sub-list", []string{"2", "inss de outubro"}, Request{Intent: INSS, Competence: "2026-10", CompanyID: "c1"}},
		{"pessoal sub-list", []string{"4", "3"}, Request{Intent: Rescisao, CompanyID: "c1"}},
		{"contabil sub-list", []string{"5", "2", "2025"}, Request{Intent: DRE, Competence: "2025", CompanyID: "c1"}},
		{"generic guia word", []string{"me manda a guia", "1", "10/2026"}, Request{Intent: DAS, Competence: "2026-10", CompanyID: "c1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turns := converse(State{Greeted: true}, input(""), tt.msgs...)
			wantRequest(t, turns[len(turns)-1], tt.want)
		})
	}
	if turn := Respond(State{Greeted: true}, input("7")); !turn.Handover {
		t.Error("menu 7: no handover")
	}
	if got := joined(Respond(State{Greeted: true}, input("6"))); !strings.Contains(got, "pedidos") {
		t.Errorf("menu 6 = %q", got)
	}
}

func TestRespondDoesNotMutateInput(t *testing.T) {
	draft := &Request{Intent: Holerite}
	st := State{Awaiting: AwaitCompetence, Draft: draft, Greeted: true}
	Respond(st, input("outubro"))
	if draft.Competence != "" || st.Draft != draft {
		t.Errorf("Respond changed the caller's draft: %+v", *draft)
	}
}

func TestRespondNoCompanies(t *testing.T) {
	in := input("das de outubro")
	in.Companies = nil
	turn := Respond(State{Greeted: true}, in)
	if turn.Request == nil || turn.Request.CompanyID != "" {
		t.Errorf("no companies: request %+v", turn.Request)
	}
}

// A bare acknowledgement is desconhecido for Parse but is no miss: it is
// answered politely, also while a question is pending.
func TestRespondAcknowledgement(t *testing.T) {
	st := State{Greeted: true, Misses: 2}
	for _, text := range []string{"ok", "blz", "👍", "beleza"} {
		turn := Respond(st, input(text))
		if turn.Handover || turn.State.Misses != 0 || joined(turn) != msgThanks {
			t.Errorf("Respond(%q) = %q, handover %v, misses %d; want the polite close", text, joined(turn), turn.Handover, turn.State.Misses)
		}
	}
	turns := converse(State{Greeted: true}, input(""), "holerite", "ok")
	if last := turns[1]; last.State.Awaiting != "" || joined(last) != msgThanks {
		t.Errorf("ok while awaiting a competence = %q, state %+v; want the polite close", joined(last), last.State)
	}
}

// "menu" shows the numbered menu again, in any state, and drops a pending question: the
// number answered next is a menu option, not an answer to it.
func TestRespondMenuAgain(t *testing.T) {
	tests := []struct {
		name string
		msgs []string
	}{
		{"after a greeting", []string{"oi", "menu"}},
		{"caps and punctuation", []string{"MENU!"}},
		{"while a competence is asked", []string{"holerite", "menu"}},
		{"while a sub-list is shown", []string{"2", "menu"}},
		{"while a company is asked", []string{"das de outubro", "menu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turns := converse(State{Greeted: true}, input("", acme, padaria), tt.msgs...)
			last := turns[len(turns)-1]
			if got := joined(last); got != msgMenu {
				t.Errorf("Respond(%q) = %q, want the menu", tt.msgs[len(tt.msgs)-1], got)
			}
			if last.State.Awaiting != "" || last.State.Draft != nil || last.Handover {
				t.Errorf("state after the menu = %+v (handover %v), want nothing pending", last.State, last.Handover)
			}
		})
	}
}
