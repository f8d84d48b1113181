package actors

import (
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// TestRestartedConversationPassivates: a conversation whose actor failed (the assistant
// panicked) and was restarted by its supervisor, and that handled a message since, is
// passivated once idle: the office agrees only when the actor handled all it routed to it,
// before and after the restart.
func TestRestartedConversationPassivates(t *testing.T) {
	const phone = "5548999990001"
	wa := &fakeWhatsApp{allow: -1}
	s := startSystem(t, wa, func(c *Config) {
		c.IdleAfter = 100 * time.Millisecond
		c.Respond = func(st assistant.State, in assistant.Input) assistant.Turn {
			if in.Text == "boom" {
				panic("assistant failed")
			}
			return assistant.Respond(st, in)
		}
	}, func(b *storage.Batch) {
		b.Put(storage.CompanyKey("o1", "c1"), &balcao.Company{ID: "c1", Name: "ACME", CNPJ: "11222333000181", Enabled: true, UseAssistant: true})
		b.Put(storage.ContactKey("o1", phone), &balcao.Contact{Phone: phone, Name: "Ana", Companies: []string{"c1"}})
	})
	s.deliver(t, phone, "IN1", "boom") // stored and handed to the staff; then the actor fails
	s.deliver(t, phone, "IN2", "oi")   // to the restarted instance
	eventually(t, "the restarted conversation passivated", func() bool { return s.running(t) == 0 })
	if n := s.panics.n.Load(); n != 1 {
		t.Fatalf("the conversation failed %d time(s), want once: %s", n, s.panics)
	}
}
