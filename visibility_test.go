package balcao

import "testing"

func TestCanSee(t *testing.T) {
	acme := []CompanyRef{{ID: "acme"}}
	portfolio := []PortfolioEntry{{Company: "acme", Department: "fiscal", Staff: "bia"}}
	var (
		admin   = Staff{User: "adm", Role: RoleAdmin}
		manager = Staff{User: "ger", Role: RoleManager}
		ana     = Staff{User: "ana", Role: RoleAttendant, Departments: []string{"pessoal"}}
		bia     = Staff{User: "bia", Role: RoleAttendant, Departments: []string{"pessoal"}}
		caio    = Staff{User: "caio", Role: RoleAttendant, Departments: []string{"fiscal"}}
		any     = Staff{User: "duda", Role: RoleAttendant}
	)
	cases := []struct {
		name     string
		settings Settings
		conv     ConversationView
		staff    Staff
		want     bool
	}{
		{"managers see everything", Settings{Restrict: true}, ConversationView{State: StatePending, Department: "fiscal"}, manager, true},
		{"administrators see everything", Settings{}, ConversationView{State: StateAttending, Attendant: "caio", Department: "fiscal"}, admin, true},
		{"assistant conversations are in everyone's Contatos", Settings{}, ConversationView{State: StateAssistant}, ana, true},
		{"pending of another department", Settings{}, ConversationView{State: StatePending, Department: "fiscal"}, ana, false},
		{"pending of my department", Settings{}, ConversationView{State: StatePending, Department: "fiscal"}, caio, true},
		{"attending of another department", Settings{}, ConversationView{State: StateAttending, Attendant: "caio", Department: "fiscal"}, ana, false},
		{"pending without department", Settings{}, ConversationView{State: StatePending}, ana, true},
		{"no departments covers all", Settings{}, ConversationView{State: StatePending, Department: "fiscal"}, any, true},
		{"my own service always", Settings{Restrict: true}, ConversationView{State: StateAttending, Attendant: "ana", Department: "fiscal"}, ana, true},
		{"carteira gives the company to its owner", Settings{Portfolio: portfolio}, ConversationView{State: StatePending, Department: "fiscal", Companies: acme}, bia, true},
		{"carteira takes it from the department", Settings{Portfolio: portfolio}, ConversationView{State: StatePending, Department: "fiscal", Companies: acme}, caio, false},
		{"carteira of another department does not apply", Settings{Portfolio: portfolio}, ConversationView{State: StatePending, Department: "pessoal", Companies: acme}, ana, true},
		{"carteira without department", Settings{Portfolio: portfolio}, ConversationView{State: StatePending, Companies: acme}, ana, false},
		{"restriction hides the unserved", Settings{Restrict: true}, ConversationView{State: StateAssistant}, ana, false},
		{"restriction keeps the served", Settings{Restrict: true}, ConversationView{State: StateAssistant, Served: []string{"ana"}}, ana, true},
		{"restriction keeps pending of my scope", Settings{Restrict: true}, ConversationView{State: StatePending, Department: "pessoal"}, ana, true},
		{"restriction hides others' services", Settings{Restrict: true}, ConversationView{State: StateAttending, Attendant: "caio", Department: "pessoal"}, ana, false},
	}
	for _, c := range cases {
		if got := CanSee(&c.settings, &c.staff, &c.conv); got != c.want {
			t.Errorf("%s: CanSee = %v, want %v", c.name, got, c.want)
		}
	}
}
