package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/balcao/balcao"
)

// TestBrowserInboxRowAndHistoryLabels: a pending conversation's row shows how many messages
// wait unread, the last one and how long the client has waited; its history opens with the
// day's separator and names who said what (the client by name, the assistant, the attendant
// by name); starting it clears the unread badge.
func TestBrowserInboxRowAndHistoryLabels(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	phone, name := ownPhone(), "Marta "+ownWord()+" Lima"
	if st, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": name, "companies": []string{"padaria-pao-quente"}}); st != http.StatusCreated {
		t.Fatalf("add contact: %d %s", st, body)
	}
	p := newTab(t, base)
	p.resume("ana")
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"), chromedp.WaitVisible(chromedp.CSS(`ul[data-list=pendentes]`)))

	second := "e a guia do " + ownWord() + "?"
	admin.inbound(phone, askForPerson)
	admin.inbound(phone, second)
	sel := js(row("pendentes", phone))
	p.until("two unread", `document.querySelector(`+sel+` + ' .badge')?.textContent === '2'`)
	p.until("the last message as the preview", `document.querySelector(`+sel+` + ' .conv-preview')?.textContent === `+js(second))
	p.until("the waiting time", `/^aguarda há \S/.test(document.querySelector(`+sel+` + ' .chip.wait')?.textContent ?? '')`)

	p.do("open it", chromedp.Click(chromedp.CSS(row("pendentes", phone))), chromedp.WaitVisible(chromedp.CSS(`#start`)))
	p.until("the history loaded", `[...document.querySelectorAll('#history .msg.in .text')].some(e => e.textContent === `+js(second)+`)`)
	if got := p.eval(`JSON.stringify([...document.querySelectorAll('#history .day')].map(e => e.textContent))`); got != `["Hoje"]` {
		t.Errorf("day separators = %s, want one, Hoje", got)
	}
	if got := p.eval(`document.querySelector('#history > .day + .msg') ? 'yes' : 'no'`); got != "yes" {
		t.Errorf("the day separator does not come before the first message")
	}
	authors := func(sel string) []string {
		var got []string
		_ = json.Unmarshal([]byte(p.eval(`JSON.stringify([...document.querySelectorAll(`+js(sel)+`)].map(e => e.textContent))`)), &got)
		return got
	}
	if got := authors(`#history .msg.in.first .author`); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != name }) {
		t.Errorf("the client's messages are signed %q, want %q", got, name)
	}
	if got := authors(`#history .msg[data-author=assistant].first .author`); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "Assistente virtual" }) {
		t.Errorf("the assistant's messages are signed %q, want Assistente virtual", got)
	}

	p.do("start and answer",
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
		chromedp.SendKeys(chromedp.CSS(`#composer`), "Já vejo, Marta."),
		enter,
	)
	p.until("the attendant's message signed with her name", `document.querySelector('#history .msg.out.staff.first .author')?.textContent === 'Ana Ribeiro'`)
	p.until("no unread badge once started", `document.querySelector(`+js(row("atendimento", phone))+`) !== null && document.querySelector(`+js(row("atendimento", phone)+` .badge`)+`) === null`)
	admin.waitOutbound(phone, "Já vejo, Marta.")
}

// TestBrowserContatosShowsTheWholeHistory: a conversation longer than a page opens with its
// latest messages, and "Mensagens anteriores" brings the older ones back to the first.
func TestBrowserContatosShowsTheWholeHistory(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	phone := ownPhone()
	const n = 55 // past the page of 50 the client loads
	for i := 1; i <= n; i++ {
		sim.inbound(phone, fmt.Sprintf("mensagem %d de %d", i, n))
	}
	// All stored before the page opens: a page loaded halfway would hold the first message.
	admin := newAPIAs(t, base, "admin")
	deadline := time.Now().Add(waitFor)
	for {
		st, body := admin.do("GET", "/api/conversations/"+phone+"/messages?limit=5", nil)
		if st == http.StatusOK && strings.Contains(string(body), fmt.Sprintf(`"mensagem %d de %d"`, n, n)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last message was never stored: %d %s", st, body)
		}
		time.Sleep(20 * time.Millisecond) // polling the server's state with a deadline
	}
	p := newTab(t, base)
	p.resume("admin")
	first, last := js("mensagem 1 de 55"), js(fmt.Sprintf("mensagem %d de %d", n, n))
	texts := `[...document.querySelectorAll('#history .msg .text')].map(e => e.textContent)`
	p.do("open it from Contatos", chromedp.Navigate(base+"/#/atendimento/contatos/"+phone), chromedp.WaitVisible(chromedp.CSS(`#history .older button`)))
	p.until("the latest message", texts+`.includes(`+last+`)`)
	if got := p.eval(`String(` + texts + `.includes(` + first + `))`); got != "false" {
		t.Fatalf("the first message shows before the older ones were asked for")
	}
	p.do("load the older messages", chromedp.Click(chromedp.CSS(`#history .older button`)))
	p.until("the first message", texts+`.includes(`+first+`)`)
	p.do("nothing older left", chromedp.WaitNotPresent(chromedp.CSS(`#history .older`)))
	if got := p.eval(`String(` + texts + `.filter(s => s.startsWith('mensagem ')).length)`); got != fmt.Sprint(n) {
		t.Errorf("the history shows %s of the client's %d messages", got, n)
	}
}

