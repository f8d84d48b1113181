package actors

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/balcao/balcao"
)

// TestScopeKeepsVisibility: for every staff member and both visibility settings, a scope is
// visible exactly when its full view is (a field balcao.CanSee starts to read must be copied
// into scopes); a conversation's scope is the same pointer while only other fields change, and
// a new one when one of its own does.
func TestScopeKeepsVisibility(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	companies := []balcao.CompanyRef{{ID: "c1", Name: "Padaria"}, {ID: "c2", Name: "Oficina"}}
	staff := []balcao.Staff{
		{User: "adm", Role: balcao.RoleAdmin}, {User: "ger", Role: balcao.RoleManager},
		{User: "ana", Role: balcao.RoleAttendant}, {User: "bia", Role: balcao.RoleAttendant, Departments: []string{"fiscal"}},
		{User: "caio", Role: balcao.RoleAttendant, Departments: []string{"pessoal", "fiscal"}},
	}
	settings := []balcao.Settings{
		{}, {Restrict: true},
		{Portfolio: []balcao.PortfolioEntry{{Company: "c1", Department: "fiscal", Staff: "bia"}}},
		{Restrict: true, Portfolio: []balcao.PortfolioEntry{{Company: "c2", Staff: "caio"}}},
	}
	c := &conversation{}
	for i := range 2000 {
		v := &balcao.ConversationView{
			ID:        pick("5511900000001", "5511900000002"),
			State:     balcao.State(pick(string(balcao.StateAssistant), string(balcao.StatePending), string(balcao.StateAttending))),
			Attendant: pick("", "ana", "bia", "caio"), Department: pick("", "fiscal", "pessoal"),
			Served:    [][]string{nil, {"ana"}, {"bia", "caio"}}[r.IntN(3)],
			Companies: companies[:r.IntN(3)],
			Contact:   balcao.ContactView{Phone: "5511900000001", Name: pick("Maria", "João")},
			Unread:    i, LastAt: time.Unix(int64(i), 0), Preview: pick("oi", "segue a guia"), LastSeq: uint64(i),
		}
		s := c.scopeOf(v)
		for _, st := range staff {
			for _, set := range settings {
				if balcao.CanSee(&set, &st, s) != balcao.CanSee(&set, &st, v) {
					t.Fatalf("%s with %+v: scope %+v and view %+v disagree", st.User, set, s, v)
				}
			}
		}
		other := *v
		other.Preview, other.Unread, other.LastSeq, other.Contact.Name = "outra", i+1, uint64(i+1), "Outro"
		if c.scopeOf(&other) != s {
			t.Fatal("a change of preview, unread, sequence or name made a new scope")
		}
		other.Attendant += "x"
		if c.scopeOf(&other) == s {
			t.Fatal("a new attendant kept the old scope")
		}
	}
	if c.scopeOf(nil) != nil {
		t.Fatal("the scope of no view is not nil")
	}
}
