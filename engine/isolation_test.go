package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
)

// TestOfficesAreIsolated: one office's staff can never read or change another office's data.
func TestOfficesAreIsolated(t *testing.T) {
	e := startEngine(t)
	hash, _ := bcrypt.GenerateFromPassword([]byte(demoPassword), bcrypt.MinCost)
	now := time.Now()
	err := e.CreateOffice(context.Background(), engine.OfficeSpec{
		Office:    balcao.Office{ID: "outro", Name: "Outro Escritório", CreatedAt: now},
		Companies: []balcao.Company{{ID: "acme", Name: "ACME Ltda", CNPJ: balcao.CNPJCheckDigits("111222330001"), Enabled: true, UseAssistant: true}},
		Contacts:  []balcao.Contact{{Phone: "5521988887777", Name: "Rita", Companies: []string{"acme"}}},
		Staff:     []balcao.Staff{{User: "ana", Name: "Ana do Outro", Role: balcao.RoleAttendant, PasswordHash: hash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	demo := newClient(t, e)
	demo.login("demo", "ana")
	other := newClient(t, e)
	other.login("outro", "ana")

	if status, body := other.inbound("outro", "5521988887777", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := demo.inbound("demo", "5548999990001", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	wsDemo := demo.socket("")
	next(t, wsDemo, func(f wsFrame) bool { return f.Type == "hello" })

	_, body := demo.do("GET", "/api/conversations?tab=contatos", nil)
	if strings.Contains(string(body), "5521988887777") {
		t.Fatalf("demo staff sees the other office's conversation: %s", body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/conversations/5521988887777"},
		{"GET", "/api/conversations/5521988887777/messages"},
		{"POST", "/api/conversations/5521988887777/start"},
		{"POST", "/api/conversations/5521988887777/finish"},
	} {
		if status, body := demo.do(tc.method, tc.path, nil); status != http.StatusNotFound {
			t.Errorf("demo staff %s %s = %d %s, want 404", tc.method, tc.path, status, body)
		}
	}
	if status, _ := demo.do("POST", "/api/contacts/5521988887777/link", map[string]string{"company": "acme"}); status != http.StatusNotFound {
		t.Errorf("demo staff linked a phone to another office's company: %d", status)
	}
	// The other office's conversation is untouched, and its events never reach demo's socket.
	if status, body := other.do("POST", "/api/conversations/5521988887777/start", nil); status != 200 {
		t.Fatalf("other office start: %d %s", status, body)
	}
	if status, body := demo.do("POST", "/api/conversations/5548999990001/start", nil); status != 200 {
		t.Fatalf("demo start: %d %s", status, body)
	}
	f := next(t, wsDemo, func(f wsFrame) bool { return f.Type == "conversation.changed" })
	if !strings.Contains(string(f.Data), "5548999990001") {
		t.Fatalf("demo socket got %s, want only demo's events", f.Data)
	}
	_, body = other.do("GET", "/api/conversations?tab=atendimento", nil)
	if list := decode[convList](t, body); len(list.Conversations) != 1 || list.Conversations[0].Attendant != "ana" {
		t.Fatalf("other office's attendance = %s", body)
	}
}

// zeta marks everything of the other office, so that a demo answer showing any of it is found.
const zeta = "Zeta"

// otherOffice creates the office "outro", with an administrator (rita), a company, a client
// whose conversation had a service with a file and a document request, a canned answer, a
// broadcast list and a schedule, each named with zeta. It returns rita's session and the ids
// of those records by the placeholders of staffRoutes.
func otherOffice(t *testing.T, e *engine.Engine) (string, map[string]string) {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(demoPassword), bcrypt.MinCost)
	const phone = "5521988887777"
	err := e.CreateOffice(context.Background(), engine.OfficeSpec{
		Office:    balcao.Office{ID: "outro", Name: "Escritório " + zeta, CreatedAt: time.Now()},
		Companies: []balcao.Company{{ID: "acme", Name: "ACME " + zeta + " Ltda", CNPJ: balcao.CNPJCheckDigits("111222330001"), Enabled: true, UseAssistant: true}},
		Contacts:  []balcao.Contact{{Phone: phone, Name: "Rita " + zeta, Companies: []string{"acme"}}},
		Staff: []balcao.Staff{
			{User: "rita", Name: "Rita " + zeta, Role: balcao.RoleAdmin, PasswordHash: hash},
			{User: "zeca", Name: "Zeca " + zeta, Role: balcao.RoleAttendant, PasswordHash: hash},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rita := newClient(t, e)
	rita.login("outro", "rita")
	ok := func(what string, want int) func(int, []byte) []byte {
		return func(status int, body []byte) []byte {
			t.Helper()
			if status != want {
				t.Fatalf("outro: %s = %d %s, want %d", what, status, body, want)
			}
			return body
		}
	}
	ok("inbound", http.StatusAccepted)(rita.do("POST", "/sim/inbound", map[string]string{"office": "outro", "from": phone, "text": "quero falar com um atendente " + zeta}))
	ok("start", 200)(rita.do("POST", "/api/conversations/"+phone+"/start", nil))
	body := ok("attachment", http.StatusCreated)(rita.upload("/api/conversations/"+phone+"/attachments", zeta+".pdf", []byte("%PDF-1.4\n"+zeta+"\n%%EOF\n"), zeta))
	seq := decode[struct {
		Message struct{ ID uint64 } `json:"message"`
	}](t, body).Message.ID
	ok("finish", 200)(rita.do("POST", "/api/conversations/"+phone+"/finish", nil))
	var service string
	eventually(t, "the service in outro's history", func() bool {
		_, body := rita.do("GET", "/api/history", nil)
		list := decode[struct {
			Services []struct{ ID string } `json:"services"`
		}](t, body).Services
		if len(list) > 0 {
			service = list[0].ID
		}
		return service != ""
	})
	_, name := month(1)
	ok("document request", http.StatusAccepted)(rita.do("POST", "/sim/inbound", map[string]string{"office": "outro", "from": phone, "text": "me manda o holerite de " + name}))
	var job string
	eventually(t, "outro's job", func() bool {
		if jobs := rita.allJobs(); len(jobs) > 0 {
			job = jobs[0].ID
		}
		return job != ""
	})
	body = ok("canned", http.StatusCreated)(rita.do("POST", "/api/canned", map[string]any{"shortcut": "zeta", "text": "Resposta " + zeta}))
	canned := decode[struct{ Canned balcao.CannedAnswer }](t, body).Canned.ID
	body = ok("list", http.StatusCreated)(rita.do("POST", "/api/lists", map[string]any{"name": "Lista " + zeta, "contacts": []string{phone}, "companies": []string{"acme"}}))
	list := decode[struct{ List balcao.BroadcastList }](t, body).List.ID
	body = ok("schedule", http.StatusCreated)(rita.do("POST", "/api/schedules", map[string]any{"name": "Aviso " + zeta, "text": "Bom dia " + zeta, "enabled": true,
		"target": map[string]string{"kind": "list", "id": list}, "recurrence": map[string]any{"kind": "daily", "time": "09:00"}}))
	schedule := decode[struct{ Schedule balcao.Schedule }](t, body).Schedule.ID
	return loginToken(t, e, "outro", "rita"), map[string]string{
		"{conv}": phone, "{seq}": fmt.Sprint(seq), "{phone}": phone, "{company}": "acme", "{canned}": canned,
		"{user}": "zeca", "{service}": service, "{job}": job, "{list}": list, "{schedule}": schedule,
	}
}

// TestNoRouteServesAnotherOffice: with the ids of another office's records, every staff route
// answers 404 (or 403) to an administrator and to an attendant, changes nothing of that office,
// and no list shows anything of it; nor do ids of its records sent in a body reach them.
func TestNoRouteServesAnotherOffice(t *testing.T) {
	e := startEngine(t)
	other, ids := otherOffice(t, e)
	before := snapshot(t, e, other)
	if !strings.Contains(before, zeta) || !strings.Contains(before, ids["{conv}"]) {
		t.Fatalf("outro's snapshot shows none of its records: %s", before)
	}
	admin, attendant := loginToken(t, e, "demo", "admin"), loginToken(t, e, "demo", "ana")
	for _, who := range []struct{ name, token string }{{"admin", admin}, {"ana", attendant}} {
		for _, r := range staffRoutes {
			if r.method == "POST" && strings.HasSuffix(r.path, "/logout") || r.attendant && who.name == "admin" {
				continue // demo's administrator may make any phone a contact of demo's own
			}
			ct, valid := r.request()
			path := r.at(ids)
			what := fmt.Sprintf("demo's %s: %s %s", who.name, r.method, path)
			status, ctype, body := send(t, e, r.method, path, ct, valid, who.token)
			if strings.Contains(string(body), zeta) || (r.ids() && strings.Contains(string(body), `"`+ids["{conv}"]+`"`)) {
				t.Errorf("%s = %d %.400s: shows the other office's records", what, status, body)
			}
			switch {
			case !r.ids():
			case status == http.StatusNotFound || status == http.StatusForbidden:
				checkProblem(t, what, ctype, body)
			default:
				t.Errorf("%s = %d %.400s, want 404 or 403", what, status, body)
			}
		}
	}
	// Ids of the other office sent in bodies name nothing in demo.
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/lists", map[string]any{"name": "L", "contacts": []string{ids["{phone}"]}}},
		{"POST", "/api/lists", map[string]any{"name": "L", "companies": []string{"acme"}}},
		{"POST", "/api/schedules", map[string]any{"name": "S", "text": "Oi", "enabled": true, "target": map[string]string{"kind": "company", "id": "acme"}, "recurrence": map[string]any{"kind": "daily", "time": "09:00"}}},
		{"POST", "/api/schedules", map[string]any{"name": "S", "text": "Oi", "enabled": true, "target": map[string]string{"kind": "list", "id": ids["{list}"]}, "recurrence": map[string]any{"kind": "daily", "time": "09:00"}}},
		{"POST", "/api/schedules", map[string]any{"name": "S", "text": "Oi", "enabled": true, "target": map[string]string{"kind": "contact", "id": ids["{phone}"]}, "recurrence": map[string]any{"kind": "daily", "time": "09:00"}}},
		{"POST", "/api/broadcasts", map[string]any{"list": ids["{list}"], "text": "Oi"}},
		{"POST", "/api/contacts", map[string]any{"phone": "5548999990009", "name": "N", "companies": []string{"acme"}}},
		{"POST", "/api/addressbook", map[string]any{"phone": "5548999990009", "name": "N", "companies": []string{"acme"}}},
		{"POST", "/api/contacts/5548999990001/link", map[string]any{"company": "acme"}},
	} {
		raw, _ := json.Marshal(tc.body)
		status, ctype, body := send(t, e, tc.method, tc.path, "application/json", raw, admin)
		if status < 400 || status >= 500 || strings.Contains(string(body), zeta) {
			t.Errorf("demo's admin: %s %s %s = %d %s, want refused", tc.method, tc.path, raw, status, body)
		} else {
			checkProblem(t, tc.method+" "+tc.path, ctype, body)
		}
	}
	if after := snapshot(t, e, other); after != before {
		t.Fatalf("demo's requests changed the other office:\nbefore %s\nafter  %s", before, after)
	}
}
