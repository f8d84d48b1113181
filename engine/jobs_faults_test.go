package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/gateway/agent"
)

// threeDocs is an accounting system with three payslips for any request; with release set,
// each fetch waits for it (or its cancellation), after saying so on started.
type threeDocs struct {
	release chan struct{}
	started chan string
}

func (s *threeDocs) Fetch(ctx context.Context, j agent.Job) (agent.Result, error) {
	if s.started != nil {
		select {
		case s.started <- j.ID:
		default:
		}
	}
	if s.release != nil {
		select {
		case <-s.release:
		case <-ctx.Done():
			return agent.Result{}, ctx.Err()
		}
	}
	var res agent.Result
	for _, who := range []string{"ana", "bruno", "carla"} {
		res.Files = append(res.Files, agent.File{Name: "holerite-" + who + ".pdf", Data: []byte("%PDF-1.7\nholerite de " + who + "\n%%EOF")})
	}
	return res, nil
}

// documentNames lists the names of the documents a phone received, in order.
func documentNames(msgs []simMessage) []string {
	var names []string
	for _, m := range documentsOf(msgs) {
		names = append(names, m.Document.Name)
	}
	return names
}

// outboxEmpty reports whether the office has nothing left to hand to WhatsApp.
func outboxEmpty(t *testing.T, e *engine.Engine) bool {
	t.Helper()
	n := 0
	if err := e.DB().Outbox("demo", func(string, uint64, bool) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	return n == 0
}

// TestDocumentsGoOutOnceWhenWhatsAppFailsMidDelivery: WhatsApp's connection drops after the
// first of a request's three documents went out, failing the next sends: the other two are
// tried again after a backoff and the phone gets each document once, in order; every document
// message ends delivered, the job delivered, the outbox empty.
func TestDocumentsGoOutOnceWhenWhatsAppFailsMidDelivery(t *testing.T) {
	src := &threeDocs{release: make(chan struct{}), started: make(chan string, 1)}
	e := startEngine(t, func(c *engine.Config) { c.Source = src })
	c := newClient(t, e)
	const phone = "5548999990001"
	_, name := month(1)
	if status, body := c.inbound("demo", phone, "me manda o holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	select {
	case <-src.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job never reached the source")
	}
	eventually(t, "the assistant's replies handed over", func() bool { return len(c.outbound(phone)) > 0 && outboxEmpty(t, e) })
	before := len(c.outbound(phone))
	e.Sim().FailSends("demo", 1, 3) // the first document goes, then the connection is lost for three sends
	close(src.release)

	want := []string{"holerite-ana.pdf", "holerite-bruno.pdf", "holerite-carla.pdf"}
	eventually(t, "the three payslips on the phone", func() bool { return len(documentNames(c.outbound(phone))) >= 3 })
	eventually(t, "the outbox empty", func() bool { return outboxEmpty(t, e) })
	msgs := c.outbound(phone)
	if got := documentNames(msgs); !slices.Equal(got, want) {
		t.Fatalf("the phone got documents %q, want %q each once, in order", got, want)
	}
	if n := len(msgs) - before; n != 3 {
		t.Errorf("the phone got %d messages after the fetch, want the 3 documents only", n)
	}
	jobs, err := e.DB().OpenJobs("demo")
	if err != nil || len(jobs) != 0 {
		t.Fatalf("open jobs after the delivery = %v, %v", jobs, err)
	}
	eventually(t, "every document message delivered", func() bool {
		stored, _, err := e.DB().Messages("demo", phone, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		docs := 0
		for _, m := range stored {
			if m.Document != nil {
				docs++
				if m.Status != balcao.StatusDelivered {
					return false
				}
			}
		}
		if docs != 3 {
			t.Fatalf("%d document messages stored, want 3", docs)
		}
		return true
	})
}

// TestJobOfAnAgentGoneMidFetchIsFetchedAgain: the office's only agent disconnects (its process
// was killed) while it fetches a request's documents: the job goes back to aguardando, counting
// one failed attempt, and waits; when an agent connects again the job is fetched again and the
// client gets each document once.
func TestJobOfAnAgentGoneMidFetchIsFetchedAgain(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.Source = noAgent{} })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	status, body := admin.do("POST", "/api/agents/token", nil)
	if status != http.StatusCreated {
		t.Fatalf("agent token: %d %s", status, body)
	}
	token := decode[struct{ Token string }](t, body).Token
	runAgent := func(src agent.Source, name string) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- (&agent.Client{Server: "http://" + e.Addr(), Token: token, Source: src, Name: name}).Run(ctx)
		}()
		stopped := false
		stop = func() {
			if !stopped {
				stopped = true
				cancel()
				<-done
			}
		}
		t.Cleanup(stop)
		return stop
	}
	stuck := &threeDocs{release: make(chan struct{}), started: make(chan string, 1)} // never released
	killed := runAgent(stuck, "primeiro")
	eventually(t, "the first agent online", func() bool {
		_, body := admin.do("GET", "/api/agents", nil)
		return strings.Contains(string(body), `"remote":1`)
	})

	const phone = "5548999990001"
	_, name := month(1)
	if status, body := admin.inbound("demo", phone, "me manda o holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var id string
	select {
	case id = <-stuck.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job never reached the first agent")
	}
	killed()
	eventually(t, "the job back in aguardando with one failed attempt", func() bool {
		j, err := e.DB().Job("demo", id)
		return err == nil && j.State == balcao.JobWaiting && j.Attempts == 1
	})
	if docs := documentsOf(admin.outbound(phone)); len(docs) != 0 {
		t.Fatalf("documents sent while no agent had answered: %+v", docs)
	}

	runAgent(&threeDocs{}, "segundo")
	eventually(t, "the payslips on the phone", func() bool { return len(documentNames(admin.outbound(phone))) >= 3 })
	eventually(t, "the outbox empty", func() bool { return outboxEmpty(t, e) })
	if got, want := documentNames(admin.outbound(phone)), []string{"holerite-ana.pdf", "holerite-bruno.pdf", "holerite-carla.pdf"}; !slices.Equal(got, want) {
		t.Fatalf("the phone got documents %q, want %q each once", got, want)
	}
	j, err := e.DB().Job("demo", id)
	if err != nil || j.State != balcao.JobDone || !j.Delivered || j.Attempts != 1 {
		t.Fatalf("job = %s delivered %v after %d failed attempts (%v), want done, delivered, 1", j.State, j.Delivered, j.Attempts, err)
	}
	if h := fmt.Sprint(j.History); !strings.Contains(h, "agente") {
		t.Errorf("job history %s says nothing of the agent that went away", h)
	}
}
