package engine_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/gateway/agent"
)

// noAgent is an embedded source that never has an agent: the office depends on remote ones.
type noAgent struct{}

func (noAgent) Fetch(context.Context, agent.Job) (agent.Result, error) {
	return agent.Result{}, agent.ErrNoAgent
}

// pdfSource is a remote agent's accounting system: one PDF for any request.
type pdfSource struct{ fetches atomic.Int32 }

func (s *pdfSource) Fetch(_ context.Context, j agent.Job) (agent.Result, error) {
	s.fetches.Add(1)
	return agent.Result{Files: []agent.File{{Name: j.Intent + "-" + j.Competence + ".pdf", Data: []byte("%PDF-1.7\nteste\n%%EOF")}}}, nil
}

// TestJobWaitsForAnAgentWithoutPolling: a document request that finds no agent waits in
// aguardando, saying so once, with no actor retrying it; when an agent connects, the request
// goes on and the document reaches the phone.
func TestJobWaitsForAnAgentWithoutPolling(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.Source = noAgent{} })
	c := newClient(t, e)
	c.login("demo", "admin")
	const phone = "5548999990001"
	_, name := month(1)
	if status, body := c.inbound("demo", phone, "me manda o holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	job := func() balcao.Job {
		t.Helper()
		jobs, err := e.DB().ContactJobs("demo", phone)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("jobs of the phone: %d, %v", len(jobs), err)
		}
		return jobs[0]
	}
	eventually(t, "the request waiting for an agent", func() bool {
		jobs, _ := e.DB().ContactJobs("demo", phone)
		if len(jobs) != 1 {
			return false
		}
		h := jobs[0].History
		return jobs[0].State == balcao.JobWaiting && len(h) > 1 && strings.Contains(h[len(h)-1].Note, "agente")
	})
	waiting := job()
	time.Sleep(2500 * time.Millisecond) // a retry would have come after 2 s
	if again := job(); len(again.History) != len(waiting.History) || again.State != balcao.JobWaiting {
		t.Fatalf("history grew from %d to %d events with no agent (state %s): the job polls", len(waiting.History), len(again.History), again.State)
	}

	status, body := c.do("POST", "/api/agents/token", nil)
	if status != http.StatusCreated {
		t.Fatalf("agent token: %d %s", status, body)
	}
	token := decode[struct{ Token string }](t, body).Token
	src := &pdfSource{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&agent.Client{Server: "http://" + e.Addr(), Token: token, Source: src, Name: "teste"}).Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	eventually(t, "the document on the phone once the agent connected", func() bool {
		return len(documentsOf(c.outbound(phone))) == 1
	})
	if j, err := e.DB().Job("demo", waiting.ID); err != nil || j.State != balcao.JobDone || src.fetches.Load() != 1 {
		t.Fatalf("job %s (%v) after %d fetches, want done after 1", j.State, err, src.fetches.Load())
	}
}
