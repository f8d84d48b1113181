package ui_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLateStaffAfterLogout: the staff list of a user who logged out, answered late,
// does not replace the list the next user loaded.
func TestBrowserLateStaffAfterLogout(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	p := newTab(t, base)
	p.beforeApp("hold the staff list", holdAnswers(`String(u).endsWith('/api/staff') && (init?.method ?? 'GET') === 'GET'`, true))
	p.login("ana")
	p.until("ana's staff list held", `window.__held.length >= 1`)
	p.do("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	p.eval(`window.__hold = false; ''`)

	n := own()
	name := fmt.Sprintf("Dora Tardia %d", n)
	if st, body := admin.do("POST", "/api/staff", map[string]any{"user": fmt.Sprintf("dora%d", n), "name": name, "role": "atendente", "password": managerPass}); st != http.StatusCreated {
		t.Fatalf("new staff member: %d %s", st, body)
	}
	p.eval(`document.querySelector('input[name=office]').select(); ''`)
	p.do("type the office", chromedp.SendKeys(chromedp.CSS(`input[name=office]`), "demo"))
	p.eval(`document.querySelector('input[name=user]').select(); ''`)
	p.do("log in as admin",
		chromedp.SendKeys(chromedp.CSS(`input[name=user]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), browserPass),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.rail`)),
		chromedp.Navigate(base+"/#/historico"),
	)
	has := `[...document.querySelectorAll('select[name=staff] option')].some(o => o.textContent === ` + js(name) + `)`
	p.until("the new member among admin's staff", has)
	p.eval(`window.__held.splice(0).forEach((f) => f()); ''`)
	time.Sleep(500 * time.Millisecond) // the late list would be applied by now
	if p.eval(`String(`+has+`)`) != "true" {
		t.Errorf("ana's late staff list replaced admin's: %s is gone from the staff filter", name)
	}
}

// countReads counts the message.status "read" frames the page's websockets receive.
const countReads = `(() => {
  window.__statuses = 0
  const WS = window.WebSocket
  window.WebSocket = class extends WS {
    constructor(u, p) {
      super(u, p)
      this.addEventListener('message', (ev) => {
        const f = JSON.parse(String(ev.data))
        for (const one of Array.isArray(f) ? f : [f]) if (one.type === 'message.status' && one.data?.status === 'read') window.__statuses++
      })
    }
  }
})()`

// TestBrowserStatusWhileMessagesLoad: a read receipt that arrives while the conversation's
// messages are loading shows once they arrive (the page loaded holds the older status).
func TestBrowserStatusWhileMessagesLoad(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	phone := ownPhone()
	sim.inbound(phone, askForPerson)
	var ids []string
	for i := 0; len(ids) == 0; i++ {
		sent, _ := sharedEngine.Sim().Outbound("demo", phone, "")
		for _, m := range sent {
			ids = append(ids, m.ID)
		}
		if i > 300 {
			t.Fatal("the assistant never answered")
		}
		time.Sleep(20 * time.Millisecond)
	}

	p := newTab(t, base)
	p.beforeApp("hold the messages", holdAnswers(`/\/messages\?limit=\d+$/.test(String(u))`, true)+";"+countReads)
	p.resume("ana")
	p.do("open the conversation", chromedp.Navigate(base+"/#/atendimento/pendentes/"+phone))
	p.until("the messages held", `window.__held.length >= 1`)
	for _, id := range ids {
		if err := sharedEngine.Sim().Read("demo", phone, id); err != nil {
			t.Fatal(err)
		}
	}
	p.until("the read receipts received", `window.__statuses >= `+strconv.Itoa(len(ids)))
	p.eval(releaseHeld + ` && ''`)
	p.until("the messages shown", `document.querySelector('#history .msg.out [data-status]') !== null`)
	time.Sleep(300 * time.Millisecond)
	if got := p.eval(`[...document.querySelectorAll('#history .msg.out [data-status]')].map(e => e.dataset.status).join(',')`); strings.Trim(strings.ReplaceAll(got, "read", ""), ",") != "" {
		t.Errorf("statuses after the load = %s, want all read", got)
	}
}

// brokenConversation answers the page's GET of a conversation with a body of the wrong shape,
// as a proxy or a server bug might: the store fails with a JavaScript TypeError.
const brokenConversation = `(() => {
  const orig = window.fetch.bind(window)
  window.fetch = (u, init) => /\/api\/conversations\/\d+$/.test(String(u)) ? Promise.resolve(new Response('{}', { headers: { 'Content-Type': 'application/json' } })) : orig(u, init)
})()`

// TestBrowserUnexpectedErrorInPortuguese: a conversation that fails to open for an unexpected
// reason says so in Portuguese, not with the JavaScript error's English text.
func TestBrowserUnexpectedErrorInPortuguese(t *testing.T) {
	base := sharedServer(t)
	const phone = "5548966660012"
	newAPI(t, base).inbound(phone, askForPerson)
	admin := newAPIAs(t, base, "admin")
	for i := 0; ; i++ {
		if st, _ := admin.do("GET", "/api/conversations/"+phone, nil); st == http.StatusOK {
			break
		}
		if i > 300 {
			t.Fatal("the conversation never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p := newTab(t, base)
	p.beforeApp("break the conversation's answer", brokenConversation)
	p.resume("ana")
	p.do("open a conversation", chromedp.Navigate(base+"/#/atendimento/pendentes/"+phone))
	p.until("the error shown", `document.querySelector('#screen-atendimento .error.banner, .error.banner') !== null`)
	if got, want := p.eval(`document.querySelector('.error.banner').textContent`), "Algo deu errado. Tente novamente."; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}
