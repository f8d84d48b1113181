package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

func TestClientEnablement(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	valid := balcao.FormatCNPJ(balcao.CNPJCheckDigits("987654320001"))

	if status, body := ana.do("POST", "/api/companies", map[string]any{"name": "X", "cnpj": valid, "enabled": true}); status != http.StatusForbidden {
		t.Fatalf("attendant creates company = %d %s, want 403", status, body)
	}
	status, body := admin.do("POST", "/api/companies", map[string]any{"name": "", "cnpj": "11.111.111/1111-11", "enabled": true})
	eb := decode[struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}](t, body)
	if status != http.StatusUnprocessableEntity || eb.Error.Fields["cnpj"] == "" || eb.Error.Fields["name"] == "" {
		t.Fatalf("invalid company = %d %s, want 422 with name and cnpj errors", status, body)
	}
	status, body = admin.do("POST", "/api/companies", map[string]any{"name": "Farmácia São João", "cnpj": valid, "enabled": true, "useAssistant": true})
	created := decode[struct {
		Company balcao.Company `json:"company"`
	}](t, body).Company
	if status != http.StatusCreated || created.ID != "farmacia-sao-joao" || created.CNPJ != balcao.CNPJCheckDigits("987654320001") {
		t.Fatalf("create company = %d %s", status, body)
	}
	if status, body := admin.do("POST", "/api/companies", map[string]any{"name": "Outra", "cnpj": valid}); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "Farmácia") {
		t.Fatalf("duplicate CNPJ = %d %s, want 422 naming the other company", status, body)
	}

	// An unlinked phone writes, then is enabled as a contact of the new company.
	if status, body := ana.inbound("demo", "5547988881111", "oi", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := admin.do("POST", "/api/contacts", map[string]any{"phone": "(47) 98888-1111", "name": "Lúcia", "companies": []string{created.ID}}); status != http.StatusCreated {
		t.Fatalf("add contact = %d %s", status, body)
	}
	_, body = ana.do("GET", "/api/conversations/5547988881111", nil)
	if !strings.Contains(string(body), `"linked":true`) || !strings.Contains(string(body), "Farmácia São João") {
		t.Fatalf("conversation after enabling the contact = %s", body)
	}
	_, body = ana.do("GET", "/api/contacts?company="+created.ID, nil)
	if !strings.Contains(string(body), "5547988881111") {
		t.Fatalf("company contacts = %s", body)
	}

	// Disabling the company unlinks its contacts' conversations.
	if status, body := admin.do("PUT", "/api/companies/"+created.ID, map[string]any{"name": "Farmácia São João", "cnpj": valid, "enabled": false}); status != 200 {
		t.Fatalf("disable company = %d %s", status, body)
	}
	eventually(t, "the conversation to lose its disabled company", func() bool {
		_, body := ana.do("GET", "/api/conversations/5547988881111", nil)
		return strings.Contains(string(body), `"linked":false`)
	})
	if status, _ := admin.do("DELETE", "/api/contacts/5547988881111/companies/"+created.ID, nil); status != http.StatusNoContent {
		t.Fatalf("remove contact company = %d", status)
	}
	if status, _ := admin.do("DELETE", "/api/contacts/5547988881111/companies/"+created.ID, nil); status != http.StatusNotFound {
		t.Fatalf("remove again = %d, want 404", status)
	}
}

// TestOnePhoneContactOfSeveralCompanies: a phone added as a contact of a second company (as
// the Clientes screen adds one) stays a contact of the first; its conversation names both, and
// removing it from one leaves it a contact of the other.
func TestOnePhoneContactOfSeveralCompanies(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5547988882222"
	for _, company := range []string{"padaria-pao-quente", "tech-floripa"} {
		if status, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": "Rosa Antunes", "companies": []string{company}}); status >= 300 {
			t.Fatalf("add contact to %s = %d %s", company, status, body)
		}
	}
	listed := func(company string) bool {
		t.Helper()
		status, body := admin.do("GET", "/api/contacts?company="+company, nil)
		if status != http.StatusOK {
			t.Fatalf("contacts of %s = %d %s", company, status, body)
		}
		return strings.Contains(string(body), phone)
	}
	if !listed("padaria-pao-quente") || !listed("tech-floripa") {
		t.Fatalf("the phone is not a contact of both companies")
	}
	if status, body := admin.inbound("demo", phone, "oi", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	conversation := func() string {
		_, body := admin.do("GET", "/api/conversations/"+phone, nil)
		return string(body)
	}
	eventually(t, "the conversation to name both companies", func() bool {
		c := conversation()
		return strings.Contains(c, "Padaria") && strings.Contains(c, "Tech Floripa")
	})
	if status, body := admin.do("DELETE", "/api/contacts/"+phone+"/companies/padaria-pao-quente", nil); status != http.StatusNoContent {
		t.Fatalf("remove from padaria = %d %s", status, body)
	}
	if listed("padaria-pao-quente") || !listed("tech-floripa") {
		t.Fatalf("after removing it from padaria: a contact of padaria %v, of tech-floripa %v; want only tech-floripa", listed("padaria-pao-quente"), listed("tech-floripa"))
	}
	eventually(t, "the conversation to keep only Tech Floripa", func() bool {
		c := conversation()
		return !strings.Contains(c, "Padaria") && strings.Contains(c, "Tech Floripa") && strings.Contains(c, `"linked":true`)
	})
}

