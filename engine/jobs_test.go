package engine_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/storage"
)

type simMessage struct {
	ID       string           `json:"id"`
	Text     string           `json:"text"`
	Document *balcao.Document `json:"document"`
}

func (c *client) outbound(phone string) []simMessage {
	c.t.Helper()
	_, body := c.do("GET", "/sim/outbound?office=demo&to="+phone, nil)
	return decode[struct {
		Messages []simMessage `json:"messages"`
	}](c.t, body).Messages
}

func documentsOf(msgs []simMessage) []simMessage {
	var out []simMessage
	for _, m := range msgs {
		if m.Document != nil {
			out = append(out, m)
		}
	}
	return out
}

type jobList struct {
	Jobs []balcao.Job `json:"jobs"`
}

// allJobs lists the jobs the client may see in every tab of the request centre, each once: the
// tabs are read one after the other in the order jobs move through them, so a job that moved on
// in between shows in two, and the later one is kept.
func (c *client) allJobs() []balcao.Job {
	c.t.Helper()
	var all []balcao.Job
	at := map[string]int{}
	for _, tab := range []string{"pendentes", "aguardando", "processando", "processados"} {
		_, body := c.do("GET", "/api/jobs?tab="+tab, nil)
		for _, j := range decode[jobList](c.t, body).Jobs {
			if i, ok := at[j.ID]; ok {
				all[i] = j
				continue
			}
			at[j.ID] = len(all)
			all = append(all, j)
		}
	}
	return all
}

// month returns a competence relative to now in São Paulo, and its month name.
func month(back int) (string, string) {
	names := []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}
	now := time.Now().In(assistant.Location())
	m := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, now.Location()).AddDate(0, -back, 0)
	return m.Format("2006-01"), names[m.Month()-1] + " de " + m.Format("2006")
}

func TestDocumentRequestIsDeliveredWithPortalLinks(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	comp, name := month(1)
	if status, body := c.inbound("demo", "5548999990001", "me manda o holerite de "+name+" pfv", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var docs []simMessage
	eventually(t, "the payslips on the phone", func() bool {
		docs = documentsOf(c.outbound("5548999990001"))
		return len(docs) == 3
	})
	all := c.outbound("5548999990001")
	if before := all[0].Text + all[1].Text; !strings.Contains(before, "holerite") {
		t.Errorf("first replies = %q, want the assistant saying it prepares the holerite", before)
	}
	for _, d := range docs {
		if !strings.HasSuffix(d.Document.Name, ".pdf") || !strings.Contains(d.Text, d.Document.URL) {
			t.Errorf("document message = %+v", d)
		}
	}
	// The link downloads the PDF with no login.
	resp, err := http.Get(docs[0].Document.URL)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download = %d %s %.20q", resp.StatusCode, resp.Header.Get("Content-Type"), pdf)
	}
	// The request centre shows it processed, with its delivery record.
	admin := newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/jobs?tab=processados", nil)
	jobs := decode[jobList](t, body).Jobs
	if len(jobs) != 1 || jobs[0].Competence != comp || len(jobs[0].Documents) != 3 || !jobs[0].Delivered {
		t.Fatalf("processados = %s", body)
	}
	// The agent answered at once: processando was never stored (see actors.processingAfter).
	var states []balcao.JobState
	for _, h := range jobs[0].History {
		states = append(states, h.State)
	}
	if fmt.Sprint(states) != "[aguardando processado]" {
		t.Errorf("job history = %v, want aguardando then processado", states)
	}
	// Delivered, the job is no longer open: not resumed at the next start, not among the
	// contact's requests in progress.
	if open, err := e.DB().OpenJobs("demo"); err != nil || len(open) != 0 {
		t.Fatalf("open jobs after delivery = %v, %v", open, err)
	}
	if open, err := e.DB().ContactJobs("demo", "5548999990001"); err != nil || len(open) != 0 {
		t.Fatalf("the contact's open jobs after delivery = %v, %v", open, err)
	}
	_, body = admin.do("GET", "/api/jobs/"+jobs[0].ID, nil)
	det := decode[struct {
		Deliveries []balcao.Delivery `json:"deliveries"`
	}](t, body)
	if len(det.Deliveries) != 3 || len(det.Deliveries[0].Downloads)+len(det.Deliveries[1].Downloads)+len(det.Deliveries[2].Downloads) != 1 {
		t.Fatalf("delivery records = %s", body)
	}
	eventually(t, "the delivery status", func() bool {
		_, body := admin.do("GET", "/api/jobs/"+jobs[0].ID, nil)
		return strings.Count(string(body), `"status":"delivered"`) == 3
	})
	// The client opens the chat: the record says read, with the time of each step, as the
	// office shows a client who says the document never came.
	if err := e.Sim().Read("demo", "5548999990001", docs[0].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first document read", func() bool {
		_, body := admin.do("GET", "/api/jobs/"+jobs[0].ID, nil)
		for _, d := range decode[struct {
			Deliveries []balcao.Delivery `json:"deliveries"`
		}](t, body).Deliveries {
			if d.Document.Name == docs[0].Document.Name {
				// Sent too, though the simulated WhatsApp reports a document delivered before
				// sent: a delivered message was sent (storage.StatusTimes.Reach).
				at := d.StatusAt
				return d.Status == balcao.StatusRead && !d.Requested.IsZero() && !d.Generated.IsZero() &&
					!at["sent"].IsZero() && !at["delivered"].IsZero() && !at["read"].IsZero() &&
					!at["delivered"].Before(at["sent"]) && !at["read"].Before(at["delivered"])
			}
		}
		return false
	})
}

