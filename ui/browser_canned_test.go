package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// slowCanned makes the page's new canned answers take 600 ms on their way.
const slowCanned = `(() => {
  const orig = window.fetch.bind(window)
  window.fetch = (u, init) => String(u).includes('/api/canned') && init?.method === 'POST' ? new Promise((ok) => setTimeout(ok, 600)).then(() => orig(u, init)) : orig(u, init)
})()`

// TestBrowserCannedAddedOnce: Adicionar pressed again while a new answer is on its way adds it
// once, and shows no "already exists" error for the second press.
func TestBrowserCannedAddedOnce(t *testing.T) {
	base := sharedServer(t)
	bruno := newAPIAs(t, base, "bruno")
	p := newTab(t, base)
	p.do("slow the additions", command(page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: slowCanned}))
	p.resume("bruno")
	const shortcut = "umavez"
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
