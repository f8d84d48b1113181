package engine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/gateway/agent"
)

// TestQueuesFollowAgentsAndJobsLive: the supervisor's live view of agents and the request
// centre. A request that finds no agent is announced on the websocket and counted waiting in
// /api/queues; an agent connecting is announced and counted online, and the request it serves
// leaves the waiting count; the agent going away is announced and counted gone.
func TestQueuesFollowAgentsAndJobsLive(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.Source = noAgent{} })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	ws := admin.socket("")
	next(t, ws, func(f wsFrame) bool { return f.Type == "hello" })
	queues := func() balcao.Queues {
		t.Helper()
		status, body := admin.do("GET", "/api/queues", nil)
		if status != http.StatusOK {
			t.Fatalf("GET /api/queues = %d %s", status, body)
		}
		return decode[balcao.Queues](t, body)
	}

	const phone = "5548999990001"
	_, name := month(1)
	if status, body := admin.inbound("demo", phone, "me manda o holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	next(t, ws, func(f wsFrame) bool {
		return f.Type == balcao.EventJobChanged && strings.Contains(string(f.Data), `"aguardando"`)
	})
	eventually(t, "the request counted waiting", func() bool { return queues().Jobs["aguardando"] == 1 })
	if q := queues(); q.Agents.Remote != 0 || !q.Agents.Embedded {
		t.Fatalf("agents before any connected = %+v, want none remote and the embedded source", q.Agents)
	}

	status, body := admin.do("POST", "/api/agents/token", nil)
	if status != http.StatusCreated {
		t.Fatalf("agent token: %d %s", status, body)
	}
	token := decode[struct{ Token string }](t, body).Token
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&agent.Client{Server: "http://" + e.Addr(), Token: token, Source: &pdfSource{}, Name: "teste"}).Run(ctx)
	}()
	stopped := false
	stopAgent := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stopAgent)
	next(t, ws, func(f wsFrame) bool {
		return f.Type == balcao.EventAgentsOnline && strings.Contains(string(f.Data), `"remote":1`)
	})
	if q := queues(); q.Agents.Remote != 1 {
		t.Fatalf("agents once one connected = %+v, want 1 remote", q.Agents)
	}
	next(t, ws, func(f wsFrame) bool {
		return f.Type == balcao.EventJobChanged && strings.Contains(string(f.Data), `"processado"`)
	})
	eventually(t, "the served request out of the waiting counts", func() bool {
		q := queues()
		return q.Jobs["aguardando"]+q.Jobs["processando"]+q.Jobs["pendentes"] == 0
	})

	stopAgent()
	next(t, ws, func(f wsFrame) bool {
		return f.Type == balcao.EventAgentsOnline && strings.Contains(string(f.Data), `"remote":0`)
	})
	if q := queues(); q.Agents.Remote != 0 {
		t.Fatalf("agents once it left = %+v, want none remote", q.Agents)
	}
}