func TestPortalNeverCrossesCompanies(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	_, name := month(2)
	// Carlos (Padaria) and João (Tech Floripa) each get a document.
	for _, phone := range []string{"5548999990001", "5548999990003"} {
		if status, body := c.inbound("demo", phone, "guia do das de "+name, ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
	}
	var carlos, joao []simMessage
	eventually(t, "both guides", func() bool {
		carlos, joao = documentsOf(c.outbound("5548999990001")), documentsOf(c.outbound("5548999990003"))
		return len(carlos) == 1 && len(joao) == 1
	})
	get := func(url string, jar *client) (int, string) {
		req, _ := http.NewRequest("GET", url, nil)
		hc := http.DefaultClient
		if jar != nil {
			hc = jar.http
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	carlosURL, joaoURL := carlos[0].Document.URL, joao[0].Document.URL
	joaoDoc := strings.TrimPrefix(strings.Split(joaoURL, "?")[0], strings.Split(carlosURL, "/portal/d/")[0]+"/portal/d/")
	// Carlos's signed link with João's document id: refused.
	tampered := strings.Split(carlosURL, "/portal/d/")[0] + "/portal/d/" + joaoDoc + "?" + strings.Split(carlosURL, "?")[1]
	if status, body := get(tampered, nil); status != http.StatusNotFound || strings.HasPrefix(body, "%PDF") {
		t.Fatalf("tampered link = %d, want 404", status)
	}
	// Through the portal session, Carlos sees only the Padaria's documents.
	if status, body := c.inbound("demo", "5548999990001", "me manda o link do portal", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var login string
	eventually(t, "the portal link", func() bool {
		for _, m := range c.outbound("5548999990001") {
			if i := strings.Index(m.Text, "http"); i >= 0 && strings.Contains(m.Text, "/portal/entrar") {
				login = strings.TrimSpace(m.Text[i:])
			}
		}
		return login != ""
	})
	browser := newClient(t, e)
	status, page := get(login, browser)
	if status != 200 || !strings.Contains(page, "Padaria") || strings.Contains(page, "Tech Floripa") {
		t.Fatalf("portal = %d %s", status, page)
	}
	if status, _ := get(login, newClient(t, e)); status != http.StatusUnauthorized {
		t.Fatalf("login link used twice = %d, want 401", status)
	}
	base := strings.Split(carlosURL, "/portal/d/")[0]
	if status, body := get(base+"/portal/d/"+joaoDoc, browser); status != http.StatusNotFound || strings.HasPrefix(body, "%PDF") {
		t.Fatalf("portal session fetching another company's document = %d", status)
	}
	carlosDoc := strings.TrimPrefix(strings.Split(carlosURL, "?")[0], base+"/portal/d/")
	if status, body := get(base+"/portal/d/"+carlosDoc, browser); status != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("portal session fetching its own document = %d", status)
	}
}

// portalLoginLink asks for the portal on Carlos's phone and returns the new one-time login link.
func portalLoginLink(t *testing.T, c *client) string {
	t.Helper()
	links := func() []string {
		var out []string
		for _, m := range c.outbound("5548999990001") {
			if i := strings.Index(m.Text, "http"); i >= 0 && strings.Contains(m.Text, "/portal/entrar") {
				out = append(out, strings.TrimSpace(m.Text[i:]))
			}
		}
		return out
	}
	before := len(links())
	if status, body := c.inbound("demo", "5548999990001", "me manda o link do portal", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var all []string
	eventually(t, "the portal link", func() bool { all = links(); return len(all) > before })
	return all[len(all)-1]
}

// TestPortalOfARemovedContactAsksForANewLink: a portal session whose contact was removed gets
// the page that asks for a new link (401, the cookie cleared), not an internal error.
func TestPortalOfARemovedContactAsksForANewLink(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	login := portalLoginLink(t, admin)
	browser := newClient(t, e)
	resp, err := browser.http.Get(login)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("portal login: %d", resp.StatusCode)
	}
	if status, body := admin.do("DELETE", "/api/addressbook/5548999990001", nil); status != http.StatusNoContent {
		t.Fatalf("remove Carlos: %d %s", status, body)
	}
	resp, err = browser.http.Get(browser.base + "/portal")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(page), "peça o link de acesso") {
		t.Fatalf("portal of a removed contact = %d %s, want 401 asking for a new link", resp.StatusCode, page)
	}
	cleared := false
	for _, ck := range resp.Cookies() {
		cleared = cleared || ck.Name == "balcao_portal" && ck.MaxAge < 0
	}
	if !cleared {
		t.Fatalf("portal of a removed contact kept its cookie: %v", resp.Header["Set-Cookie"])
	}
}

func TestPendingJobRetriedByTheOffice(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	comp, name := month(0) // this month's payroll is not calculated yet
	if status, body := c.inbound("demo", "5548999990001", "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	admin := newClient(t, e)
	admin.login("demo", "admin")
	var jobs []balcao.Job
	eventually(t, "the job in pendentes", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=pendentes", nil)
		jobs = decode[jobList](t, body).Jobs
		return len(jobs) == 1
	})
	label := comp[5:] + "/" + comp[:4]
	if !strings.Contains(jobs[0].Reason, "Folha de "+label+" ainda não calculada") {
		t.Fatalf("reason = %q", jobs[0].Reason)
	}
	eventually(t, "the client to be told", func() bool {
		for _, m := range c.outbound("5548999990001") {
			if strings.Contains(m.Text, "ação do escritório") {
				return true
			}
		}
		return false
	})
	id := jobs[0].ID
	// Retry while still missing: back to pendentes with the reason.
	if status, body := admin.do("POST", "/api/jobs/"+id+"/retry", nil); status != 200 {
		t.Fatalf("retry: %d %s", status, body)
	}
	eventually(t, "the job back in pendentes", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=pendentes", nil)
		return len(decode[jobList](t, body).Jobs) == 1
	})
	// The office calculates the payroll; two clicks on Repetir at once: one wins.
	dir := filepath.Join(e.DataDir(), "demo-documents", balcao.CNPJCheckDigits("123456780001"), "holerite", comp)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "holerite-maria-silva.pdf"), []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = admin.do("POST", "/api/jobs/"+id+"/retry", nil)
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("two retries at once = %v, want one 200 and one 409", statuses)
	}
	eventually(t, "the payslip on the phone", func() bool { return len(documentsOf(c.outbound("5548999990001"))) == 1 })
	if status, _ := admin.do("POST", "/api/jobs/"+id+"/retry", nil); status != http.StatusConflict {
		t.Fatalf("retry of a processed job = %d, want 409", status)
	}
	if status, body := admin.do("POST", "/api/jobs/"+id+"/reply", map[string]string{"text": "Segue o holerite!"}); status != http.StatusCreated {
		t.Fatalf("reply: %d %s", status, body)
	}
	eventually(t, "the reply on the phone", func() bool {
		msgs := c.outbound("5548999990001")
		return msgs[len(msgs)-1].Text == "Segue o holerite!"
	})
	if status, _ := admin.do("POST", "/api/jobs/nope/retry", nil); status != http.StatusNotFound {
		t.Fatalf("retry unknown job = %d", status)
	}
}

