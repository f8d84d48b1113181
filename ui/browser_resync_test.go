package ui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// holdSockets keeps a websocket from opening while window.__wsHold is set.
const holdSockets = `(() => {
  const WS = window.WebSocket
  window.WebSocket = class extends WS {
    constructor(u, p) { super(window.__wsHold ? String(u).replace('/ws', '/no-ws') : u, p) }
  }
})()`

// holdLists keeps back the answers to the inbox's list requests (holdAnswers, from the start
// when from) and the websockets (holdSockets) in every page the tab opens.
func (p *tab) holdLists(from bool) {
	p.t.Helper()
	p.beforeApp("install the request hold", holdAnswers(`String(u).includes('/api/conversations?tab=')`, from)+";"+holdSockets)
}

// TestBrowserLogoutWhileListsLoad: Sair while the lists are still loading, then a login as
// someone else: the new user's lists load (the unfinished reload of the first user's must not
// keep the store "syncing" for good, buffering every frame).
func TestBrowserLogoutWhileListsLoad(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	const phone = "5548966660001"
	sim.inbound(phone, askForPerson)

	p := newTab(t, base)
	p.holdLists(true)
	p.login("ana")
	p.until("the lists requested and held", `window.__held.length >= 3`)
	p.do("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	p.eval(releaseHeld + ` && ''`)

	p.eval(`document.querySelector('input[name=office]').select(); ''`)
	p.do("type the office", chromedp.SendKeys(chromedp.CSS(`input[name=office]`), "demo"))
	p.eval(`document.querySelector('input[name=user]').select(); ''`)
	p.do("log in as bruno",
		chromedp.SendKeys(chromedp.CSS(`input[name=user]`), "bruno"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), browserPass),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.rail`)),
	)
	p.until("websocket online", `document.querySelector('[data-conn=online]') !== null`)
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"))
	p.until("bruno's pending list loaded", `document.querySelector(`+js(row("pendentes", phone))+`) !== null`)
}

// TestBrowserResyncDuringResync: a hello that asks for a reload while the previous reload is
// still on its way (the socket dropped twice, and a conversation became pending in between)
// reloads again: the lists the first reload brings are older than the events the server no
// longer replays, and the new pending conversation must still appear.
func TestBrowserResyncDuringResync(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	admin := newAPIAs(t, base, "admin")
	const first, second = "5548966660002", "5548966660003"
	sim.inbound(first, askForPerson)

	p := newTab(t, base)
	p.holdLists(false)
	p.login("ana")
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"))
	p.until("websocket online", `document.querySelector('[data-conn=online]') !== null`)
	p.until("first pending shown", `document.querySelector(`+js(row("pendentes", first))+`) !== null`)

	// A first reload, held on its way.
	p.eval(`window.__hold = true; ''`)
	sharedEngine.Hub().DropUser("demo", "ana")
	p.until("the reload's lists held", `window.__held.length >= 3`)

	// The socket drops again; while it is down a conversation becomes pending.
	p.eval(`window.__wsHold = true; ''`)
	sharedEngine.Hub().DropUser("demo", "ana")
	p.until("websocket down", `document.querySelector('[data-conn=online]') === null`)
	sim.inbound(second, askForPerson)
	for i := 0; ; i++ {
		if st, body := admin.do("GET", "/api/conversations/"+second, nil); st == http.StatusOK && strings.Contains(string(body), `"state":"pending"`) {
			break
		}
		if i > 100 {
			t.Fatal("the second conversation never became pending")
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.eval(`window.__wsHold = false; dispatchEvent(new Event('online')); ''`)
	p.until("websocket back online", `document.querySelector('[data-conn=online]') !== null`)
	p.eval(releaseHeld + ` && ''`)
	p.until("the second pending shown", `document.querySelector(`+js(row("pendentes", second))+`) !== null`)
}
