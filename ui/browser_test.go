package ui_test

// End-to-end tests of the staff web client in Debian's headless Chromium, driven by chromedp,
// against the real engine on a loopback port with the simulated WhatsApp. One browser is shared
// by every test; each page gets its own browser context (its own cookies). Every wait is on a
// DOM condition with a deadline, never a fixed sleep.
//
// Chromium is never downloaded: /usr/bin/chromium comes from `make deps`. Without it the tests
// skip, except in CI (CI=true), where a missing browser is a failure. BALCAO_SCREENSHOTS=DIR
// saves screenshots of the inbox there.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/balcao/balcao/engine"
)

const (
	chromiumPath = "/usr/bin/chromium"
	browserPass  = "x"
	waitFor      = 15 * time.Second // the longest any one DOM condition may take
)

// The shared browser: started by the first test that needs it, closed by TestMain.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	os.Exit(code)
}

// browser returns the shared browser's context, skipping (or, in CI, failing) the test when
// Chromium is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install Debian's chromium (make deps)", chromiumPath)
		}
		t.Skipf("%s is missing: run `make deps` (apt-get install chromium) to run the browser tests", chromiumPath)
	}
	browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "balcao-chromium-")
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1366, 860),
		)
		allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		browserCtx = ctx
		browserCancel = func() {
			cancel()
			allocCancel()
			os.RemoveAll(dir)
		}
		browserErr = chromedp.Do(ctx) // starts the browser, bound to no test's deadline
	})
	if browserErr != nil {
		t.Fatalf("start chromium: %v", browserErr)
	}
	return browserCtx
}

// server runs a real engine with the demo office on a loopback port.
func server(t *testing.T) string {
	t.Helper()
	e, err := engine.Start(engine.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Demo: true, DemoPassword: browserPass})
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop engine: %v", err)
		}
	})
	return "http://" + e.Addr()
}

// page is one browser tab in its own browser context, with a deadline for the whole test.
type tab struct {
	t       *testing.T
	ctx     context.Context
	base    string
	dialogs *atomic.Int32 // JavaScript dialogs the page opened (alert() must never run)
}

func newTab(t *testing.T, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	dialogs := &atomic.Int32{}
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			go func() {
				_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
					return err
				}))
			}()
		}
	}()
	return &tab{t: t, ctx: ctx, base: base, dialogs: dialogs}
}

// do runs actions with the standard deadline, failing the test with what was being done.
func (p *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.shot("fail-" + strings.ReplaceAll(what, " ", "-"))
		p.t.Fatalf("%s: %v", what, err)
	}
}

// until waits for a JavaScript condition to hold.
func (p *tab) until(what, expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(waitFor))); err != nil {
		p.shot("fail-" + strings.ReplaceAll(what, " ", "-"))
		p.t.Fatalf("wait for %s: %v", what, err)
	}
}

func (p *tab) eval(expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot saves a screenshot when BALCAO_SCREENSHOTS names a folder.
func (p *tab) shot(name string) {
	dir := os.Getenv("BALCAO_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, strings.ReplaceAll(p.t.Name(), "/", "-")+"-"+name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Logf("save screenshot: %v", err)
	}
}

// login signs in through the login form and waits for the live connection.
func (p *tab) login(user string) {
	p.t.Helper()
	p.do("open login",
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=office]`), "demo"),
		chromedp.SendKeys(chromedp.CSS(`input[name=user]`), user),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), browserPass),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.rail`)),
	)
	p.until("websocket online", `document.querySelector('[data-conn=online]') !== null`)
}

// row is the CSS selector of a conversation in a tab's list.
func row(tab, phone string) string {
	return fmt.Sprintf(`ul[data-list=%s] a[data-id="%s"]`, tab, phone)
}

// js quotes a Go string for JavaScript.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// api is a plain HTTP client of the server (the simulated phone and checks).
type api struct {
	t    *testing.T
	base string
	http *http.Client
}

