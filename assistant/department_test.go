package assistant

import (
	"strings"
	"testing"
)

var officeDepartments = []Department{
	{ID: "pessoal", Name: "Pessoal"}, {ID: "fiscal", Name: "Fiscal"},
	{ID: "contabil", Name: "Contábil"}, {ID: "financeiro", Name: "Financeiro"},
}

func distributed(text string) Input {
	in := input(text)
	in.Settings.Departments = officeDepartments
	in.Settings.Distribution = true
	return in
}

func wantDepartmentList(t *testing.T, turn Turn) {
	t.Helper()
	got := joined(turn)
	if turn.Handover || turn.State.Awaiting != AwaitDepartment {
		t.Fatalf("turn = %q, handover %v, state %+v; want the department list awaited", got, turn.Handover, turn.State)
	}
	for _, want := range []string{"Com qual setor você quer falar?", "1 - Pessoal", "2 - Fiscal", "3 - Contábil", "4 - Financeiro"} {
		if !strings.Contains(got, want) {
			t.Errorf("list = %q, want %q in it", got, want)
		}
	}
}

func TestRespondDepartmentChoice(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   string
	}{
		{"by number", "2", "fiscal"},
		{"by number, last", "4", "financeiro"},
		{"by name", "Fiscal", "fiscal"},
		{"by name without accent", "contabil", "contabil"},
		{"by name with accent", "contábil", "contabil"},
		{"by prefix", "fisc", "fiscal"},
		{"by prefix in a sentence", "com o pess por favor", "pessoal"},
		{"by name in a sentence", "quero falar com o setor financeiro", "financeiro"},
		{"in capitals", "CONTÁBIL", "contabil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turns := converse(State{Greeted: true}, distributed(""), "quero falar com um atendente", tt.answer)
			wantDepartmentList(t, turns[0])
			last := turns[1]
			if !last.Handover || last.Department != tt.want || last.State.Awaiting != "" {
				t.Fatalf("answer %q: handover %v department %q state %+v, want a handover to %q", tt.answer, last.Handover, last.Department, last.State, tt.want)
			}
			if got := joined(last); !strings.HasPrefix(got, "Certo! "+msgHandover) {
				t.Errorf("answer %q = %q, want the hand-over text", tt.answer, got)
			}
		})
	}
}

func TestRespondDepartmentMenuOption(t *testing.T) {
	turns := converse(State{Greeted: true}, distributed(""), "7", "1")
	wantDepartmentList(t, turns[0])
	if !turns[1].Handover || turns[1].Department != "pessoal" {
		t.Errorf("menu 7 then 1: handover %v department %q, want pessoal", turns[1].Handover, turns[1].Department)
	}
}

func TestRespondDepartmentNamedAtOnce(t *testing.T) {
	turn := Respond(State{Greeted: true}, distributed("quero falar com alguém do fiscal"))
	if !turn.Handover || turn.Department != "fiscal" {
		t.Errorf("a person of a named department: handover %v department %q, want fiscal at once", turn.Handover, turn.Department)
	}
}

func TestRespondDepartmentMisses(t *testing.T) {
	turns := converse(State{Greeted: true}, distributed(""), "quero falar com um atendente", "sei lá", "9", "quero uma pessoa")
	for i, misses := range []int{1, 2} {
		turn := turns[i+1]
		if turn.Handover || turn.State.Misses != misses || turn.State.Awaiting != AwaitDepartment {
			t.Fatalf("miss %d: handover %v state %+v, want the list again and %d misses", i+1, turn.Handover, turn.State, misses)
		}
		if !strings.Contains(joined(turn), "1 - Pessoal") {
			t.Errorf("miss %d = %q, want the list repeated", i+1, joined(turn))
		}
	}
	if !strings.Contains(joined(turns[2]), msgPickFromList) {
		t.Errorf("a number off the list = %q, want %q", joined(turns[2]), msgPickFromList)
	}
	last := turns[3]
	if !last.Handover || last.Department != "" || last.State.Misses != 0 || last.State.Awaiting != "" {
		t.Errorf("third miss: handover %v department %q state %+v, want a handover without a department", last.Handover, last.Department, last.State)
	}
	if !strings.HasPrefix(joined(last), leadMisses) {
		t.Errorf("third miss = %q, want the apology", joined(last))
	}
}