func TestStaffAccounts(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	carla := map[string]any{"user": "carla", "name": "Carla Dias", "role": "gerente", "password": "senha-da-carla"}
	if status, _ := ana.do("POST", "/api/staff", carla); status != http.StatusForbidden {
		t.Fatalf("attendant creates staff = %d, want 403", status)
	}
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "Carla!", "name": "", "role": "chefe", "password": "1"}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(body), `"user"`) || !strings.Contains(string(body), `"role"`) || !strings.Contains(string(body), `"password"`) {
		t.Fatalf("invalid staff = %d %s", status, body)
	}
	if status, body := admin.do("POST", "/api/staff", carla); status != http.StatusCreated || strings.Contains(string(body), "hash") {
		t.Fatalf("create staff = %d %s", status, body)
	}
	c := newClient(t, e)
	if status, body := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": "carla", "password": "senha-da-carla"}); status != 200 {
		t.Fatalf("carla logs in = %d %s", status, body)
	}
	// A gerente sees the team but does not manage it: only administradores do.
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/staff", map[string]any{"user": "davi", "name": "Davi Reis", "role": "atendente", "password": "senha-do-davi"}},
		{"PUT", "/api/staff/ana", map[string]any{"name": "Ana Ribeiro", "role": "gerente"}},
		{"PUT", "/api/staff/carla", map[string]any{"name": "Carla Dias", "role": "administrador"}},
		{"DELETE", "/api/staff/ana", nil},
	} {
		if status, body := c.do(req.method, req.path, req.body); status != http.StatusForbidden {
			t.Errorf("gerente %s %s = %d %s, want 403", req.method, req.path, status, body)
		}
	}
	if _, body := ana.do("GET", "/api/me", nil); !strings.Contains(string(body), `"role":"atendente"`) {
		t.Errorf("ana after a gerente's requests = %s, want still an atendente", body)
	}
	_, body := ana.do("GET", "/api/staff", nil)
	if !strings.Contains(string(body), "Carla Dias") || strings.Contains(string(body), "password") {
		t.Fatalf("staff list = %s", body)
	}
	if status, _ := admin.do("DELETE", "/api/staff/admin", nil); status != http.StatusConflict {
		t.Fatalf("admin deletes self = %d, want 409", status)
	}
	if status, _ := admin.do("DELETE", "/api/staff/carla", nil); status != http.StatusNoContent {
		t.Fatalf("delete carla = %d", status)
	}
	if status, _ := c.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("removed account's session = %d, want 401", status)
	}
}

// TestRemovedStaffSessionStaysDead: a removed account's sessions stop working, and a new
// account later made with the same user name (another person, another password) does not bring
// them back.
func TestRemovedStaffSessionStaysDead(t *testing.T) {
	e := startEngine(t)
	admin, old := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	old.login("demo", "bruno")
	if status, body := admin.do("DELETE", "/api/staff/bruno", nil); status != http.StatusNoContent {
		t.Fatalf("delete bruno: %d %s", status, body)
	}
	if status, _ := old.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("removed account's session = %d, want 401", status)
	}
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "bruno", "name": "Bruno Novo", "role": "gerente", "password": "outra-senha-123"}); status != http.StatusCreated {
		t.Fatalf("create the new bruno: %d %s", status, body)
	}
	if status, body := old.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("the removed person's session as the new account = %d %s, want 401", status, body)
	}
	if status, body := newClient(t, e).do("POST", "/api/login", map[string]string{"office": "demo", "user": "bruno", "password": "outra-senha-123"}); status != http.StatusOK {
		t.Fatalf("the new bruno logs in = %d %s", status, body)
	}
}

