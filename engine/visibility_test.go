package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestVisibilityByCarteiraAndRestriction: an attendant sees the pending conversations of their
// scope only (the carteira gives Carlos's company to Bruno), in lists, counts, details and on
// the websocket; with message restriction on, Contatos keeps only what they served, and a
// conversation that leaves their view is announced as hidden.
func TestVisibilityByCarteiraAndRestriction(t *testing.T) {
	e := startEngine(t)
	admin, ana, bruno := newClient(t, e), newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	bruno.login("demo", "bruno")
	const carlos, mariana, joao = "5548999990001", "5548999990002", "5548999990003"

	admin.changeSettings(map[string]any{"portfolio": []map[string]string{{"company": "padaria-pao-quente", "department": "pessoal", "staff": "bruno"}}})
	wsAna, wsBruno := ana.socket(""), bruno.socket("")
	next(t, wsAna, func(f wsFrame) bool { return f.Type == "hello" })
	next(t, wsBruno, func(f wsFrame) bool { return f.Type == "hello" })

	pendingEvent := func(phone string) func(wsFrame) bool {
		return func(f wsFrame) bool {
			return f.Type == "conversation.changed" && strings.Contains(string(f.Data), `"id":"`+phone+`"`) && strings.Contains(string(f.Data), `"state":"pending"`)
		}
	}
	admin.inbound("demo", carlos, "quero falar com um atendente", "")
	next(t, wsBruno, pendingEvent(carlos))
	admin.inbound("demo", mariana, "quero falar com um atendente", "")
	next(t, wsBruno, pendingEvent(mariana))
	// Ana's socket gets Mariana's events and none of Carlos's, which came first.
	next(t, wsAna, func(f wsFrame) bool {
		if strings.Contains(string(f.Data), carlos) {
			t.Fatalf("ana's socket got an event of a conversation she may not see: %s %s", f.Type, f.Data)
		}
		return pendingEvent(mariana)(f)
	})

	ids := func(c *client, tab string) string {
		_, body := c.do("GET", "/api/conversations?tab="+tab, nil)
		var out []string
		for _, c := range decode[convList](t, body).Conversations {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids(ana, "pendentes"); got != mariana {
		t.Errorf("ana's pendentes = %q, want only %s", got, mariana)
	}
	if got := ids(bruno, "pendentes"); !strings.Contains(got, carlos) || !strings.Contains(got, mariana) {
		t.Errorf("bruno's pendentes = %q, want both", got)
	}
	if got := ids(admin, "pendentes"); !strings.Contains(got, carlos) {
		t.Errorf("the administrator's pendentes = %q, want every conversation", got)
	}
	_, body := ana.do("GET", "/api/conversations/counts", nil)
	if counts := decode[map[string]int](t, body); counts["pendentes"] != 1 {
		t.Errorf("ana's counts = %s, want 1 pending", body)
	}
	type queues struct {
		Pending     int `json:"pending"`
		Departments []struct {
			ID      string `json:"id"`
			Pending int    `json:"pending"`
		} `json:"departments"`
	}
	_, body = ana.do("GET", "/api/queues", nil)
	if q := decode[queues](t, body); q.Pending != 1 || q.Departments[0].ID != "" || q.Departments[0].Pending != 1 {
		t.Errorf("ana's queues = %s, want 1 pending with no department", body)
	}
	_, body = admin.do("GET", "/api/queues", nil)
	if q := decode[queues](t, body); q.Pending != 2 || len(q.Departments) != 5 || q.Departments[1].ID != "pessoal" {
		t.Errorf("the administrator's queues = %s, want 2 pending and the 4 default departments after the unassigned", body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/conversations/" + carlos},
		{"GET", "/api/conversations/" + carlos + "/messages"},
		{"POST", "/api/conversations/" + carlos + "/start"},
		{"POST", "/api/conversations/" + carlos + "/messages"},
	} {
		if status, body := ana.do(tc.method, tc.path, map[string]string{"text": "oi"}); status != http.StatusNotFound {
			t.Errorf("ana %s %s = %d %s, want 404", tc.method, tc.path, status, body)
		}
	}

	// Message restriction: Contatos keeps only what Ana served, plus pending of her scope.
	admin.inbound("demo", joao, "oi", "")
	eventually(t, "joão in ana's contatos", func() bool { return strings.Contains(ids(ana, "contatos"), joao) })
	admin.changeSettings(map[string]any{"restrict": true})
	if got := ids(ana, "contatos"); strings.Contains(got, joao) || !strings.Contains(got, mariana) {
		t.Errorf("ana's contatos under restriction = %q, want Mariana (pending, hers) and not João", got)
	}
	// Bruno takes Mariana: she leaves Ana's view, and Ana's socket says so.
	if status, body := bruno.do("POST", "/api/conversations/"+mariana+"/start", nil); status != http.StatusOK {
		t.Fatalf("bruno start: %d %s", status, body)
	}
	f := next(t, wsAna, func(f wsFrame) bool { return f.Type == "conversation.hidden" })
	if !strings.Contains(string(f.Data), mariana) {
		t.Errorf("hidden frame = %s, want Mariana's conversation", f.Data)
	}
	if status, _ := ana.do("GET", "/api/conversations/"+mariana, nil); status != http.StatusNotFound {
		t.Errorf("ana reads a conversation Bruno serves under restriction: %d, want 404", status)
	}

	// João, whom Ana never served, asks for a document: under restriction his request is not
	// hers either, in the request centre or through it.
	admin.inbound("demo", joao, "holerite de outubro", "")
	jobOf := func(c *client, phone string) string {
		for _, j := range c.allJobs() {
			if j.Phone == phone {
				return j.ID
			}
		}
		return ""
	}
	var job string
	eventually(t, "João's job in the request centre", func() bool { job = jobOf(admin, joao); return job != "" })
	if got := jobOf(ana, joao); got != "" {
		t.Errorf("ana lists João's job %s", got)
	}
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/jobs/" + job, nil},
		{"POST", "/api/jobs/" + job + "/reply", map[string]string{"text": "oi"}},
		{"POST", "/api/jobs/" + job + "/retry", nil},
		{"POST", "/api/contacts/" + joao + "/link", map[string]string{"company": "tech-floripa"}},
	} {
		if status, body := ana.do(tc.method, tc.path, tc.body); status != http.StatusNotFound {
			t.Errorf("ana %s %s = %d %s, want 404", tc.method, tc.path, status, body)
		}
	}
	if status, body := bruno.do("GET", "/api/jobs/"+job, nil); status != http.StatusNotFound {
		t.Errorf("bruno reads João's job under restriction: %d %s, want 404", status, body)
	}
}

// TestQueuesCountOnlyVisibleJobs: /api/queues is what the caller may see; under message
// restriction an attendant's request centre hides the jobs of conversations they never served,
// and so do the queues' job counts.
func TestQueuesCountOnlyVisibleJobs(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	admin.changeSettings(map[string]any{"restrict": true})
	_, name := month(0) // this month's payroll is not calculated: the job goes to pendentes
	if status, body := admin.inbound("demo", "5548999990003", "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "João's job in pendentes", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=pendentes", nil)
		return len(decode[jobList](t, body).Jobs) == 1
	})
	type queues struct {
		Jobs map[string]int `json:"jobs"`
	}
	if _, body := admin.do("GET", "/api/queues", nil); decode[queues](t, body).Jobs["pendentes"] != 1 {
		t.Fatalf("the administrator's queues = %s, want pendentes 1", body)
	}
	if _, body := ana.do("GET", "/api/jobs?tab=pendentes", nil); len(decode[jobList](t, body).Jobs) != 0 {
		t.Fatalf("ana's pendentes = %s, want none", body)
	}
	if _, body := ana.do("GET", "/api/queues", nil); decode[queues](t, body).Jobs["pendentes"] != 0 {
		t.Fatalf("ana's queues = %s, want pendentes 0: she may not see João's job", body)
	}
}

// TestCarteiraValidation: the carteira names known companies, departments and staff, one
// responsible per company and department; a wrong entry changes nothing.
func TestCarteiraValidation(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/settings", nil)
	settings := decode[map[string]any](t, body)
	settings["portfolio"] = []map[string]string{
		{"company": "padaria-pao-quente", "department": "pessoal", "staff": "bruno"},
		{"company": "nope", "department": "pessoal", "staff": "bruno"},
		{"company": "padaria-pao-quente", "department": "rh", "staff": "bruno"},
		{"company": "padaria-pao-quente", "department": "fiscal", "staff": "zé"},
		{"company": "padaria-pao-quente", "department": "pessoal", "staff": "ana"},
	}
	settings["departments"] = []map[string]string{{"id": "pessoal", "name": "Pessoal"}, {"id": "fiscal", "name": "Fiscal"}, {"id": "Bad Id", "name": "X"}}
	status, body := admin.do("PUT", "/api/settings", settings)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("PUT = %d %s, want 422", status, body)
	}
	for _, field := range []string{"portfolio.1", "portfolio.2", "portfolio.3", "portfolio.4", "departments.2"} {
		if !strings.Contains(string(body), `"`+field+`"`) {
			t.Errorf("422 body %s lacks field %s", body, field)
		}
	}
	if strings.Contains(string(body), `"portfolio.0"`) {
		t.Errorf("a valid entry was refused: %s", body)
	}
	_, body = admin.do("GET", "/api/settings", nil)
	if strings.Contains(string(body), "bruno") {
		t.Errorf("a refused carteira was saved: %s", body)
	}
	// A department still assigned to a staff member cannot go.
	if status, body := admin.do("PUT", "/api/staff/bruno", map[string]any{"name": "Bruno Alves", "role": "atendente", "departments": []string{"fiscal"}}); status != http.StatusOK {
		t.Fatalf("give bruno fiscal: %d %s", status, body)
	}
	settings["departments"] = []map[string]string{{"id": "pessoal", "name": "Pessoal"}}
	settings["portfolio"] = []map[string]string{}
	if status, body := admin.do("PUT", "/api/settings", settings); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "Bruno Alves") {
		t.Errorf("removing bruno's department: %d %s, want 422 naming him", status, body)
	}
	settings["departments"] = []map[string]string{}
	if status, body := admin.do("PUT", "/api/settings", settings); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"departments"`) {
		t.Errorf("no departments: %d %s, want 422 on departments", status, body)
	}
}

// TestVisibilityChangeMakesSocketsResync: saving a staff member's account closes their socket,
// and the one that reconnects from where it was is told to reload its lists (the replay, seen
// with the new departments, cannot take away what the old ones showed).
func TestVisibilityChangeMakesSocketsResync(t *testing.T) {
	e := startEngine(t)
	admin, bruno := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	bruno.login("demo", "bruno")
	ws := bruno.socket("")
	hello := next(t, ws, func(wsFrame) bool { return true })
	if status, body := admin.do("PUT", "/api/staff/bruno", map[string]any{"name": "Bruno Alves", "role": "atendente", "departments": []string{"fiscal"}}); status != http.StatusOK {
		t.Fatalf("give bruno fiscal: %d %s", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := ws.Read(ctx); err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation {
				t.Fatalf("socket ended with %v, want a policy violation", err)
			}
			break
		}
	}
	again := bruno.socket(fmt.Sprintf("?epoch=%s&since=%d", hello.Epoch, hello.Seq))
	if h := next(t, again, func(wsFrame) bool { return true }); h.Type != "hello" || !h.Resync {
		t.Fatalf("hello after the account changed = %+v, want resync", h)
	}
}

// TestNameChangeKeepsSockets: an account saved with the same role, departments and password
// (a new name) sees what it saw: its sockets stay open (a drop makes the browser reload
// everything; a new password ends its sessions, TestPasswordChangeEndsSessions).
func TestNameChangeKeepsSockets(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	ws := admin.socket("")
	next(t, ws, func(f wsFrame) bool { return f.Type == "hello" })
	if status, body := admin.do("PUT", "/api/staff/admin", map[string]any{"name": "Administradora", "role": "administrador"}); status != http.StatusOK {
		t.Fatalf("rename: %d %s", status, body)
	}
	if status, body := admin.inbound("demo", "5548999990001", "oi", "rename-1"); status >= 300 {
		t.Fatalf("inbound: %d %s", status, body)
	}
	next(t, ws, func(f wsFrame) bool { return f.Type == "message.added" }) // fails on a closed socket
}

// TestDepartmentVisibility: with distribution on, an attendant of one department (Bruno,
// Fiscal) sees the clients who picked it and not those who picked another, in the lists,
// counts and details and on the websocket; an attendant of every department (Ana) and a
// manager of one (Gil) see both.
func TestDepartmentVisibility(t *testing.T) {
	e := startEngine(t)
	admin, ana, bruno := newClient(t, e), newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"distribution": true}); status != http.StatusOK {
		t.Fatalf("turn distribution on: %d %s", status, body)
	}
	if status, body := admin.do("PUT", "/api/staff/bruno", map[string]any{"name": "Bruno Alves", "role": "atendente", "departments": []string{"fiscal"}}); status != http.StatusOK {
		t.Fatalf("give bruno fiscal: %d %s", status, body)
	}
	// A manager sees every department, whichever are theirs.
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "gil", "name": "Gil Moura", "role": "gerente",
		"password": demoPassword, "departments": []string{"fiscal"}}); status != http.StatusCreated {
		t.Fatalf("create the gerente: %d %s", status, body)
	}
	gil := newClient(t, e)
	gil.login("demo", "gil")
	ana.login("demo", "ana")
	bruno.login("demo", "bruno")
	ws := bruno.socket("")
	next(t, ws, func(f wsFrame) bool { return f.Type == "hello" })

	const carlos, joao = "5548999990001", "5548999990003"
	pick := func(phone, choice string) {
		t.Helper()
		for _, text := range []string{"quero falar com um atendente", choice} {
			if status, body := admin.inbound("demo", phone, text, ""); status != http.StatusAccepted {
				t.Fatalf("inbound %q: %d %s", text, status, body)
			}
		}
	}
	pick(carlos, "1") // Pessoal
	pick(joao, "2")   // Fiscal
	var carlosHidden bool
	next(t, ws, func(f wsFrame) bool {
		data := string(f.Data)
		if strings.Contains(data, carlos) {
			if f.Type == "conversation.hidden" {
				carlosHidden = true
			} else if strings.Contains(data, `"state":"pending"`) {
				t.Fatalf("bruno's socket got an event of Carlos, pending in Pessoal: %s %s", f.Type, data)
			}
		}
		return f.Type == "conversation.changed" && strings.Contains(data, `"id":"`+joao+`"`) && strings.Contains(data, `"state":"pending"`)
	})
	if !carlosHidden {
		t.Errorf("bruno's socket saw Carlos with the assistant and was not told he left his view")
	}

	ids := func(c *client, tab string) string {
		_, body := c.do("GET", "/api/conversations?tab="+tab, nil)
		var out []string
		for _, c := range decode[convList](t, body).Conversations {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids(bruno, "pendentes"); got != joao {
		t.Errorf("bruno's pendentes = %q, want only João (%s)", got, joao)
	}
	for name, c := range map[string]*client{"ana": ana, "gil": gil} {
		if got := ids(c, "pendentes"); !strings.Contains(got, carlos) || !strings.Contains(got, joao) {
			t.Errorf("%s's pendentes = %q, want both", name, got)
		}
	}
	_, body := bruno.do("GET", "/api/conversations/counts", nil)
	if counts := decode[map[string]int](t, body); counts["pendentes"] != 1 {
		t.Errorf("bruno's counts = %s, want 1 pending", body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/conversations/" + carlos},
		{"GET", "/api/conversations/" + carlos + "/messages"},
		{"POST", "/api/conversations/" + carlos + "/start"},
	} {
		if status, body := bruno.do(tc.method, tc.path, nil); status != http.StatusNotFound {
			t.Errorf("bruno %s %s = %d %s, want 404", tc.method, tc.path, status, body)
		}
	}
	if status, body := bruno.do("POST", "/api/conversations/"+joao+"/start", nil); status != http.StatusOK {
		t.Errorf("bruno takes João: %d %s", status, body)
	}
}

// TestCarteiraStaffIsNotRemoved: a staff member the carteira names cannot be removed until the
// carteira no longer names them (as a department still given to staff cannot be removed).
// Removed, they left the carteira naming nobody who could log in: the pending conversations
// of their companies were hidden from every attendant.
func TestCarteiraStaffIsNotRemoved(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	const carlos = "5548999990001" // Padaria Pão Quente
	admin.changeSettings(map[string]any{"portfolio": []map[string]string{{"company": "padaria-pao-quente", "department": "pessoal", "staff": "bruno"}}})
	if status, body := admin.inbound("demo", carlos, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	pending := func(c *client) string {
		_, body := c.do("GET", "/api/conversations?tab=pendentes", nil)
		var out []string
		for _, c := range decode[convList](t, body).Conversations {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	if got := pending(ana); strings.Contains(got, carlos) {
		t.Fatalf("ana's pendentes = %q, want Carlos only for Bruno, whom the carteira names", got)
	}

	status, body := admin.do("DELETE", "/api/staff/bruno", nil)
	if status != http.StatusConflict || !strings.Contains(decode[errBody](t, body).Error.Message, "carteira") {
		t.Fatalf("DELETE bruno while the carteira names him = %d %s, want 409 naming the carteira", status, body)
	}
	if _, body := admin.do("GET", "/api/staff", nil); !strings.Contains(string(body), `"user":"bruno"`) {
		t.Fatalf("staff after the refused removal = %s, want bruno still there", body)
	}
	admin.changeSettings(map[string]any{"portfolio": []map[string]string{}})
	if status, body := admin.do("DELETE", "/api/staff/bruno", nil); status != http.StatusNoContent {
		t.Fatalf("DELETE bruno out of the carteira = %d %s, want 204", status, body)
	}
	if got := pending(ana); !strings.Contains(got, carlos) {
		t.Errorf("ana's pendentes = %q, want Carlos once nobody answers for his company", got)
	}
}