func TestRespondDepartmentInterrupted(t *testing.T) {
	turns := converse(State{Greeted: true}, distributed(""), "quero falar com um atendente", "na verdade me manda o das de setembro")
	wantRequest(t, turns[1], Request{Intent: DAS, Competence: "2026-09", CompanyID: "c1"})

	turns = converse(State{Greeted: true}, distributed(""), "7", "obrigado")
	if turns[1].Handover || turns[1].State.Awaiting != "" || !strings.Contains(joined(turns[1]), "Por nada") {
		t.Errorf("thanks while choosing a department = %q, state %+v", joined(turns[1]), turns[1].State)
	}
	turns = converse(State{Greeted: true}, distributed(""), "7", "menu")
	if turns[1].State.Awaiting != "" || !strings.Contains(joined(turns[1]), "1 - Holerite") {
		t.Errorf("menu while choosing a department = %q, state %+v", joined(turns[1]), turns[1].State)
	}
}

func TestRespondNoDistribution(t *testing.T) {
	tests := []struct {
		name string
		in   func(Input) Input
	}{
		{"off", func(in Input) Input { in.Settings.Distribution = false; return in }},
		{"one department", func(in Input) Input { in.Settings.Departments = officeDepartments[:1]; return in }},
		{"no departments", func(in Input) Input { in.Settings.Departments = nil; return in }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turn := Respond(State{Greeted: true}, tt.in(distributed("quero falar com o fiscal")))
			if !turn.Handover || turn.Department != "" || turn.State.Awaiting != "" {
				t.Errorf("handover %v department %q state %+v, want a plain handover", turn.Handover, turn.Department, turn.State)
			}
		})
	}
	// A list asked before distribution was turned off is still answered while departments exist.
	in := distributed("2")
	in.Settings.Distribution = false
	if turn := Respond(State{Greeted: true, Awaiting: AwaitDepartment}, in); !turn.Handover || turn.Department != "fiscal" {
		t.Errorf("answer after distribution off: handover %v department %q", turn.Handover, turn.Department)
	}
}

func TestRespondImpliedDepartment(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"holerite de outubro", "pessoal"},
		{"recibo de férias de setembro", "pessoal"},
		{"termo de rescisão do João", "pessoal"},
		{"relação de empregados", "pessoal"},
		{"guia do das de outubro", "fiscal"},
		{"fgts de outubro", "fiscal"},
		{"certidão negativa", "fiscal"},
		{"balancete de setembro", "contabil"},
		{"dre de 2025", "contabil"},
		{"boleto de honorários", "financeiro"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			in := input(tt.text) // implied also without distribution
			in.Settings.Departments = officeDepartments
			p := Parse(tt.text, ref)
			in.Settings.Disabled = map[Intent]bool{p.Intent: true}
			turn := Respond(State{Greeted: true}, in)
			if !turn.Handover || turn.Department != tt.want {
				t.Errorf("staff document %q (%s): handover %v department %q, want %q", tt.text, p.Intent, turn.Handover, turn.Department, tt.want)
			}
			in.Settings.Departments = officeDepartments[3:] // the office has no such department
			if tt.want != "financeiro" {
				if turn := Respond(State{Greeted: true}, in); turn.Department != "" {
					t.Errorf("%q without its department: department %q, want none", tt.text, turn.Department)
				}
			}
		})
	}
	for i := range intents {
		if i.IsDocument() && departmentOf[i] == "" {
			t.Errorf("document %s has no department", i)
		}
	}
}