// TestPasswordChangeEndsSessions: a new password ends every session of the account, the
// sockets too (an administrator resets it when it may be in someone else's hands), also the
// session of an administrator who changes their own; saving the account without a password
// keeps them.
func TestPasswordChangeEndsSessions(t *testing.T) {
	e := startEngine(t)
	admin, ana1, ana2, bruno := newClient(t, e), newClient(t, e), newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana1.login("demo", "ana")
	ana2.login("demo", "ana")
	bruno.login("demo", "bruno")
	ws := ana1.socket("")
	next(t, ws, func(wsFrame) bool { return true }) // hello
	ana := map[string]any{"name": "Ana Ribeiro", "role": "atendente", "password": "nova-senha-da-ana"}
	if status, body := admin.do("PUT", "/api/staff/ana", ana); status != http.StatusOK {
		t.Fatalf("change ana's password: %d %s", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := ws.Read(ctx); err != nil {
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("ana's socket after her password changed ended with %v, want a policy violation", err)
			}
			break
		}
	}
	for i, c := range []*client{ana1, ana2} {
		if status, body := c.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
			t.Fatalf("ana's session %d after her password changed = %d %s, want 401", i+1, status, body)
		}
	}
	for _, c := range []*client{admin, bruno} {
		if status, body := c.do("GET", "/api/me", nil); status != http.StatusOK {
			t.Fatalf("another account's session after ana's password changed = %d %s", status, body)
		}
	}
	again := newClient(t, e)
	if status, body := again.do("POST", "/api/login", map[string]string{"office": "demo", "user": "ana", "password": "nova-senha-da-ana"}); status != http.StatusOK {
		t.Fatalf("ana logs in with her new password = %d %s", status, body)
	}
	delete(ana, "password")
	ana["name"] = "Ana R."
	if status, body := admin.do("PUT", "/api/staff/ana", ana); status != http.StatusOK {
		t.Fatalf("rename ana: %d %s", status, body)
	}
	if status, body := again.do("GET", "/api/me", nil); status != http.StatusOK {
		t.Fatalf("ana's session after her account was saved without a password = %d %s, want 200", status, body)
	}
	self := map[string]any{"name": "Administrador", "role": "administrador", "password": "nova-senha-do-admin"}
	if status, body := admin.do("PUT", "/api/staff/admin", self); status != http.StatusOK {
		t.Fatalf("admin changes their own password: %d %s", status, body)
	}
	if status, body := admin.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("the session that changed its own password = %d %s, want 401", status, body)
	}
}

