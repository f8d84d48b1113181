package ui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserJobReplyOnce: Enviar pressed again while a reply to a job is on its way does not
// send the client the reply twice.
func TestBrowserJobReplyOnce(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	if st, body := admin.do("PUT", "/api/settings", map[string]any{"rules": map[string]string{"holerite": "confirm"}}); st != http.StatusOK {
		t.Fatalf("PUT /api/settings = %d %s", st, body)
	}
	t.Cleanup(func() { admin.do("PUT", "/api/settings", map[string]any{"rules": map[string]string{}}) })
	const phone = "5548999996666"
	if st, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": "Rita Prado", "companies": []string{"padaria-pao-quente"}}); st != http.StatusCreated {
		t.Fatalf("add contact: %d %s", st, body)
	}

	p := newTab(t, base)
	p.beforeApp("slow the replies", slowRequests(`String(u).includes('/reply')`))
	p.resume("admin")
	p.do("open pendentes", chromedp.Navigate(base+"/#/pedidos/pendentes"), chromedp.WaitVisible(chromedp.CSS(`#screen-pedidos .tabs`)))
	admin.inbound(phone, "me manda o holerite de outubro")
	job := `#screen-pedidos li[data-job]`
	rowSel := `[...document.querySelectorAll(` + js(job) + `)].find(e => e.textContent.includes('55 (48) 99999-6666'))`
	p.until("held job appears", rowSel+` !== undefined`)

	// A text of this run only: the shared server keeps the replies of earlier runs (-count=N).
	answer := fmt.Sprintf("Rita, já vou conferir o seu holerite (%d).", time.Now().UnixNano())
	p.do("reply, pressing Enviar twice",
		chromedp.Evaluate[chromedp.Void](rowSel+`.querySelector('.job-reply').click()`),
		chromedp.WaitVisible(chromedp.CSS(`.job-reply-form input`)),
		fill(`.job-reply-form input`, answer),
		chromedp.Click(chromedp.CSS(`.job-reply-form button`)),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Click(chromedp.CSS(`.job-reply-form button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.job-reply-form`)),
	)
	admin.waitOutbound(phone, answer)
	time.Sleep(time.Second) // a second reply would be on its way by now
	n := 0
	for _, m := range admin.outbound(phone) {
		if strings.Contains(m, answer) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the client got the reply %d times, want once", n)
	}
}