// TestJobInterruptedWhileProcessingIsRetriedAndSentOnce: a fetch that does not answer has its
// job shown processando after a moment; the server stops then; after a restart the job goes
// back to aguardando, is fetched again and the client gets the document once.
func TestJobInterruptedWhileProcessingIsRetriedAndSentOnce(t *testing.T) {
	data := t.TempDir()
	src := &heldSource{release: make(chan struct{}), started: make(chan string, 1)} // never released
	cfg := engine.Config{DataDir: data, Addr: "127.0.0.1:0", Demo: true, DemoPassword: demoPassword, Source: src}
	e, err := engine.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e)
	_, name := month(1)
	if status, body := c.inbound("demo", "5548999990003", "guia do fgts de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	select {
	case <-src.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job never reached the source")
	}
	admin := newClient(t, e)
	admin.login("demo", "admin")
	eventually(t, "the job stored processando", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=processando", nil)
		return len(decode[jobList](t, body).Jobs) == 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	cfg.Source = nil // the demo folder source
	e = startEngine(t, func(c *engine.Config) { *c = cfg })
	c = newClient(t, e)
	eventually(t, "the guide on the phone", func() bool { return len(documentsOf(c.outbound("5548999990003"))) == 1 })
	admin = newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/jobs?tab=processados", nil)
	jobs := decode[jobList](t, body).Jobs
	if len(jobs) != 1 || !strings.Contains(fmt.Sprint(jobs[0].History), "interrup") {
		t.Fatalf("processados = %s, want one job resumed after the interruption", body)
	}
	// Nothing is sent twice, even after another restart.
	if n := len(documentsOf(c.outbound("5548999990003"))); n != 1 {
		t.Fatalf("documents sent = %d, want 1", n)
	}
}