// TestSessionsFromBeforeStamps: a session stored before sessions carried their account's
// stamp is refused (it cannot be told from a removed person's session on an account made again
// with the same user name): its staff member logs in again once. An account stored before
// stamps logs in and keeps its new session.
func TestSessionsFromBeforeStamps(t *testing.T) {
	dir := t.TempDir()
	e := startEngine(t, func(c *engine.Config) { c.DataDir = dir })
	ana := newClient(t, e)
	ana.login("demo", "ana")
	stop(t, e)
	offline(t, dir, func(db *storage.DB, b *storage.Batch) {
		err := db.Scan([]byte("sess/"), nil, false, func(k, v []byte) bool {
			var s balcao.Session
			if err := storage.Decode(v, &s); err != nil {
				t.Fatal(err)
			}
			s.Stamp = ""
			b.Put(bytes.Clone(k), &s)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		staff, err := db.Staff("demo", "ana")
		if err != nil {
			t.Fatal(err)
		}
		staff.Stamp = ""
		b.Put(storage.StaffKey("demo", "ana"), &staff)
	})
	e = startEngine(t, func(c *engine.Config) { c.DataDir = dir })
	ana.base = "http://" + e.Addr() // the same cookie jar
	if status, body := ana.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("a session stored without a stamp = %d %s, want 401", status, body)
	}
	ana.login("demo", "ana")
	if status, body := ana.do("GET", "/api/me", nil); status != http.StatusOK {
		t.Fatalf("a new session of an account stored without a stamp = %d %s, want 200", status, body)
	}
}

func TestCannedAnswers(t *testing.T) {
	e := startEngine(t)
	admin, ana, bruno := newClient(t, e), newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	bruno.login("demo", "bruno")
	if status, _ := ana.do("POST", "/api/canned", map[string]any{"shortcut": "ola", "text": "Olá, {cliente}!"}); status != http.StatusForbidden {
		t.Fatalf("attendant creates a shared answer = %d, want 403", status)
	}
	if status, body := admin.do("POST", "/api/canned", map[string]any{"shortcut": "ola", "text": "Olá, {cliente}! Aqui é {atendente}."}); status != http.StatusCreated {
		t.Fatalf("shared answer = %d %s", status, body)
	}
	if status, body := ana.do("POST", "/api/canned", map[string]any{"shortcut": "/Prazo", "text": "O prazo é dia 20.", "personal": true}); status != http.StatusCreated || !strings.Contains(string(body), `"shortcut":"prazo"`) {
		t.Fatalf("personal answer = %d %s", status, body)
	}
	if status, body := ana.do("POST", "/api/canned", map[string]any{"shortcut": "ola", "text": "x", "personal": true}); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "shortcut") {
		t.Fatalf("duplicate shortcut = %d %s", status, body)
	}
	if status, body := ana.do("POST", "/api/canned", map[string]any{"shortcut": "a b", "text": "", "personal": true}); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"text"`) {
		t.Fatalf("invalid answer = %d %s", status, body)
	}
	_, body := ana.do("GET", "/api/canned", nil)
	if !strings.Contains(string(body), `"prazo"`) || !strings.Contains(string(body), `"ola"`) {
		t.Fatalf("ana's answers = %s", body)
	}
	_, body = bruno.do("GET", "/api/canned", nil)
	if strings.Contains(string(body), `"prazo"`) || !strings.Contains(string(body), `"ola"`) {
		t.Fatalf("bruno sees = %s, want the shared answer and not ana's personal one", body)
	}
	list := decode[struct {
		Canned []balcao.CannedAnswer `json:"canned"`
	}](t, body).Canned
	if status, _ := bruno.do("DELETE", "/api/canned/"+list[0].ID, nil); status != http.StatusForbidden {
		t.Fatalf("attendant deletes a shared answer = %d, want 403", status)
	}
	if status, _ := admin.do("DELETE", "/api/canned/"+list[0].ID, nil); status != http.StatusNoContent {
		t.Fatalf("admin deletes a shared answer = %d, want 204", status)
	}
}

// TestCannedShortcutTakenOnceAtOnce: saves of one shortcut sent at once (two tabs, a double
// press) store one answer; the others are told the shortcut is taken. Each checked the
// shortcut before any stored it, and all were stored.
func TestCannedShortcutTakenOnceAtOnce(t *testing.T) {
	e := startEngine(t)
	const n, rounds = 8, 10 // one browser each, as two tabs or two people are
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = newClient(t, e)
		clients[i].login("demo", "admin")
	}
	for round := range rounds {
		shortcut := fmt.Sprintf("prazo-%d", round)
		var wg sync.WaitGroup
		var created atomic.Int32
		start := make(chan struct{})
		for _, c := range clients {
			wg.Go(func() {
				<-start
				status, body := c.do("POST", "/api/canned", map[string]any{"shortcut": shortcut, "text": "O prazo é dia 20."})
				switch status {
				case http.StatusCreated:
					created.Add(1)
				case http.StatusUnprocessableEntity:
				default:
					t.Errorf("save = %d %s", status, body)
				}
			})
		}
		close(start)
		wg.Wait()
		_, body := clients[0].do("GET", "/api/canned", nil)
		if got := strings.Count(string(body), `"shortcut":"`+shortcut+`"`); created.Load() != 1 || got != 1 {
			t.Fatalf("round %d: %d of %d saves of one shortcut at once created, %d stored; want 1", round, created.Load(), n, got)
		}
	}
}

// TestUnreadableRecordIsNotUnknown: a canned answer or staff account whose stored record
// cannot be read is an internal error (500, logged), not "not found": only a record that is
// not there is 404.
func TestUnreadableRecordIsNotUnknown(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	b := &storage.Batch{}
	b.Set(storage.CannedKey(engine.DemoOffice, "quebrada"), []byte{0xc1}) // 0xc1: never valid msgpack
	b.Set(storage.StaffKey(engine.DemoOffice, "quebrado"), []byte{0xc1})
	if err := e.DB().Writer.CommitSettled(b); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		status     int
		code       string
	}{
		{"unreadable canned answer", "/api/canned/quebrada", http.StatusInternalServerError, `"internal"`},
		{"unknown canned answer", "/api/canned/nenhuma", http.StatusNotFound, `"unknown_canned"`},
		{"unreadable staff account", "/api/staff/quebrado", http.StatusInternalServerError, `"internal"`},
		{"unknown staff account", "/api/staff/ninguem", http.StatusNotFound, `"unknown_staff"`},
	}
	for _, tt := range tests {
		if status, body := admin.do("DELETE", tt.path, nil); status != tt.status || !strings.Contains(string(body), tt.code) {
			t.Errorf("%s: DELETE %s = %d %s, want %d %s", tt.name, tt.path, status, body, tt.status, tt.code)
		}
	}
}

// TestStaffNameLimitCountsCharacters: a staff member's name may have 100 characters, as its
// message says, however many bytes its accents take; 101 are refused.
func TestStaffNameLimitCountsCharacters(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	tests := []struct {
		name   string
		user   string
		status int
	}{
		{strings.Repeat("ã", 100), "joao", http.StatusCreated}, // 200 bytes
		{strings.Repeat("ã", 101), "joana", http.StatusUnprocessableEntity},
		{strings.Repeat("a", 101), "jonas", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		body := map[string]any{"user": tt.user, "name": tt.name, "role": "atendente", "password": "senha-de-teste"}
		if status, got := admin.do("POST", "/api/staff", body); status != tt.status {
			t.Errorf("staff named with %d characters (%d bytes) = %d %s, want %d", utf8.RuneCountInString(tt.name), len(tt.name), status, got, tt.status)
		}
	}
}
