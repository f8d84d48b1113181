package engine_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
)

// assistantVisitThen runs an engine on data whose clock is ago behind, where the client of
// phone says "bom dia" and the assistant answers, and stops it before the conversation goes
// idle: the assistant's service is left open in the conversation record. The replies are
// stored as sent first: else the next engine sends them again from the outbox, and their
// conversation starts (and ends the service) before the test's next message.
func assistantVisitThen(t *testing.T, data, phone string, ago time.Duration) time.Time {
	t.Helper()
	then := time.Now().Add(-ago)
	e := startEngine(t, func(c *engine.Config) {
		c.DataDir, c.IdleAfter = data, time.Hour
		c.Now = func() time.Time { return time.Now().Add(-ago) }
	})
	admin := newClient(t, e)
	admin.login("demo", "admin")
	msg := map[string]any{"office": "demo", "from": phone, "text": "bom dia", "at": then}
	if status, body := admin.do("POST", "/sim/inbound", msg); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the assistant's replies stored as sent", func() bool {
		_, body := admin.do("GET", "/api/conversations/"+phone+"/messages", nil)
		replies := 0
		for _, m := range decode[msgList](t, body).Messages {
			if m.Direction == string(balcao.Outbound) && m.Status == string(balcao.StatusQueued) {
				return false
			}
			if m.Direction == string(balcao.Outbound) {
				replies++
			}
		}
		return replies > 0
	})
	stop(t, e)
	return then
}

func history(t *testing.T, c *client) []balcao.Service {
	t.Helper()
	_, body := c.do("GET", "/api/history", nil)
	return decode[struct {
		Services []balcao.Service `json:"services"`
	}](t, body).Services
}

// TestAssistantServiceOpenAtRestartEnds: a visit the assistant alone served, three days ago,
// whose engine stopped before the conversation went idle, ends when the conversation next
// starts; the client's visit today is a service of its own. It joined the old one: one
// service spanning three days, counted on the first, and no history of the visit until then.
func TestAssistantServiceOpenAtRestartEnds(t *testing.T) {
	const phone = "5548999990001" // Carlos Souza, Padaria Pão Quente Ltda (assistant on)
	data := t.TempDir()
	then := assistantVisitThen(t, data, phone, 72*time.Hour)

	e := startEngine(t, func(c *engine.Config) { c.DataDir, c.IdleAfter = data, 100*time.Millisecond })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	now := time.Now()
	if status, body := admin.inbound("demo", phone, "obrigado", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var list []balcao.Service
	eventually(t, "today's visit in the history", func() bool {
		list = history(t, admin)
		return len(list) > 0 && list[0].End.After(now)
	})
	if len(list) != 2 {
		for _, s := range list {
			t.Logf("service %s: %s → %s", s.ID, s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339))
		}
		t.Fatalf("history lists %d services, want 2 (the visit three days ago and today's)", len(list))
	}
	if old := list[1]; old.Outcome != balcao.OutcomeAssistant || !old.Start.Equal(then) || old.End.After(then.Add(time.Hour)) {
		t.Errorf("old visit = %s %s → %s, want assistente from %s, ended then", old.Outcome, old.Start, old.End, then)
	}
	if cur := list[0]; cur.Outcome != balcao.OutcomeAssistant || cur.Start.Before(now) {
		t.Errorf("today's visit = %s %s → %s, want assistente from today", cur.Outcome, cur.Start, cur.End)
	}
}

// TestServiceEndedAtRestartCountsInItsDay: an assistant's service left open nine days ago,
// ended when its conversation next starts, is counted on its day although that day's figures
// were stored without it (they are dropped: it ends nine days after it started, not when).
func TestServiceEndedAtRestartCountsInItsDay(t *testing.T) {
	const phone = "5548999990001"
	data := t.TempDir()
	then := assistantVisitThen(t, data, phone, 9*24*time.Hour)

	e := startEngine(t, func(c *engine.Config) { c.DataDir, c.IdleAfter = data, time.Hour })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	month := then.In(assistant.Location()).Format("2006-01")
	dashboard := func() balcao.Dashboard {
		_, body := admin.do("GET", "/api/dashboard?month="+month, nil)
		return decode[balcao.Dashboard](t, body)
	}
	// The day is over for a week: its figures are stored, without the open service.
	if d := dashboard(); d.Services[balcao.OutcomeAssistant] != 0 {
		t.Fatalf("services before the conversation starts = %v, want none (still open)", d.Services)
	}
	if status, body := admin.inbound("demo", phone, "obrigado", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	// Acknowledged once durable, after the batch that ended the old service.
	d := dashboard()
	if d.Services[balcao.OutcomeAssistant] != 1 || d.ServiceTime.Count != 1 || d.ServiceTime.Max > time.Hour.Milliseconds() {
		t.Fatalf("services = %v, service time = %+v; want one assistant service, ended the day it started", d.Services, d.ServiceTime)
	}
}