func TestDocumentRules(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	rules := map[string]any{"rules": map[string]string{"das": "confirm", "holerite": "period_closed"}}
	if status, _ := ana.do("PUT", "/api/settings", rules); status != http.StatusForbidden {
		t.Fatalf("attendant changes settings = %d, want 403", status)
	}
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"rules": map[string]string{"das": "sometimes", "pizza": "auto"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(body), "rules.das") || !strings.Contains(string(body), "rules.pizza") ||
		strings.Contains(string(body), "period_closed") {
		t.Fatalf("invalid rules = %d %s, want Portuguese messages for both (not the API's codes)", status, body)
	}
	if status, body := admin.do("PUT", "/api/settings", rules); status != 200 {
		t.Fatalf("save rules = %d %s", status, body)
	}
	_, prev := month(1)
	_, this := month(0)
	if status, body := c.inbound("demo", "5548999990001", "guia do das de "+prev, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := c.inbound("demo", "5548999990003", "holerite de "+this, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var jobs []balcao.Job
	eventually(t, "both jobs held in pendentes", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=pendentes", nil)
		jobs = decode[jobList](t, body).Jobs
		return len(jobs) == 2
	})
	var das balcao.Job
	for _, j := range jobs {
		switch j.Intent {
		case "das":
			das = j
			if !strings.Contains(j.Reason, "confirmação") {
				t.Errorf("das reason = %q", j.Reason)
			}
		case "holerite":
			if !strings.Contains(j.Reason, "ainda não foi encerrado") {
				t.Errorf("holerite reason = %q", j.Reason)
			}
		}
	}
	if len(documentsOf(c.outbound("5548999990001"))) != 0 {
		t.Fatal("a document held for confirmation was sent")
	}
	if status, body := admin.do("POST", "/api/jobs/"+das.ID+"/retry", nil); status != 200 {
		t.Fatalf("confirm: %d %s", status, body)
	}
	eventually(t, "the confirmed guide on the phone", func() bool { return len(documentsOf(c.outbound("5548999990001"))) == 1 })
}

// TestStaffRuleHandsTheDocumentToAPerson: a document kind the office keeps for its staff goes
// to Pendentes instead of becoming a job.
func TestStaffRuleHandsTheDocumentToAPerson(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"rules": map[string]string{"balancete": "staff"}}); status != 200 {
		t.Fatalf("save rules = %d %s", status, body)
	}
	_, name := month(1)
	if status, body := admin.inbound("demo", "5548999990001", "me manda o balancete de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	_, body := admin.do("GET", "/api/conversations/5548999990001", nil)
	if !strings.Contains(string(body), `"state":"pending"`) {
		t.Fatalf("conversation = %s, want pending", body)
	}
	_, body = admin.do("GET", "/api/jobs?tab=aguardando", nil)
	if n := len(decode[jobList](t, body).Jobs); n != 0 {
		t.Fatalf("jobs = %s, want none", body)
	}
}

