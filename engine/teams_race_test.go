package engine_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// teamsRounds is how many times each pair of administrators' saves is raced.
const teamsRounds = 50

// atOnce runs the functions on goroutines released together and waits for them.
func atOnce(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, f := range fns {
		wg.Go(func() {
			<-start
			f()
		})
	}
	close(start)
	wg.Wait()
}

// teamsBroken returns what breaks the office's teams as stored: a carteira entry naming an
// account that is not there, or an account with a department that is not there; "" when
// nothing does.
func teamsBroken(t *testing.T, e *engine.Engine) string {
	t.Helper()
	settings, err := e.DB().Settings("demo")
	if err != nil {
		t.Fatal(err)
	}
	staff, err := e.DB().StaffList("demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range settings.Portfolio {
		if !slices.ContainsFunc(staff, func(s balcao.Staff) bool { return s.User == p.Staff }) {
			return fmt.Sprintf("the carteira names %s, who is no longer in the team", p.Staff)
		}
	}
	for _, s := range staff {
		for _, d := range s.Departments {
			if _, ok := settings.Department(d); !ok {
				return fmt.Sprintf("%s has department %s, which the office no longer has", s.User, d)
			}
		}
	}
	return ""
}

// TestCarteiraAndStaffRemovalAtOnce: one administrator saves Preferências with a carteira
// naming a staff member while another removes that staff member. One of them wins and the
// other is refused: the carteira never names a removed account (which would hide that
// company's pending conversations from every attendant).
func TestCarteiraAndStaffRemovalAtOnce(t *testing.T) {
	// The accounts removed are stored before the engine starts: made through the API, each
	// would cost a bcrypt hash (most of a second under -race).
	dir := t.TempDir()
	offline(t, dir, func(_ *storage.DB, b *storage.Batch) {
		for round := range teamsRounds {
			user := fmt.Sprintf("pessoa%d", round)
			b.Put(storage.StaffKey("demo", user), &balcao.Staff{User: user, Name: "Pessoa " + user, Role: balcao.RoleAttendant, CreatedAt: time.Now()})
		}
	})
	e := startEngine(t, func(c *engine.Config) { c.DataDir = dir })
	a, b := newClient(t, e), newClient(t, e) // two administrators' browsers
	a.login("demo", "admin")
	b.login("demo", "admin")
	_, body := a.do("GET", "/api/settings", nil)
	settings := decode[map[string]any](t, body)
	for round := range teamsRounds {
		user := fmt.Sprintf("pessoa%d", round)
		settings["portfolio"] = []map[string]string{{"company": "padaria-pao-quente", "department": "pessoal", "staff": user}}
		var saved, removed int
		var savedBody, removedBody []byte
		atOnce(
			func() { saved, savedBody = a.do("PUT", "/api/settings", settings) },
			func() { removed, removedBody = b.do("DELETE", "/api/staff/"+user, nil) },
		)
		if broken := teamsBroken(t, e); broken != "" {
			t.Fatalf("round %d: settings saved = %d, %s removed = %d: %s", round, saved, user, removed, broken)
		}
		if (saved == http.StatusOK) == (removed == http.StatusNoContent) {
			t.Fatalf("round %d: settings saved = %d %s, %s removed = %d %s; want exactly one of them done", round, saved, savedBody, user, removed, removedBody)
		}
	}
}

// TestDepartmentRemovalAndStaffAtOnce: one administrator removes a department in Preferências
// while another gives it to a staff member. One of them wins and the other is refused: no
// account keeps a department the office no longer has.
func TestDepartmentRemovalAndStaffAtOnce(t *testing.T) {
	e := startEngine(t)
	a, b := newClient(t, e), newClient(t, e)
	a.login("demo", "admin")
	b.login("demo", "admin")
	_, body := a.do("GET", "/api/settings", nil)
	settings := decode[map[string]any](t, body)
	departments := settings["departments"].([]any)
	bruno := func(departments ...string) map[string]any {
		return map[string]any{"name": "Bruno Alves", "role": "atendente", "departments": append([]string{}, departments...)}
	}
	for round := range teamsRounds {
		dept := fmt.Sprintf("setor-%d", round)
		settings["departments"] = append(slices.Clone(departments), map[string]string{"id": dept, "name": "Setor " + dept})
		if status, body := a.do("PUT", "/api/settings", settings); status != http.StatusOK {
			t.Fatalf("round %d: add %s = %d %s", round, dept, status, body)
		}
		settings["departments"] = departments
		var saved, given int
		var savedBody, givenBody []byte
		atOnce(
			func() { saved, savedBody = a.do("PUT", "/api/settings", settings) },
			func() { given, givenBody = b.do("PUT", "/api/staff/bruno", bruno(dept)) },
		)
		if broken := teamsBroken(t, e); broken != "" {
			t.Fatalf("round %d: %s removed = %d, given to bruno = %d: %s", round, dept, saved, given, broken)
		}
		if (saved == http.StatusOK) == (given == http.StatusOK) {
			t.Fatalf("round %d: %s removed = %d %s, given to bruno = %d %s; want exactly one of them done", round, dept, saved, savedBody, given, givenBody)
		}
		if status, body := a.do("PUT", "/api/staff/bruno", bruno()); status != http.StatusOK {
			t.Fatalf("round %d: take bruno's departments = %d %s", round, status, body)
		}
	}
}
