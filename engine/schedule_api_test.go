package engine_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/balcao/balcao"
)

type fieldsBody struct {
	Error struct {
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields"`
	} `json:"error"`
}

// TestScheduleAPIErrors: roles, unknown ids and every wrong field of lists, schedules and
// broadcasts, with nothing stored by a refused request.
func TestScheduleAPIErrors(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")

	for _, r := range []struct{ method, path string }{
		{"GET", "/api/lists"}, {"POST", "/api/lists"}, {"PUT", "/api/lists/x"}, {"DELETE", "/api/lists/x"},
		{"GET", "/api/schedules"}, {"POST", "/api/schedules"}, {"GET", "/api/schedules/x"}, {"PUT", "/api/schedules/x"},
		{"DELETE", "/api/schedules/x"}, {"POST", "/api/broadcasts"}, {"GET", "/api/sends"},
	} {
		var body any
		if r.method == "POST" || r.method == "PUT" {
			body = map[string]any{}
		}
		if status, raw := ana.do(r.method, r.path, body); status != http.StatusForbidden {
			t.Errorf("attendant %s %s = %d %s, want 403", r.method, r.path, status, raw)
		}
	}

	expectFields := func(what string, status int, raw []byte, fields ...string) {
		t.Helper()
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("%s = %d %s, want 422", what, status, raw)
		}
		got := decode[fieldsBody](t, raw).Error.Fields
		for _, f := range fields {
			if got[f] == "" {
				t.Errorf("%s: no message for %s in %v", what, f, got)
			}
		}
	}
	status, raw := admin.do("POST", "/api/lists", map[string]any{"name": "", "contacts": []string{"12", "5548999990001", "5548988887777"}, "companies": []string{"nope"}})
	expectFields("bad list", status, raw, "name", "contacts.0", "contacts.2", "companies.0")
	status, raw = admin.do("POST", "/api/lists", map[string]any{"name": "Vazia"})
	expectFields("empty list", status, raw, "contacts")
	if status, raw := admin.do("PUT", "/api/lists/nope", map[string]any{"name": "X", "contacts": []string{"5548999990001"}}); status != http.StatusNotFound {
		t.Fatalf("PUT unknown list = %d %s", status, raw)
	}
	if status, raw := admin.do("DELETE", "/api/lists/nope", nil); status != http.StatusNotFound {
		t.Fatalf("DELETE unknown list = %d %s", status, raw)
	}
	_, raw = admin.do("GET", "/api/lists", nil)
	if lists := decode[struct{ Lists []balcao.BroadcastList }](t, raw).Lists; len(lists) != 0 {
		t.Fatalf("refused lists were stored: %s", raw)
	}
	status, raw = admin.do("POST", "/api/lists", map[string]any{"name": "Clientes", "contacts": []string{"+55 (48) 99999-0001"}, "companies": []string{"tech-floripa"}})
	if status != http.StatusCreated {
		t.Fatalf("create list = %d %s", status, raw)
	}
	list := decode[struct{ List balcao.BroadcastList }](t, raw).List
	if len(list.Contacts) != 1 || list.Contacts[0] != "5548999990001" {
		t.Fatalf("list contacts = %v, want the normalized phone", list.Contacts)
	}

	status, raw = admin.do("POST", "/api/schedules", map[string]any{
		"name": "", "text": "", "enabled": true,
		"target":     map[string]string{"kind": "group", "id": "x"},
		"recurrence": map[string]any{"kind": "weekly", "time": "7h", "weekdays": []string{}},
		"request":    map[string]string{"intent": "pizza", "competence": "ontem"},
	})
	expectFields("bad schedule", status, raw, "name", "text", "target.kind", "recurrence.time", "recurrence.weekdays", "request.intent", "request.competence")
	status, raw = admin.do("POST", "/api/schedules", map[string]any{
		"name": "Holerite", "text": "Segue o holerite.", "enabled": true,
		"target":     map[string]string{"kind": "company", "id": "nope"},
		"recurrence": map[string]any{"kind": "business_day", "time": "09:00", "day": 25},
	})
	expectFields("unknown company, day 25", status, raw, "target.id", "recurrence.day")
	status, raw = admin.do("POST", "/api/schedules", map[string]any{
		"name": "Aviso", "text": "Oi", "enabled": true,
		"target":     map[string]string{"kind": "contact", "id": "5548988887777"},
		"recurrence": map[string]any{"kind": "once", "at": "2020-01-01T10:00"},
	})
	expectFields("unknown contact, past", status, raw, "target.id", "recurrence.at")
	status, raw = admin.do("POST", "/api/schedules", map[string]any{
		"name": "Aviso", "text": "Oi", "enabled": true,
		"target":     map[string]string{"kind": "list", "id": list.ID},
		"recurrence": map[string]any{"kind": "once", "at": "amanhã"},
	})
	expectFields("unreadable date", status, raw, "recurrence.at")
	if status, raw := admin.do("PUT", "/api/schedules/nope", map[string]any{
		"name": "Aviso", "text": "Oi", "enabled": true, "target": map[string]string{"kind": "list", "id": list.ID},
		"recurrence": map[string]any{"kind": "daily", "time": "09:00"},
	}); status != http.StatusNotFound {
		t.Fatalf("PUT unknown schedule = %d %s", status, raw)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if status, raw := admin.do(m, "/api/schedules/nope", nil); status != http.StatusNotFound {
			t.Fatalf("%s unknown schedule = %d %s", m, status, raw)
		}
	}
	_, raw = admin.do("GET", "/api/schedules", nil)
	if list := decode[struct{ Schedules []balcao.Schedule }](t, raw).Schedules; len(list) != 0 {
		t.Fatalf("refused schedules were stored: %s", raw)
	}

	// A valid one: "todo dia 5, o holerite do mês anterior".
	status, raw = admin.do("POST", "/api/schedules", map[string]any{
		"name": "Holerite", "text": "Segue o holerite do mês anterior.", "enabled": true,
		"target":     map[string]string{"kind": "company", "id": "padaria-pao-quente"},
		"recurrence": map[string]any{"kind": "monthly", "time": "08:00", "day": 5},
		"request":    map[string]string{"intent": "holerite", "competence": "previous_month"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create schedule = %d %s", status, raw)
	}
	sc := decode[struct{ Schedule balcao.Schedule }](t, raw).Schedule
	if sc.Next.IsZero() || sc.Next.In(spLoc).Day() != 5 || sc.CreatedBy != "admin" || !sc.Next.After(time.Now()) {
		t.Fatalf("schedule = %+v", sc)
	}
	// A list in use by a schedule cannot be removed.
	status, raw = admin.do("POST", "/api/schedules", map[string]any{
		"name": "Semanal", "text": "Bom dia!", "enabled": true,
		"target":     map[string]string{"kind": "list", "id": list.ID},
		"recurrence": map[string]any{"kind": "weekly", "time": "08:00", "weekdays": []string{"mon"}},
	})
	if status != http.StatusCreated {
		t.Fatalf("create weekly = %d %s", status, raw)
	}
	weekly := decode[struct{ Schedule balcao.Schedule }](t, raw).Schedule
	if status, raw := admin.do("DELETE", "/api/lists/"+list.ID, nil); status != http.StatusConflict || !strings.Contains(string(raw), "Semanal") {
		t.Fatalf("DELETE list in use = %d %s, want 409", status, raw)
	}
	if status, raw := admin.do("DELETE", "/api/schedules/"+weekly.ID, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE schedule = %d %s", status, raw)
	}
	if status, raw := admin.do("DELETE", "/api/lists/"+list.ID, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE list = %d %s", status, raw)
	}

	status, raw = admin.do("POST", "/api/broadcasts", map[string]any{"list": "nope", "text": " "})
	expectFields("bad broadcast", status, raw, "list", "text")
	if status, _ := admin.do("POST", "/api/broadcasts", "not an object"); status != http.StatusBadRequest {
		t.Fatalf("malformed broadcast = %d, want 400", status)
	}
}

// TestBroadcastToListWithLongName: the schedule a broadcast makes is named after its list, cut
// to a schedule name's 100 characters (a list of 88 to 100 was refused for a name nobody typed).
func TestBroadcastToListWithLongName(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	name := strings.Repeat("Clientes do Simples ", 5)[:95]
	status, raw := admin.do("POST", "/api/lists", map[string]any{"name": name, "contacts": []string{"5548999990001"}})
	if status != http.StatusCreated {
		t.Fatalf("create list = %d %s", status, raw)
	}
	list := decode[struct{ List balcao.BroadcastList }](t, raw).List
	status, raw = admin.do("POST", "/api/broadcasts", map[string]any{"list": list.ID, "text": "Comunicado do escritório."})
	if status != http.StatusCreated {
		t.Fatalf("broadcast to a list of %d characters = %d %s, want 201", len(name), status, raw)
	}
	sc := decode[struct{ Schedule balcao.Schedule }](t, raw).Schedule
	if n := utf8.RuneCountInString(sc.Name); n != 100 || !strings.HasPrefix(sc.Name, "Transmissão: Clientes do Simples") || !strings.HasSuffix(sc.Name, "…") {
		t.Fatalf("broadcast name = %q (%d characters), want the list's name cut to 100 with …", sc.Name, n)
	}
}