// TestStatusQuestionAnswersFromOpenRequests: "cadê meu holerite?" lists the contact's open
// requests with where they are.
func TestStatusQuestionAnswersFromOpenRequests(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	_, name := month(0)
	if status, body := c.inbound("demo", "5548999990001", "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the client told the office will act", func() bool {
		for _, m := range c.outbound("5548999990001") {
			if strings.Contains(m.Text, "ação do escritório") {
				return true
			}
		}
		return false
	})
	if status, body := c.inbound("demo", "5548999990001", "e aí, já ficou pronto meu pedido?", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the answer to the status question, with the open request and where it is", func() bool {
		msgs := c.outbound("5548999990001")
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, "aguardando o escritório")
	})
}

// heldSource holds every fetch until released (or its context ends), then answers as
// pdfSource; with started, it tells each job it holds (so that a test catches it processando).
type heldSource struct {
	release chan struct{}
	started chan string
	pdfSource
}

func (s *heldSource) Fetch(ctx context.Context, j agent.Job) (agent.Result, error) {
	if s.started != nil {
		s.started <- j.ID
	}
	select {
	case <-s.release:
		return s.pdfSource.Fetch(ctx, j)
	case <-ctx.Done():
		return agent.Result{}, ctx.Err()
	}
}

// TestJobPastTheAgentQueueWaitsWithoutLosingAnAttempt: with the agents' fetches all running
// and their queue full, one more document request is refused by the office's agent pool; its
// job goes back to aguardando with the reason in its history, not counting it as a failed
// attempt, tries again, and its document reaches the client once the agent answers.
func TestJobPastTheAgentQueueWaitsWithoutLosingAnAttempt(t *testing.T) {
	src := &heldSource{release: make(chan struct{})}
	e := startEngine(t, func(c *engine.Config) { c.Source, c.FetchQueue = src, 1 })
	c := newClient(t, e)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	// Six clients of the padaria ask for a guide: four fetches run (held), one waits in the
	// queue, the sixth is refused.
	var phones []string
	for i := range 6 {
		phone := fmt.Sprintf("554899988%04d", i)
		if status, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": fmt.Sprint("Sócio ", i), "companies": []string{"padaria-pao-quente"}}); status != http.StatusCreated {
			t.Fatalf("add contact: %d %s", status, body)
		}
		phones = append(phones, phone)
	}
	_, name := month(1)
	for _, p := range phones {
		if status, body := c.inbound("demo", p, "guia do fgts de "+name, ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
	}
	var refused balcao.Job
	eventually(t, "a job refused by the full queue", func() bool {
		for _, j := range admin.allJobs() {
			if strings.Contains(fmt.Sprint(j.History), "muitos pedidos aguardando o agente") {
				refused = j
				return true
			}
		}
		return false
	})
	if refused.Attempts != 0 {
		t.Fatalf("refused job counted %d attempts, want 0: %+v", refused.Attempts, refused)
	}
	if n := len(admin.allJobs()); n != 6 {
		t.Fatalf("%d jobs, want 6", n)
	}
	close(src.release)
	eventually(t, "every document on the phones", func() bool {
		n := 0
		for _, p := range phones {
			n += len(documentsOf(c.outbound(p)))
		}
		return n == 6
	})
	if n := src.fetches.Load(); n != 6 {
		t.Fatalf("the source answered %d fetches, want one for each job", n)
	}
	for _, j := range admin.allJobs() {
		if j.ID == refused.ID && (j.State != balcao.JobDone || j.Attempts != 0) {
			t.Fatalf("the refused job ended %s after %d attempts, want done with none failed", j.State, j.Attempts)
		}
	}
}

