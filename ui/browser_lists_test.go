package ui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserListSavedOnce: Salvar pressed again while a new list is on its way makes one
// list, not two of the same name.
func TestBrowserListSavedOnce(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	p := newTab(t, base)
	p.beforeApp("slow the saves", slowRequests(`String(u).includes('/api/lists') && init?.method === 'POST'`))
	p.resume("admin")
	name := fmt.Sprintf("Lista salva uma vez %d", own())
	p.do("open Listas de Transmissão", chromedp.Navigate(base+"/#/listas"), chromedp.WaitVisible(chromedp.CSS(`#list-form`)))
	p.until("the companies listed", `document.querySelector('.list-company[value=tech-floripa]') !== null`)
	p.do("save, pressing Salvar twice",
		fill(`#list-name`, name),
		chromedp.Click(chromedp.CSS(`.list-company[value=tech-floripa]`)),
		chromedp.Click(chromedp.CSS(`#list-save`)),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Click(chromedp.CSS(`#list-save`)),
	)
	p.until("the list saved", `(document.querySelector('#lists-table')?.textContent ?? '').includes(`+js(name)+`)`)
	time.Sleep(time.Second) // a second list would be saved by now
	_, body := admin.do("GET", "/api/lists", nil)
	if n := strings.Count(string(body), `"name":`+js(name)); n != 1 {
		t.Errorf("%d lists named %q, want 1: %s", n, name, body)
	}
}