// TestBrowserNewPendingRingsAndNotifies: a conversation that becomes pending plays the chime
// and, while the page is in the background, shows a browser notification naming the client;
// in the foreground it only rings.
func TestBrowserNewPendingRingsAndNotifies(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.do("allow notifications", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: base, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
		})
		return err
	}))
	p.resume("bruno")
	// Record the notifications and the chime's tones; the page's visibility is the test's.
	p.do("watch the alerts", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__notes = []
		window.__tones = 0
		window.__hidden = false
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden })
		window.Notification = new Proxy(window.Notification, { construct(target, args) { window.__notes.push({ title: args[0], body: args[1]?.body ?? '' }); return Reflect.construct(target, args) } })
		const osc = AudioContext.prototype.createOscillator
		AudioContext.prototype.createOscillator = function () { window.__tones++; return osc.call(this) }
	})()`))
	if got := p.eval(`Notification.permission`); got != "granted" {
		t.Fatalf("Notification.permission = %q, want granted", got)
	}
	// Browsers allow sound only after a gesture: a click on the page.
	p.do("a gesture", chromedp.Click(chromedp.CSS(`#search`)))

	background := ownPhone()
	p.do("the page goes to the background", chromedp.Evaluate[chromedp.Void](`window.__hidden = true`))
	sim.inbound(background, askForPerson)
	p.until("a notification", `window.__notes.length > 0`)
	p.until("the chime", `window.__tones >= 2`)
	if got := p.eval(`JSON.stringify(window.__notes)`); !strings.Contains(got, `"title":"Nova conversa pendente"`) || !strings.Contains(got, background) {
		t.Errorf("notifications = %s, want one titled Nova conversa pendente naming %s", got, background)
	}

	foreground := ownPhone()
	p.do("the page comes back", chromedp.Evaluate[chromedp.Void](`window.__hidden = false; window.__notes = []; window.__tones = 0`))
	sim.inbound(foreground, askForPerson)
	p.do("the conversation arrives", chromedp.WaitVisible(chromedp.CSS(row("pendentes", foreground))))
	p.until("the chime", `window.__tones >= 2`)
	if got := p.eval(`JSON.stringify(window.__notes)`); got != "[]" {
		t.Errorf("notifications in the foreground = %s, want none", got)
	}
}