// TestJobSentByAnEarlierVersionIsRecordedDelivered: a job whose documents are in the chat but
// whose delivery record a crash lost (an earlier version recorded it in a batch of its own) is
// recorded delivered at the next start, and its documents are not sent again.
func TestJobSentByAnEarlierVersionIsRecordedDelivered(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	c := newClient(t, e)
	const phone = "5548999990001"
	_, name := month(1)
	if status, body := c.inbound("demo", phone, "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the payslips on the phone", func() bool { return len(documentsOf(c.outbound(phone))) == 3 })
	open := func(e *engine.Engine) int {
		ids, err := e.DB().OpenJobs("demo")
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	eventually(t, "the job closed", func() bool { return open(e) == 0 })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/jobs?tab=processados", nil)
	jobs := decode[jobList](t, body).Jobs
	if len(jobs) != 1 {
		t.Fatalf("processados = %s", body)
	}
	stop(t, e)
	offline(t, data, func(db *storage.DB, b *storage.Batch) {
		job, err := db.Job("demo", jobs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		job.Delivered = false
		b.Put(storage.JobKey("demo", job.ID), &job)
		b.Set(storage.ContactJobKey("demo", phone, job.ID), nil)
	})

	e = startEngine(t, cfg)
	eventually(t, "the job recorded delivered", func() bool {
		job, err := e.DB().Job("demo", jobs[0].ID)
		return err == nil && job.Delivered && open(e) == 0
	})
	if left, err := e.DB().ContactJobs("demo", phone); err != nil || len(left) != 0 {
		t.Fatalf("the contact's open jobs = %v, %v", left, err)
	}
	// A message answered after it: the office's sends go out in order, so a document sent
	// again would be on the phone before the answer.
	c = newClient(t, e)
	if status, body := c.inbound("demo", phone, "obrigado", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the answer", func() bool { return len(c.outbound(phone)) > 0 })
	if docs := documentsOf(c.outbound(phone)); len(docs) != 0 {
		t.Fatalf("documents sent again after the restart: %+v", docs)
	}
}

// TestPayslipForOnePersonSendsOnlyTheirs: a payslip request that names an employee gets that
// employee's payslip alone, as a WhatsApp document with its file name and the PDF type; the
// company's other payslips of the competence (other people's salaries) never go out.
func TestPayslipForOnePersonSendsOnlyTheirs(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	const phone = "5548999990001" // Carlos, of the padaria: Maria Silva, José Santos, Ana Oliveira
	_, name := month(1)
	if status, body := c.inbound("demo", phone, "me manda o holerite da Maria Silva de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var docs []simMessage
	eventually(t, "the payslip on the phone", func() bool {
		docs = documentsOf(c.outbound(phone))
		return len(docs) > 0
	})
	admin := newClient(t, e)
	admin.login("demo", "admin")
	eventually(t, "the job processed", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=processados", nil)
		jobs := decode[jobList](t, body).Jobs
		return len(jobs) == 1 && jobs[0].Delivered
	})
	docs = documentsOf(c.outbound(phone))
	if len(docs) != 1 {
		t.Fatalf("documents sent = %+v, want Maria Silva's payslip alone", docs)
	}
	if d := docs[0].Document; d.Name != "holerite-maria-silva.pdf" || d.MIME != "application/pdf" {
		t.Fatalf("document = %q (%q), want holerite-maria-silva.pdf as application/pdf", d.Name, d.MIME)
	}
	_, body := admin.do("GET", "/api/jobs?tab=processados", nil)
	if j := decode[jobList](t, body).Jobs[0]; j.Person == "" || len(j.Documents) != 1 {
		t.Fatalf("job = person %q, %d documents; want the person named and one document", j.Person, len(j.Documents))
	}
}
