package ui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCannedAddedOnce: Adicionar pressed again while a new answer is on its way adds it
// once, and shows no "already exists" error for the second press.
func TestBrowserCannedAddedOnce(t *testing.T) {
	base := sharedServer(t)
	bruno := newAPIAs(t, base, "bruno")
	p := newTab(t, base)
	p.beforeApp("slow the additions", slowRequests(`String(u).includes('/api/canned') && init?.method === 'POST'`))
	p.resume("bruno")
	shortcut := fmt.Sprintf("umavez%d", own())
	p.do("add, pressing Adicionar twice",
		chromedp.Navigate(base+"/#/respostas"),
		chromedp.WaitVisible(chromedp.CSS(`#canned-form`)),
		fill(`#canned-shortcut`, shortcut),
		fill(`#canned-text`, "Resposta adicionada uma vez."),
		chromedp.Click(chromedp.CSS(`#canned-add`)),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Click(chromedp.CSS(`#canned-add`)),
	)
	p.until("the answer listed", `document.querySelector('[data-canned=`+shortcut+`]') !== null`)
	time.Sleep(time.Second) // a second addition would be answered by now
	_, body := bruno.do("GET", "/api/canned", nil)
	if n := strings.Count(string(body), `"shortcut":"`+shortcut+`"`); n != 1 {
		t.Errorf("%d answers /%s, want 1: %s", n, shortcut, body)
	}
	if msg := p.eval(`[...document.querySelectorAll('#screen-respostas .error, #screen-respostas [role=alert]')].map(e => e.textContent).join(' | ')`); msg != "" {
		t.Errorf("error shown after one addition: %q", msg)
	}
}