// TestBrowserSecondTabOfTheSameUser: one attendant with the app open in two tabs (one session)
// sees everything live in both: a conversation started in one is theirs in the other, a
// message sent from one shows in the other, and finishing it in the other ends it in the first.
func TestBrowserSecondTabOfTheSameUser(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	one, two := newTab(t, base), newTab(t, base)
	// Count each tab's sockets: the server must keep both, not trade one for the other.
	const countSockets = `(() => {
		const WS = window.WebSocket
		window.__sockets = { opened: 0, closed: 0 }
		window.WebSocket = class extends WS {
			constructor(...args) {
				super(...args)
				window.__sockets.opened++
				this.addEventListener('close', () => window.__sockets.closed++)
			}
		}
	})()`
	for _, p := range []*tab{one, two} {
		p.do("count the sockets", command(page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: countSockets}))
		p.resume("ana")
	}
	for _, p := range []*tab{one, two} {
		p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"), chromedp.WaitVisible(chromedp.CSS(`ul[data-list=pendentes]`)))
	}
	phone := ownPhone()
	sim.inbound(phone, askForPerson)
	for _, p := range []*tab{one, two} {
		p.do("see it pending", chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone))))
	}
	one.do("start it in the first tab", startService(base, phone)...)
	two.do("it leaves pendentes in the second", chromedp.WaitNotPresent(chromedp.CSS(row("pendentes", phone))))
	two.do("and is hers there",
		chromedp.Navigate(base+"/#/atendimento/atendimento/"+phone),
		chromedp.WaitVisible(chromedp.CSS(row("atendimento", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
	)
	answer := "respondido na primeira aba " + ownWord()
	one.do("answer from the first tab", chromedp.SendKeys(chromedp.CSS(`#composer`), answer), enter)
	two.until("the answer in the second", `[...document.querySelectorAll('#history .msg.out .text')].some(e => e.textContent === `+js(answer)+`)`)
	sim.waitOutbound(phone, answer)
	two.do("finish in the second tab", chromedp.Click(chromedp.CSS(`#finish`)), chromedp.WaitVisible(chromedp.CSS(`#start`)))
	one.do("it ends in the first", chromedp.WaitNotPresent(chromedp.CSS(row("atendimento", phone))), chromedp.WaitVisible(chromedp.CSS(`#start`)))
	for i, p := range []*tab{one, two} {
		if got := p.eval(`JSON.stringify(window.__sockets)`); got != `{"opened":1,"closed":0}` {
			t.Errorf("tab %d sockets = %s, want one, never closed", i+1, got)
		}
	}
}

// TestBrowserHugeAttachmentRefused: a file past the server's 20 MB is refused in the page with
// a message saying so; nothing goes to the client and the typed text stays.
func TestBrowserHugeAttachmentRefused(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("bruno")
	phone := ownPhone()
	sim.inbound(phone, askForPerson)
	file := filepath.Join(t.TempDir(), "balanco-completo.pdf")
	if err := os.WriteFile(file, append([]byte("%PDF-1.4\n"), make([]byte, 21<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	const caption = "segue o balanço"
	p.do("open, start and attach a 21 MB file", append(startService(base, phone),
		chromedp.SendKeys(chromedp.CSS(`#composer`), caption),
		chromedp.SetUploadFiles(chromedp.CSS(`#attachment`), []string{file}),
		chromedp.WaitVisible(chromedp.CSS(`#composer-error`)),
	)...)
	if msg := p.eval(`document.querySelector('#composer-error').textContent`); !strings.Contains(msg, "20 MB") || !strings.Contains(msg, "21,0 MB") {
		t.Errorf("error for a 21 MB file = %q, want it to name its size (21,0 MB, a decimal comma) and the 20 MB limit", msg)
	}
	if v := p.eval(`document.querySelector('#composer').value`); v != caption {
		t.Errorf("composer after the refusal = %q, want the caption kept", v)
	}
	if n := p.eval(`String(document.querySelectorAll('#history .msg.out.staff').length)`); n != "0" {
		t.Errorf("the history shows %s messages of the attendant, want none", n)
	}
	if texts := sim.outbound(phone); slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, caption) }) {
		t.Errorf("the phone received %q, want nothing of the refused file", texts)
	}
}

// TestBrowserCompanySwitches: on Habilitação de Clientes a company shows the day it was
// registered, and its switches (enabled, Utilizar assistente virtual) change it on the server
// one at a time.
func TestBrowserCompanySwitches(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	n := own()
	cnpj := balcao.FormatCNPJ(balcao.CNPJCheckDigits(fmt.Sprintf("%08d0001", 12_000_000+n)))
	status, body := admin.do("POST", "/api/companies", map[string]any{"name": fmt.Sprintf("Escritório Chave %d Ltda", n), "cnpj": cnpj, "enabled": true, "useAssistant": true})
	var created struct{ Company balcao.Company }
	if status != http.StatusCreated || json.Unmarshal(body, &created) != nil {
		t.Fatalf("create company: %d %s", status, body)
	}
	id := created.Company.ID
	server := func() balcao.Company {
		t.Helper()
		st, body := admin.do("GET", "/api/companies", nil)
		var list struct{ Companies []balcao.Company }
		if st != http.StatusOK || json.Unmarshal(body, &list) != nil {
			t.Fatalf("GET /api/companies: %d %s", st, body)
		}
		for _, c := range list.Companies {
			if c.ID == id {
				return c
			}
		}
		t.Fatalf("company %s not listed", id)
		return balcao.Company{}
	}

	p := newTab(t, base)
	p.resume("admin")
	tr := `tr[data-company="` + id + `"]`
	p.do("open Clientes", chromedp.Navigate(base+"/#/clientes"), chromedp.WaitVisible(chromedp.CSS(tr)))
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	want := created.Company.CreatedAt.In(sp).Format("02/01/2006") // the São Paulo day, as every date the client shows
	if got := p.eval(`[...document.querySelectorAll(` + js(tr+` td`) + `)].map(e => e.textContent).join('|')`); !strings.Contains(got, want) {
		t.Errorf("the company's row reads %q, want its date %s", got, want)
	}
	assistant := tr + ` button[role=switch][aria-label="Utilizar assistente virtual"]`
	enabled := tr + ` button[role=switch]:not([aria-label="Utilizar assistente virtual"])`
	p.do("turn the assistant off", chromedp.Click(chromedp.CSS(assistant)))
	p.until("the switch off", `document.querySelector(`+js(assistant)+`).getAttribute('aria-checked') === 'false'`)
	if c := server(); c.UseAssistant || !c.Enabled {
		t.Errorf("after the assistant switch: %+v, want enabled without the assistant", c)
	}
	p.do("disable the company", chromedp.Click(chromedp.CSS(enabled)))
	p.until("the switch off", `document.querySelector(`+js(enabled)+`).getAttribute('aria-checked') === 'false'`)
	if c := server(); c.UseAssistant || c.Enabled || c.Name != created.Company.Name || c.CNPJ != created.Company.CNPJ {
		t.Errorf("after the enabled switch: %+v, want disabled, without the assistant, name and CNPJ kept", c)
	}
}
