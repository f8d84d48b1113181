package engine_test

import (
	"context"
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
