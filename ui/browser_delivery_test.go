package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/balcao/balcao"
)

// sentDocument is a document message as the simulated phone received it.
type sentDocument struct {
	ID       string           `json:"id"`
	Document *balcao.Document `json:"document"`
}

// documents lists the documents the simulated phone received, oldest first.
func (a *api) documents(to string) []sentDocument {
	a.t.Helper()
	st, body := a.do("GET", "/sim/outbound?office=demo&to="+to, nil)
	var got struct {
		Messages []sentDocument `json:"messages"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &got) != nil {
		a.t.Fatalf("outbound of %s: %d %s", to, st, body)
	}
	var docs []sentDocument
	for _, m := range got.Messages {
		if m.Document != nil {
			docs = append(docs, m)
		}
	}
	return docs
}

// TestBrowserJobDeliveryRecord: a document asked for on WhatsApp and delivered shows, in the
// request centre, its delivery record in São Paulo time (Solicitado, Gerado, Enviado, Entregue with
// times, Lido and Baixado no portal "—"); the client reading it shows live, a portal download
// after Atualizar; a failed refetch keeps the record under the error, and a job the server
// does not show says so.
func TestBrowserJobDeliveryRecord(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	phone := ownPhone()
	if st, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": "Lúcia Prado", "companies": []string{"padaria-pao-quente"}}); st != http.StatusCreated {
		t.Fatalf("add contact: %d %s", st, body)
	}
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}
	now := time.Now().In(sp)
	m := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, sp).AddDate(0, -2, 0)
	admin.inbound(phone, "me manda a guia do das de "+names[m.Month()-1]+" de "+m.Format("2006"))

	var doc sentDocument
	deadline := time.Now().Add(waitFor)
	for {
		if docs := admin.documents(phone); len(docs) == 1 {
			doc = docs[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the phone never received the DAS; it has %q", admin.outbound(phone))
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The browser is in Tokyo: times written in the browser's zone would be 12 hours off.
	p := newTab(t, base)
	p.do("put the browser in Tokyo", command(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}))
	p.beforeApp("make the job's refetch fail on demand", `(() => {
  const orig = window.fetch.bind(window)
  window.fetch = (u, init) => window.__offline && /\/api\/jobs\/[^?]/.test(String(u)) ? Promise.reject(new TypeError('Failed to fetch')) : orig(u, init)
})()`)
	// The panel's 30 s refetch is held: what fills in must come live, not from a timer that
	// happens to fire while the test waits.
	p.beforeApp("hold the 30 s refetches", `(() => {
  const orig = window.setInterval.bind(window)
  window.setInterval = (fn, ms, ...args) => orig(ms === 30000 ? () => {} : fn, ms, ...args)
})()`)
	p.resume("admin")
	p.do("open processados", chromedp.Navigate(base+"/#/pedidos/processados"), chromedp.WaitVisible(chromedp.CSS(`#screen-pedidos a.active[data-jobtab=processados]`)))
	rowSel := `[...document.querySelectorAll('#screen-pedidos li[data-job]')].find(e => e.textContent.includes(` + js(localPhone(phone)) + `))`
	p.until("the job in processados", rowSel+` !== undefined`)
	id := p.eval(rowSel + `.dataset.job`)
	p.do("open its delivery record",
		chromedp.Evaluate[chromedp.Void](rowSel+`.querySelector('.job-record').click()`),
		chromedp.WaitVisible(chromedp.CSS(`#job-record[data-job="`+id+`"] section.delivery`)),
	)
	if h := p.eval(`location.hash`); h != "#/pedidos/processados/"+id {
		t.Errorf("the record's address is %q, want #/pedidos/processados/%s", h, id)
	}

	step := func(name string) string {
		return p.eval(`document.querySelector('#job-record section.delivery [data-step=` + name + `] dd .delivery-at')?.textContent ?? 'missing'`)
	}
	label := func(name string) string {
		return p.eval(`document.querySelector('#job-record section.delivery [data-step=` + name + `] dt')?.textContent ?? 'missing'`)
	}
	stamp := regexp.MustCompile(`^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$`)
	p.until("Entregue has a time", `/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(document.querySelector('#job-record [data-step=delivered] .delivery-at')?.textContent)`)
	for name, want := range map[string]string{"requested": "Solicitado", "generated": "Gerado", "sent": "Enviado", "delivered": "Entregue", "read": "Lido", "downloaded": "Baixado no portal"} {
		if got := label(name); got != want {
			t.Errorf("step %s is labelled %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"requested", "generated", "sent", "delivered"} {
		if got := step(name); !stamp.MatchString(got) {
			t.Errorf("%s shows %q, want dd/mm/aaaa hh:mm", label(name), got)
		}
	}
	for _, name := range []string{"read", "downloaded"} {
		if got := step(name); got != "—" {
			t.Errorf("%s shows %q before it happened, want —", label(name), got)
		}
	}
	if got := p.eval(`document.querySelector('#job-record .delivery-file').textContent`); !strings.Contains(got, doc.Document.Name) {
		t.Errorf("the record names the file %q, want %q", got, doc.Document.Name)
	}

	// The times are São Paulo's, whatever the browser's zone.
	st, body := admin.do("GET", "/api/jobs/"+id, nil)
	var rec struct {
		Deliveries []balcao.Delivery `json:"deliveries"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &rec) != nil || len(rec.Deliveries) != 1 {
		t.Fatalf("GET /api/jobs/%s = %d %s", id, st, body)
	}
	d := rec.Deliveries[0]
	for name, at := range map[string]time.Time{"requested": d.Requested, "generated": d.Generated, "sent": d.StatusAt[balcao.StatusSent], "delivered": d.StatusAt[balcao.StatusDelivered]} {
		if got, want := step(name), at.In(sp).Format("02/01/2006 15:04"); got != want {
			t.Errorf("%s shows %q, want %q (São Paulo time)", label(name), got, want)
		}
	}

	// The client opens the chat: Lido fills in live, with no reload.
	if err := sharedEngine.Sim().Read("demo", phone, doc.ID); err != nil {
		t.Fatal(err)
	}
	p.until("Lido has a time, live", `/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(document.querySelector('#job-record [data-step=read] .delivery-at')?.textContent)`)

	// The client downloads it from the portal link: Baixado no portal fills in live, well
	// before the panel's 30 s refetch, without Atualizar.
	res, err := http.Get(doc.Document.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("portal download = %d", res.StatusCode)
	}
	p.within("Baixado no portal has a time, live", `/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(document.querySelector('#job-record [data-step=downloaded] .delivery-at')?.textContent)`, 5*time.Second)
	p.shot("record")

	// The network fails on Atualizar: the message, and the record still there.
	p.do("lose the network", chromedp.Evaluate[chromedp.Void](`window.__offline = true`), chromedp.Click(chromedp.CSS(`#job-record-refresh`)))
	p.until("the network error shown", `document.querySelector('#job-record .error')?.textContent.includes('conexão')`)
	if n := p.eval(`String(document.querySelectorAll('#job-record section.delivery').length)`); n != "1" {
		t.Errorf("after a failed refetch the panel shows %s documents, want the record kept", n)
	}
	p.do("the network back", chromedp.Evaluate[chromedp.Void](`window.__offline = false`), chromedp.Click(chromedp.CSS(`#job-record-refresh`)))
	p.until("the error gone", `document.querySelector('#job-record .error') === null && document.querySelector('#job-record section.delivery') !== null`)

	// Closing goes back to the list.
	p.do("close", chromedp.Click(chromedp.CSS(`#job-record-close`)), chromedp.WaitNotPresent(chromedp.CSS(`#job-record`)))
	if h := p.eval(`location.hash`); h != "#/pedidos/processados" {
		t.Errorf("after Fechar the address is %q, want #/pedidos/processados", h)
	}

	// A job the server does not show (gone, or another office's): its message, not a blank panel.
	p.do("open a job that does not exist", chromedp.Navigate(base+"/#/pedidos/processados/nao-existe"), chromedp.WaitVisible(chromedp.CSS(`#job-record .error`)))
	if msg := p.eval(`document.querySelector('#job-record .error').textContent`); !strings.Contains(msg, "Pedido não encontrado") {
		t.Errorf("an unknown job says %q, want Pedido não encontrado", msg)
	}
}
