package engine_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
)

// nextJobChange reads the staff socket until a job.changed frame of job id (any job when id is
// empty) in state, and returns its job.
func nextJobChange(t *testing.T, ws *websocket.Conn, id string, state balcao.JobState) balcao.Job {
	t.Helper()
	var job balcao.Job
	next(t, ws, func(f wsFrame) bool {
		if f.Type != balcao.EventJobChanged {
			return false
		}
		var ev struct {
			Job balcao.Job `json:"job"`
		}
		if err := json.Unmarshal(f.Data, &ev); err != nil {
			t.Fatalf("job.changed %s: %v", f.Data, err)
		}
		job = ev.Job
		return (id == "" || job.ID == id) && job.State == state
	})
	return job
}

// TestRequestCentreChangesArePushedLive: every change of a job reaches the staff websocket as
// job.changed, without reloading the request centre: created waiting, pending with the
// source's reason, back to waiting on Repetir and pending again with the reason when the
// source still cannot serve it, then processed and delivered once it can.
func TestRequestCentreChangesArePushedLive(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	ws := admin.socket("")
	const phone = "5548999990001"
	comp, name := month(0) // this month's payroll is not calculated yet
	if status, body := c.inbound("demo", phone, "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	created := nextJobChange(t, ws, "", balcao.JobWaiting)
	if created.Phone != phone || created.Intent != "holerite" || created.Competence != comp {
		t.Fatalf("job created = %+v, want Carlos's payslip of %s", created, comp)
	}
	pending := nextJobChange(t, ws, created.ID, balcao.JobPending)
	if !strings.Contains(pending.Reason, "ainda não calculada") {
		t.Fatalf("pending job pushed with reason %q", pending.Reason)
	}

	if status, body := admin.do("POST", "/api/jobs/"+created.ID+"/retry", nil); status != http.StatusOK {
		t.Fatalf("retry: %d %s", status, body)
	}
	nextJobChange(t, ws, created.ID, balcao.JobWaiting)
	if again := nextJobChange(t, ws, created.ID, balcao.JobPending); !strings.Contains(again.Reason, "ainda não calculada") {
		t.Fatalf("job pending again pushed with reason %q", again.Reason)
	}

	dir := filepath.Join(e.DataDir(), "demo-documents", balcao.CNPJCheckDigits("123456780001"), "holerite", comp)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "holerite-maria-silva.pdf"), []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, body := admin.do("POST", "/api/jobs/"+created.ID+"/retry", nil); status != http.StatusOK {
		t.Fatalf("retry: %d %s", status, body)
	}
	nextJobChange(t, ws, created.ID, balcao.JobWaiting)
	done := nextJobChange(t, ws, created.ID, balcao.JobDone)
	if !done.Delivered || len(done.Documents) != 1 {
		t.Fatalf("processed job pushed = %+v, want delivered with one document", done)
	}
}

// TestRequestCentreListsNewestFirstInPages: a tab of the request centre lists the office's
// jobs newest first, a page at a time, each job once, and ends with no cursor.
func TestRequestCentreListsNewestFirstInPages(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.Source = noAgent{} }) // every job waits
	c := newClient(t, e)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	_, name := month(1)
	var made []string // job ids, oldest first
	for i, ask := range []string{"guia do das de ", "guia do fgts de ", "guia do inss de ", "balancete de ", "resumo da folha de "} {
		if status, body := c.inbound("demo", "5548999990001", ask+name, ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
		eventually(t, fmt.Sprint("job ", i+1), func() bool {
			_, body := admin.do("GET", "/api/jobs?tab=aguardando&limit=200", nil)
			jobs := decode[jobList](t, body).Jobs
			if len(jobs) != i+1 {
				return false
			}
			for _, j := range jobs {
				if !slices.Contains(made, j.ID) {
					made = append(made, j.ID)
				}
			}
			return true
		})
	}
	var got []string
	cursor := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatalf("pages never end: %v", got)
		}
		_, body := admin.do("GET", "/api/jobs?tab=aguardando&limit=2&cursor="+cursor, nil)
		p := decode[struct {
			Jobs []balcao.Job `json:"jobs"`
			Next string       `json:"next"`
		}](t, body)
		if len(p.Jobs) > 2 {
			t.Fatalf("page of %d jobs, want at most 2: %s", len(p.Jobs), body)
		}
		for _, j := range p.Jobs {
			got = append(got, j.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	want := slices.Clone(made)
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Fatalf("jobs in pages = %v, want newest first %v", got, want)
	}
}

// TestPendingJobSurvivesARestart: a job pending at the office keeps its state, reason and
// history across a restart, and Repetir after the restart works on it: pending again while
// the source still cannot serve it, then served; the client hears that the office will act
// once in all, and gets the document once.
func TestPendingJobSurvivesARestart(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	c := newClient(t, e)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5548999990001"
	comp, name := month(0)
	if status, body := c.inbound("demo", phone, "holerite de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var before balcao.Job
	eventually(t, "the job in pendentes", func() bool {
		_, body := admin.do("GET", "/api/jobs?tab=pendentes", nil)
		jobs := decode[jobList](t, body).Jobs
		if len(jobs) == 1 {
			before = jobs[0]
		}
		return len(jobs) == 1
	})
	told := func(c *client) int {
		n := 0
		for _, m := range c.outbound(phone) {
			if strings.Contains(m.Text, "ação do escritório") {
				n++
			}
		}
		return n
	}
	eventually(t, "the client told", func() bool { return told(c) == 1 })
	stop(t, e)

	e = startEngine(t, cfg)
	c = newClient(t, e)
	admin = newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/jobs?tab=pendentes", nil)
	jobs := decode[jobList](t, body).Jobs
	if len(jobs) != 1 || jobs[0].ID != before.ID || jobs[0].Reason != before.Reason || len(jobs[0].History) != len(before.History) {
		t.Fatalf("pendentes after the restart = %s, want the job as it was: %+v", body, before)
	}
	// Repetir while the payroll is still missing: pending again with the reason, and the
	// client, told already before the restart, is not told again.
	if status, body := admin.do("POST", "/api/jobs/"+before.ID+"/retry", nil); status != http.StatusOK {
		t.Fatalf("retry after the restart: %d %s", status, body)
	}
	eventually(t, "the job pending again", func() bool {
		j, err := e.DB().Job("demo", before.ID)
		return err == nil && j.State == balcao.JobPending && len(j.History) > len(before.History)
	})
	dir := filepath.Join(data, "demo-documents", balcao.CNPJCheckDigits("123456780001"), "holerite", comp)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "holerite-maria-silva.pdf"), []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, body := admin.do("POST", "/api/jobs/"+before.ID+"/retry", nil); status != http.StatusOK {
		t.Fatalf("retry after the restart: %d %s", status, body)
	}
	eventually(t, "the payslip on the phone", func() bool { return len(documentsOf(c.outbound(phone))) == 1 })
	eventually(t, "the job processed", func() bool {
		j, err := e.DB().Job("demo", before.ID)
		return err == nil && j.State == balcao.JobDone && j.Delivered
	})
	if n := told(c); n != 0 {
		t.Errorf("the client was told %d more times that the office will act, want none", n)
	}
	if n := len(documentsOf(c.outbound(phone))); n != 1 {
		t.Fatalf("documents sent = %d, want 1", n)
	}
}