func newAPI(t *testing.T, base string) *api {
	jar, _ := cookiejar.New(nil)
	return &api{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

func (a *api) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.http.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func (a *api) login(user string) {
	a.t.Helper()
	if st, body := a.do("POST", "/api/login", map[string]string{"office": "demo", "user": user, "password": browserPass}); st != http.StatusOK {
		a.t.Fatalf("login %s: %d %s", user, st, body)
	}
}

// inbound makes a simulated phone send a message to the demo office.
func (a *api) inbound(from, text string) {
	a.t.Helper()
	if st, body := a.do("POST", "/sim/inbound", map[string]string{"office": "demo", "from": from, "text": text}); st != http.StatusAccepted {
		a.t.Fatalf("sim inbound from %s: %d %s", from, st, body)
	}
}

// waitOutbound polls the simulated phone until it received a message containing want.
func (a *api) waitOutbound(to, want string) {
	a.t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st, body := a.do("GET", "/sim/outbound?office=demo&to="+to, nil)
		var got struct {
			Messages []struct {
				Text string `json:"text"`
			} `json:"messages"`
		}
		if st == http.StatusOK && json.Unmarshal(body, &got) == nil {
			for _, m := range got.Messages {
				if strings.Contains(m.Text, want) {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("phone %s never received %q; last outbound: %d %s", to, want, st, body)
		}
		<-tick.C
	}
}

func (a *api) conversation(id string) (state, attendant string) {
	a.t.Helper()
	st, body := a.do("GET", "/api/conversations/"+id, nil)
	var got struct {
		Conversation struct {
			State     string `json:"state"`
			Attendant string `json:"attendant"`
		} `json:"conversation"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &got) != nil {
		a.t.Fatalf("get conversation %s: %d %s", id, st, body)
	}
	return got.Conversation.State, got.Conversation.Attendant
}

const askForPerson = "quero falar com um atendente"

// TestBrowserServiceCycle: a pending conversation appears live, is started, answered (the
// phone receives the answer) and finished (it leaves Em atendimento).
func TestBrowserServiceCycle(t *testing.T) {
	base := server(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"), chromedp.WaitVisible(chromedp.CSS(`ul[data-list=pendentes]`)))

	const phone = "5548999990001"
	sim.inbound(phone, askForPerson)
	p.do("see the new pending conversation live", chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone))))
	p.until("pending count", `document.querySelector('[data-count=pendentes]').textContent === '1'`)
	p.shot("inbox")

	p.do("open and start",
		chromedp.Click(chromedp.CSS(row("pendentes", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
		chromedp.WaitVisible(chromedp.CSS(`#finish`)),
	)
	p.until("pending tab empty", `document.querySelector('[data-count=pendentes]').textContent === '0'`)

	const answer = "Bom dia, Carlos! Já vejo isso. 😊"
	p.do("reply with Enter", chromedp.SendKeys(chromedp.CSS(`#composer`), answer+kb.Enter))
	p.until("answer in the history", `[...document.querySelectorAll('#history .msg.out .text')].some(e => e.textContent === `+js(answer)+`)`)
	p.until("composer cleared", `document.querySelector('#composer').value === ''`)
	sim.waitOutbound(phone, "Bom dia, Carlos!")
	p.shot("conversation")

	p.do("see it in Em atendimento",
		chromedp.Navigate(base+"/#/atendimento/atendimento/"+phone),
		chromedp.WaitVisible(chromedp.CSS(row("atendimento", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#finish`)),
		chromedp.Click(chromedp.CSS(`#finish`)),
		chromedp.WaitNotPresent(chromedp.CSS(row("atendimento", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
	)
	p.until("attending count", `document.querySelector('[data-count=atendimento]').textContent === '0'`)
}

// TestBrowserComposerRules: Shift+Enter makes a new line, HTML typed or received shows as
// text and never runs, a text over 64 KB is refused before it is sent.
func TestBrowserComposerRules(t *testing.T) {
	base := server(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")

	const phone = "5548999990002"
	const inboundHTML = `<script>alert(2)</script><b>negrito</b>`
	sim.inbound(phone, askForPerson)
	sim.inbound(phone, inboundHTML)
	p.do("open and start",
		chromedp.Navigate(base+"/#/atendimento/pendentes/"+phone),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
	)
	p.until("inbound HTML shown as text", `[...document.querySelectorAll('#history .msg.in .text')].some(e => e.textContent === `+js(inboundHTML)+`)`)

	// Paste HTML: insertText is what a paste of text does to a textarea.
	const payload = `<img src=x onerror=alert(1)>`
	p.do("paste HTML",
		chromedp.Focus(chromedp.CSS(`#composer`)),
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText', false, `+js(payload)+`)`),
		chromedp.KeyEvent(kb.Enter),
	)
	p.until("pasted HTML shown as text", `[...document.querySelectorAll('#history .msg.out .text')].some(e => e.textContent === `+js(payload)+`)`)
	sim.waitOutbound(phone, payload)
	if n := p.eval(`String(document.querySelectorAll('#history img, #history script, #history b').length)`); n != "0" {
		t.Errorf("history has %s elements made from message text, want 0", n)
	}

	// Shift+Enter breaks the line; Enter sends both lines as one message.
	p.do("type two lines",
		chromedp.SendKeys(chromedp.CSS(`#composer`), "linha um"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(kb.ModifierShift)),
		chromedp.SendKeys(chromedp.CSS(`#composer`), "linha dois"),
	)
	if v := p.eval(`document.querySelector('#composer').value`); v != "linha um\nlinha dois" {
		t.Errorf("composer after Shift+Enter = %q, want two lines", v)
	}
	p.do("send two lines", chromedp.KeyEvent(kb.Enter))
	sim.waitOutbound(phone, "linha um\nlinha dois")

	// Over 64 KB: refused in the browser with a clear message, nothing sent.
	p.do("paste a huge text",
		chromedp.Focus(chromedp.CSS(`#composer`)),
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText', false, 'á'.repeat(40000))`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#composer-error`)),
	)
	if msg := p.eval(`document.querySelector('#composer-error').textContent`); !strings.Contains(msg, "64 KB") {
		t.Errorf("error for a huge text = %q, want it to mention 64 KB", msg)
	}
	if n := p.dialogs.Load(); n != 0 {
		t.Errorf("the page opened %d JavaScript dialogs; message text must never run", n)
	}
}

// TestBrowserLinkUnknownPhone: a phone nobody knows waits unlinked; linking it to a company
// with a name updates the conversation live.
func TestBrowserLinkUnknownPhone(t *testing.T) {
	base := server(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")

	const phone = "5548988887777"
	sim.inbound(phone, "olá, sou novo por aqui")
	p.do("see the unlinked phone",
		chromedp.Navigate(base+"/#/atendimento/pendentes"),
		chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone)+` .chip.warn`)),
		chromedp.Click(chromedp.CSS(row("pendentes", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#link-contact`)),
		chromedp.Click(chromedp.CSS(`#link-contact`)),
		chromedp.WaitVisible(chromedp.CSS(`#link-dialog select option[value="tech-floripa"]`), chromedp.NodeReady),
	)
	p.do("fill the link form",
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#link-dialog select'); s.value = 'tech-floripa'; s.dispatchEvent(new Event('change', {bubbles: true})) })()`),
		chromedp.SendKeys(chromedp.CSS(`#link-dialog input[name=name]`), "Paula Nunes"),
		chromedp.Click(chromedp.CSS(`#link-dialog button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#link-dialog`)),
	)
	p.until("linked name in the header", `document.querySelector('#conv-name').textContent === 'Paula Nunes'`)
	p.until("company in the list", `document.querySelector(`+js(row("pendentes", phone))+`)?.textContent.includes('Tech Floripa')`)
	p.do("no more link button", chromedp.WaitNotPresent(chromedp.CSS(`#link-contact`)))
}

// TestBrowserStartRace: two attendants click Iniciar Atendimento at once; one wins and the
// other is told who took the conversation.
func TestBrowserStartRace(t *testing.T) {
	base := server(t)
	sim := newAPI(t, base)
	ana, bruno := newTab(t, base), newTab(t, base)
	ana.login("ana")
	bruno.login("bruno")

	const phone = "5548999990003"
	sim.inbound(phone, askForPerson)
	for _, p := range []*tab{ana, bruno} {
		p.do("open the pending conversation",
			chromedp.Navigate(base+"/#/atendimento/pendentes/"+phone),
			chromedp.WaitVisible(chromedp.CSS(`#start`)),
		)
	}
	var wg sync.WaitGroup
	for _, p := range []*tab{ana, bruno} {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(p.ctx, waitFor)
			defer cancel()
			_ = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#start')?.click()`))
		})
	}
	wg.Wait()

	admin := newAPI(t, base)
	admin.login("admin")
	var winner string
	deadline := time.Now().Add(waitFor)
	for winner == "" {
		state, attendant := admin.conversation(phone)
		if state == "attending" {
			winner = attendant
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nobody started the conversation: state %s", state)
		}
		time.Sleep(20 * time.Millisecond) // polling the server's state with a deadline
	}
	names := map[string]string{"ana": "Ana Ribeiro", "bruno": "Bruno Alves"}
	won, lost := ana, bruno
	if winner == "bruno" {
		won, lost = bruno, ana
	}
	won.do("winner can answer", chromedp.WaitVisible(chromedp.CSS(`#composer`)))
	// The loser sees either the server's 409 message ("… em atendimento com ana.") or, when the
	// live update came first, who is attending.
	lost.until("loser told who took it", fmt.Sprintf(
		`['#conv-error', '#taken-by'].some(s => { const e = document.querySelector(s); return e && (e.textContent.includes(%s) || e.textContent.includes(%s)) })`,
		js(winner), js(names[winner])))
	lost.do("loser cannot answer", chromedp.WaitNotPresent(chromedp.CSS(`#composer`)))
}

// TestBrowserAttendantHistory: an atendente asking for the history gets the server's refusal
// as a message on the screen.
func TestBrowserAttendantHistory(t *testing.T) {
	base := server(t)
	check := newAPI(t, base)
	check.login("ana")
	status, body := check.do("GET", "/api/history", nil)
	var problem struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(body, &problem)

	p := newTab(t, base)
	p.login("ana")
	p.do("open the history", chromedp.Navigate(base+"/#/historico"), chromedp.WaitVisible(chromedp.CSS(`#screen-historico .error`)))
	if got := p.eval(`document.querySelector('#screen-historico .error').textContent`); got != problem.Error.Message {
		t.Errorf("history screen shows %q, want the server's message %q", got, problem.Error.Message)
	}
	if status == http.StatusNotFound {
		t.Skipf("GET /api/history answers 404 %s (not built yet): the screen shows the message; the 403 check waits for the endpoint", problem.Error.Code)
	}
	if status != http.StatusForbidden {
		t.Errorf("GET /api/history as atendente = %d, want 403", status)
	}
}

// TestBrowserSessionLossKeepsDraft: when the session ends the login comes back over the app and
// the composer's draft survives the new login.
func TestBrowserSessionLossKeepsDraft(t *testing.T) {
	base := server(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")

	const phone = "5548999990004"
	sim.inbound(phone, askForPerson)
	const draft = "rascunho que não pode sumir"
	p.do("start and write a draft",
		chromedp.Navigate(base+"/#/atendimento/pendentes/"+phone),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
		chromedp.SendKeys(chromedp.CSS(`#composer`), draft),
	)

	// End the session from outside the page, with the page's own cookie.
	var token string
	p.do("read the session cookie", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
		if err != nil {
			return err
		}
		for _, c := range res.Cookies {
			if c.Name == "balcao_session" {
				token = c.Value
			}
		}
		return nil
	}))
	if token == "" {
		t.Fatal("no balcao_session cookie in the page")
	}
	req, _ := http.NewRequest("POST", base+"/api/logout", nil)
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "balcao_session", Value: token})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", res.StatusCode)
	}

	// The server drops the socket; the reconnect finds the session gone and shows the login.
	p.do("login comes back",
		chromedp.WaitVisible(chromedp.CSS(`.overlay #login-form`)),
		chromedp.SendKeys(chromedp.CSS(`.overlay input[name=password]`), browserPass),
		chromedp.Click(chromedp.CSS(`.overlay button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.overlay #login-form`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
	)
	if v := p.eval(`document.querySelector('#composer').value`); v != draft {
		t.Errorf("draft after a new login = %q, want %q", v, draft)
	}
	p.until("websocket back online", `document.querySelector('[data-conn=online]') !== null`)
}

// TestBrowserLaterScreens: Central de Pedidos and Conexão WhatsApp show the server's answer;
// their own behaviour is tested once their endpoints exist.
func TestBrowserLaterScreens(t *testing.T) {
	base := server(t)
	check := newAPI(t, base)
	check.login("admin")
	for _, sc := range []struct{ name, route, endpoint, screen string }{
		{"jobs", "#/pedidos", "/api/jobs?tab=pendentes", "#screen-pedidos"},
		{"whatsapp", "#/whatsapp", "/api/whatsapp/status", "#screen-whatsapp"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			status, _ := check.do("GET", sc.endpoint, nil)
			if status == http.StatusNotFound {
				p := newTab(t, base)
				p.login("admin")
				p.do("open "+sc.name, chromedp.Navigate(base+"/"+sc.route), chromedp.WaitVisible(chromedp.CSS(sc.screen+` .error`)))
				t.Skipf("GET %s answers 404 (comes with a later issue): the screen shows the server's message; retry/QR tests wait for the endpoint", sc.endpoint)
			}
			t.Skipf("GET %s exists now (%d): write its browser test (retry a pending job, show the QR code)", sc.endpoint, status)
		})
	}
}
