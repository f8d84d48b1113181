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
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/ui"
)

const (
	chromiumPath = "/usr/bin/chromium"
	browserPass  = "x"
	waitFor      = 30 * time.Second // the longest any one DOM condition may take (CI machines are shared)
)

// The shared browser: started by the first test that needs it, closed by TestMain.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

// The shared server: one engine for the browser tests (each test uses its own phones, see
// ownPhone, and checks counts relative to what it found), started on first use and stopped by
// TestMain.
var (
	sharedOnce   sync.Once
	sharedEngine *engine.Engine
	sharedBase   string
	sharedErr    error
	sharedStop   = func() {}

	sessionsMu sync.Mutex
	sessions   = map[string]string{} // user → session token on the shared server
)

// owned numbers what the browser tests create on the shared server: `go test -count=N` runs
// each test N times against the one server, so a phone, a name, a shortcut or a CNPJ written
// in a test would be found there from its run before (the conversation already attended, the
// shortcut taken).
var owned atomic.Int64

// own is a number of the caller's own: no other call in this process returns it.
func own() int64 { return owned.Add(1) }

// ownPhone is a mobile number of the caller's own, from which nothing was written before on
// the shared server: 55 47 98xxx-xxxx, a range none of the tests' fixed numbers is in.
func ownPhone() string { return fmt.Sprintf("554798%07d", own()) }

// ownWord is a word of the caller's own, in letters ("Bdq"), for a name searched for: the
// search matches a query's digits in phones and CNPJs.
func ownWord() string {
	n := own()
	return string([]byte{'A' + byte(n/676%26), 'a' + byte(n/26%26), 'a' + byte(n%26)})
}

// localPhone writes a Brazilian mobile in E.164 digits as people do: (47) 98000-0001.
func localPhone(phone string) string {
	return fmt.Sprintf("(%s) %s-%s", phone[2:4], phone[4:9], phone[9:])
}

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	sharedStop()
	os.Exit(code)
}

// sharedServer returns the address of the engine that the browser tests share.
func sharedServer(t *testing.T) string {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "balcao-browser-")
		if err != nil {
			sharedErr = err
			return
		}
		e, err := engine.Start(engine.Config{DataDir: dir, Addr: "127.0.0.1:0", Demo: true, DemoPassword: browserPass})
		if err != nil {
			sharedErr = err
			os.RemoveAll(dir)
			return
		}
		sharedEngine, sharedBase = e, "http://"+e.Addr()
		sharedStop = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = e.Stop(ctx)
			os.RemoveAll(dir)
		}
	})
	if sharedErr != nil {
		t.Fatalf("start engine: %v", sharedErr)
	}
	return sharedBase
}

// session returns a session token of user on the shared server, logging in once per user:
// bcrypt makes every login cost, more so under the race detector.
func session(t *testing.T, base, user string) string {
	t.Helper()
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	if tok, ok := sessions[user]; ok {
		return tok
	}
	a := newAPI(t, base)
	a.login(user)
	u, _ := url.Parse(base)
	for _, c := range a.http.Jar.Cookies(u) {
		if c.Name == "balcao_session" {
			sessions[user] = c.Value
			return c.Value
		}
	}
	t.Fatalf("login %s: no session cookie", user)
	return ""
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
	p.within(what, expr, waitFor)
}

// within waits up to d for expr to be true (until waits waitFor): for what must happen sooner
// than a timer that would make it happen anyway.
func (p *tab) within(what, expr string, d time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d))); err != nil {
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
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
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

// enter presses Enter as a person does: a keydown the page may cancel, then a keyup. (A
// KeyEvent also sends a separate char event that types a new line even when the keydown was
// cancelled, which no keyboard does.)
var enter = chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		})
		if err != nil {
			return err
		}
	}
	return nil
})

// command runs one DevTools command on the tab, its result ignored.
func command[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cmd, params)
		return err
	})
}

// startService opens a pending conversation and starts serving it, until its composer shows.
func startService(base, phone string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/#/atendimento/pendentes/" + phone),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
	}
}

// resume opens the app already logged in as user, with the session shared by the tests (as a
// second tab of the same person would be).
func (p *tab) resume(user string) {
	p.t.Helper()
	tok := session(p.t, p.base, user)
	httpOnly := true
	p.do("set the session cookie", command(network.SetCookie, network.SetCookieParams{Name: "balcao_session", Value: tok, URL: p.base + "/", HTTPOnly: &httpOnly}))
	p.do("open the app", chromedp.Navigate(p.base+"/"), chromedp.WaitVisible(chromedp.CSS(`nav.rail`)))
	p.until("websocket online", `document.querySelector('[data-conn=online]') !== null`)
}

// count reads the number shown on an inbox tab.
func (p *tab) count(tab string) int {
	p.t.Helper()
	var n int
	fmt.Sscan(p.eval(`document.querySelector('[data-count=`+tab+`]').textContent`), &n)
	return n
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

// outbound lists the texts the simulated phone received, oldest first.
func (a *api) outbound(to string) []string {
	a.t.Helper()
	st, body := a.do("GET", "/sim/outbound?office=demo&to="+to, nil)
	var got struct {
		Messages []struct {
			Text string `json:"text"`
		} `json:"messages"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &got) != nil {
		a.t.Fatalf("outbound of %s: %d %s", to, st, body)
	}
	texts := make([]string, len(got.Messages))
	for i, m := range got.Messages {
		texts[i] = m.Text
	}
	return texts
}

// waitOutbound polls the simulated phone until it received a message containing want.
func (a *api) waitOutbound(to, want string) {
	a.t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		texts := a.outbound(to)
		if slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, want) }) {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("phone %s never received %q; it has %q", to, want, texts)
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
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"), chromedp.WaitVisible(chromedp.CSS(`ul[data-list=pendentes]`)))

	const phone = "5548999990001"
	pending, attending := p.count("pendentes"), p.count("atendimento")
	sim.inbound(phone, askForPerson)
	p.do("see the new pending conversation live", chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone))))
	p.until("pending count", fmt.Sprintf(`document.querySelector('[data-count=pendentes]').textContent === '%d'`, pending+1))
	p.until("pending count in the title", `/^\(\d+\) Balcão$/.test(document.title)`)
	p.shot("inbox")

	// Search (over the loaded conversations) by company, phone and name.
	for _, q := range []string{"padaria", "99999-0001", "carlos"} {
		p.do("search "+q, fill(`#search`, q), chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone))))
	}
	p.do("search with no match", fill(`#search`, "ninguém com esse nome"), chromedp.WaitNotPresent(chromedp.CSS(row("pendentes", phone))), fill(`#search`, ""))

	p.do("open and start",
		chromedp.Click(chromedp.CSS(row("pendentes", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
		chromedp.WaitVisible(chromedp.CSS(`#finish`)),
	)
	p.until("pending count back", fmt.Sprintf(`document.querySelector('[data-count=pendentes]').textContent === '%d'`, pending))

	const answer = "Bom dia, Carlos! Já vejo isso. 😊"
	p.do("reply with Enter", chromedp.SendKeys(chromedp.CSS(`#composer`), answer), enter)
	p.until("answer in the history", `[...document.querySelectorAll('#history .msg.out .text')].some(e => e.textContent === `+js(answer)+`)`)
	p.until("composer cleared", `document.querySelector('#composer').value === ''`)
	sim.waitOutbound(phone, answer) // emoji included
	p.until("delivery ticks", `[...document.querySelectorAll('#history .msg.out.staff [data-status]')].some(e => e.dataset.status === 'delivered')`)
	p.shot("conversation")

	p.do("see it in Em atendimento",
		chromedp.Navigate(base+"/#/atendimento/atendimento/"+phone),
		chromedp.WaitVisible(chromedp.CSS(row("atendimento", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#finish`)),
		chromedp.Click(chromedp.CSS(`#finish`)),
		chromedp.WaitNotPresent(chromedp.CSS(row("atendimento", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
	)
	p.until("attending count back", fmt.Sprintf(`document.querySelector('[data-count=atendimento]').textContent === '%d'`, attending))
}

// TestBrowserComposerRules: Shift+Enter makes a new line, HTML typed or received shows as
// text and never runs, a text over 64 KB is refused before it is sent.
func TestBrowserComposerRules(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("ana")

	phone := ownPhone()
	const inboundHTML = `<script>alert(2)</script><b>negrito</b>`
	sim.inbound(phone, askForPerson)
	sim.inbound(phone, inboundHTML)
	p.do("open and start", startService(base, phone)...)
	p.until("inbound HTML shown as text", `[...document.querySelectorAll('#history .msg.in .text')].some(e => e.textContent === `+js(inboundHTML)+`)`)

	// insertText is what a paste of text does to a textarea.
	paste := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText', false, ` + js(text) + `)`)
	}

	// Paste HTML: it goes, and shows, as text.
	const payload = `<img src=x onerror=alert(1)>`
	p.do("paste HTML",
		chromedp.Focus(chromedp.CSS(`#composer`)),
		paste(payload),
		enter,
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
	p.do("send two lines", enter)
	sim.waitOutbound(phone, "linha um\nlinha dois")

	// Enter pressed while the previous message is still on its way: both go, in order.
	p.do("send two messages at once", chromedp.Focus(chromedp.CSS(`#composer`)), paste("primeira"), enter, paste("segunda"), enter)
	sim.waitOutbound(phone, "segunda")
	if texts := sim.outbound(phone); slices.Index(texts, "primeira") < 0 || slices.Index(texts, "primeira") > slices.Index(texts, "segunda") {
		t.Errorf("the phone received %q, want primeira then segunda", texts)
	}

	// A long message (20 000 characters) goes whole.
	long := strings.Repeat("texto longo ", 1700)
	p.do("send a long message",
		chromedp.Focus(chromedp.CSS(`#composer`)),
		paste(long),
		enter,
	)
	sim.waitOutbound(phone, long)

	// Over 64 KB: refused in the browser with a clear message, nothing sent, the text kept.
	p.do("paste a huge text",
		chromedp.Focus(chromedp.CSS(`#composer`)),
		paste(strings.Repeat("á", 40000)),
		enter,
		chromedp.WaitVisible(chromedp.CSS(`#composer-error`)),
	)
	if n := p.eval(`String(document.querySelector('#composer').value.length)`); n != "40000" {
		t.Errorf("composer holds %s characters after the refusal, want the 40000 pasted", n)
	}
	if msg := p.eval(`document.querySelector('#composer-error').textContent`); !strings.Contains(msg, "64 KB") {
		t.Errorf("error for a huge text = %q, want it to mention 64 KB", msg)
	}
	if n := p.dialogs.Load(); n != 0 {
		t.Errorf("the page opened %d JavaScript dialogs; message text must never run", n)
	}
}

// TestBrowserFailedSendComesBack: a message that cannot reach the server comes back into the
// composer with the one queued behind it, and the page says why; nothing reaches the phone.
func TestBrowserFailedSendComesBack(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("ana")

	phone := ownPhone()
	sim.inbound(phone, askForPerson)
	p.do("open and start", startService(base, phone)...)
	// Hold the page's sends to the server, as a network that hangs does.
	paused := make(chan fetch.RequestID, 4)
	ctx, stop := context.WithCancel(p.ctx)
	defer stop()
	go func() {
		for ev, err := range chromedp.Events(ctx, fetch.RequestPaused) {
			if err != nil {
				return
			}
			paused <- ev.RequestID
		}
	}()
	p.do("hold the sends", command(fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/messages"}}}))
	p.do("send two messages", chromedp.Focus(chromedp.CSS(`#composer`)),
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText', false, 'primeira')`), enter,
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText', false, 'segunda')`), enter,
	)
	var first fetch.RequestID
	select {
	case first = <-paused:
	case <-time.After(waitFor):
		t.Fatal("the page never sent the first message")
	}
	p.do("the network fails",
		command(fetch.FailRequest, fetch.FailRequestParams{RequestID: first, ErrorReason: network.ErrorReasonConnectionFailed}),
		command(fetch.Disable, cdp.Empty{}))
	p.until("the error shown", `document.querySelector('#composer-error')?.textContent.includes('conexão')`)
	if v := p.eval(`document.querySelector('#composer').value`); v != "primeira\nsegunda" {
		t.Errorf("composer after the failure = %q, want both messages back", v)
	}
	if len(paused) != 0 {
		t.Errorf("the second message went to the server while the first was still on its way")
	}
	if texts := sim.outbound(phone); slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "primeira") || strings.Contains(s, "segunda") }) {
		t.Errorf("the phone received %q, want neither message", texts)
	}
}

// TestBrowserLinkUnknownPhone: a phone nobody knows waits unlinked; linking it to a company
// with a name updates the conversation live.
func TestBrowserLinkUnknownPhone(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("ana")

	phone := ownPhone()
	sim.inbound(phone, "olá, sou novo por aqui")
	p.do("see the unlinked phone",
		chromedp.Navigate(base+"/#/atendimento/pendentes"),
		chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone)+` .chip.warn`)),
		chromedp.Click(chromedp.CSS(row("pendentes", phone))),
		chromedp.WaitVisible(chromedp.CSS(`#link-contact`)),
		chromedp.Click(chromedp.CSS(`#link-contact`)),
		chromedp.WaitReady(chromedp.CSS(`#link-dialog select option[value="tech-floripa"]`)),
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
	base := sharedServer(t)
	sim := newAPI(t, base)
	ana, bruno := newTab(t, base), newTab(t, base)
	ana.resume("ana")
	bruno.resume("bruno")

	phone := ownPhone()
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

	admin := newAPIAs(t, base, "admin")
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
	base := sharedServer(t)
	check := newAPIAs(t, base, "ana")
	status, body := check.do("GET", "/api/history", nil)
	var problem struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(body, &problem)

	p := newTab(t, base)
	p.resume("ana")
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
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")

	phone := ownPhone()
	sim.inbound(phone, askForPerson)
	const draft = "rascunho que não pode sumir"
	p.do("start and write a draft", append(startService(base, phone),
		chromedp.SendKeys(chromedp.CSS(`#composer`), draft),
	)...)

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

// TestBrowserReconnectCatchesUp: when the server drops a page's socket (as it does to a slow
// consumer), the page reconnects from its last sequence number and shows what happened
// meanwhile, without a reload.
func TestBrowserReconnectCatchesUp(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("bruno")
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"), chromedp.WaitVisible(chromedp.CSS(`ul[data-list=pendentes]`)))
	p.until("websocket online", `document.querySelector('[data-conn=online]') !== null`)

	const phone = "5548977776666"
	sharedEngine.Hub().Drop("demo", session(t, base, "bruno"))
	sim.inbound(phone, "mensagem enviada enquanto a conexão caiu")
	p.do("see it after the reconnect", chromedp.WaitVisible(chromedp.CSS(row("pendentes", phone))))
	p.until("websocket back online", `document.querySelector('[data-conn=online]') !== null`)
	sim.inbound(phone, "e mais uma depois")
	p.until("later message live", `document.querySelector(`+js(row("pendentes", phone))+`)?.textContent.includes('e mais uma depois') || document.querySelector(`+js(row("pendentes", phone))+`)?.querySelector('.badge')?.textContent === '2'`)
}

// TestBrowserJobs: a document held for the office's confirmation waits in Central de Pedidos
// (it appears live), Confirmar sends it, and Responder writes to the client who asked.
func TestBrowserJobs(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	if st, _ := admin.do("GET", "/api/jobs?tab=pendentes", nil); st == http.StatusNotFound {
		t.Skip("GET /api/jobs answers 404: the request centre API is not built yet")
	}
	if st, body := admin.do("PUT", "/api/settings", map[string]any{"rules": map[string]string{"holerite": "confirm"}}); st != http.StatusOK {
		t.Skipf("PUT /api/settings = %d %s: cannot hold a document for confirmation", st, body)
	}
	t.Cleanup(func() { admin.do("PUT", "/api/settings", map[string]any{"rules": map[string]string{}}) })
	const phone = "5548999995555"
	if st, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": "Otávio Prado", "companies": []string{"padaria-pao-quente"}}); st != http.StatusCreated {
		t.Fatalf("add contact: %d %s", st, body)
	}

	p := newTab(t, base)
	p.resume("admin")
	p.do("open pendentes", chromedp.Navigate(base+"/#/pedidos/pendentes"), chromedp.WaitVisible(chromedp.CSS(`#screen-pedidos .tabs`)))
	admin.inbound(phone, "me manda o holerite de outubro")
	job := `#screen-pedidos li[data-job]`
	p.until("held job appears live", `[...document.querySelectorAll(`+js(job)+`)].some(e => e.textContent.includes('Holerite') && e.textContent.includes('55 (48) 99999-5555'))`)
	// The competence reads as accountants write it, as in the pending reason next to it.
	if c := p.eval(`[...document.querySelectorAll(` + js(job) + `)].find(e => e.textContent.includes('55 (48) 99999-5555')).querySelector('.job-main .chip').textContent`); !regexp.MustCompile(`^10/\d{4}$`).MatchString(c) {
		t.Errorf("the job's competence reads %q, want 10/YYYY", c)
	}
	p.do("confirm it", chromedp.Click(chromedp.CSS(job+` .job-retry`)))
	p.until("job leaves pendentes", `![...document.querySelectorAll(`+js(job)+`)].some(e => e.textContent.includes('55 (48) 99999-5555'))`)
	p.do("see it processed",
		chromedp.Navigate(base+"/#/pedidos/processados"),
		chromedp.WaitVisible(chromedp.CSS(`#screen-pedidos a.active[data-jobtab=processados]`)),
	)
	p.until("job in processados", `[...document.querySelectorAll(`+js(job)+`)].some(e => e.textContent.includes('55 (48) 99999-5555'))`)

	const answer = "Otávio, o holerite já está no portal também."
	rowSel := `[...document.querySelectorAll(` + js(job) + `)].find(e => e.textContent.includes('55 (48) 99999-5555'))`
	p.do("reply to the client",
		chromedp.Evaluate[chromedp.Void](rowSel+`.querySelector('.job-reply').click()`),
		chromedp.WaitVisible(chromedp.CSS(`.job-reply-form input`)),
		fill(`.job-reply-form input`, answer),
		chromedp.Click(chromedp.CSS(`.job-reply-form button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.job-reply-form`)),
	)
	admin.waitOutbound(phone, answer)

	p.do("see the document in the conversation",
		chromedp.Navigate(base+"/#/atendimento/contatos/"+phone),
		chromedp.WaitVisible(chromedp.CSS(`#history .doc-link a.doc-dl[download]`)),
	)
	if href := p.eval(`document.querySelector('#history .doc-link a.doc-dl').href`); !strings.HasPrefix(href, base+"/") {
		t.Errorf("document link %q, want a link on the server", href)
	}
}

// TestBrowserWhatsAppScreen: Conexão WhatsApp shows the server's answer; its QR code test
// waits for GET /api/whatsapp/status.
func TestBrowserWhatsAppScreen(t *testing.T) {
	base := sharedServer(t)
	check := newAPIAs(t, base, "admin")
	status, body := check.do("GET", "/api/whatsapp/status", nil)
	p := newTab(t, base)
	p.resume("admin")
	if status == http.StatusNotFound {
		p.do("open the screen", chromedp.Navigate(base+"/#/whatsapp"), chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .error`)))
		t.Skip("GET /api/whatsapp/status answers 404 (comes with a later issue): the screen shows the server's message; the QR code test waits for the endpoint")
	}
	var st struct {
		State string `json:"state"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("GET /api/whatsapp/status = %d %s", status, body)
	}
	p.do("open the screen", chromedp.Navigate(base+"/#/whatsapp"), chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-`+st.State)))
	if st.State == "waiting_qr" {
		p.do("see the QR code", chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp svg.qr`)))
	}
}

// fill sets a field's value as typing would (the input event included), replacing what it had.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => {
		const e = document.querySelector(` + js(sel) + `)
		const proto = e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype
		Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, ` + js(value) + `)
		e.dispatchEvent(new Event('input', {bubbles: true}))
	})()`)
}

// TestBrowserClientsAndStaff: a company with a wrong CNPJ is refused in the browser, a right
// one is saved and gets a contact; only administradores manage the staff.
func TestBrowserClientsAndStaff(t *testing.T) {
	base := sharedServer(t)
	check := newAPIAs(t, base, "admin")
	if st, _ := check.do("GET", "/api/contacts?company=tech-floripa", nil); st == http.StatusNotFound {
		t.Skip("GET /api/contacts answers 404: the client enablement API is not built yet")
	}
	// A company, a contact and a staff member of this run's own.
	n := own()
	company := fmt.Sprintf("Contabilidade Teste %d Ltda", n)
	cnpj := balcao.FormatCNPJ(balcao.CNPJCheckDigits(fmt.Sprintf("%08d0001", 11_000_000+n)))
	wrongCNPJ := cnpj[:len(cnpj)-1] + string('0'+(cnpj[len(cnpj)-1]-'0'+1)%10)
	rita, carla := fmt.Sprintf("Rita Souza %d", n), fmt.Sprintf("carla%d", n)
	p := newTab(t, base)
	p.resume("admin")
	p.do("new company with a wrong CNPJ",
		chromedp.Navigate(base+"/#/clientes"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-company="tech-floripa"]`)),
		chromedp.Click(chromedp.CSS(`#new-company`)),
		chromedp.WaitVisible(chromedp.CSS(`#company-form`)),
		fill(`#company-form input[name=name]`, company),
		fill(`#company-form input[name=cnpj]`, wrongCNPJ),
		chromedp.Click(chromedp.CSS(`#company-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#company-form .field-error`)),
	)
	if got := p.eval(`document.querySelector('#company-form .field-error').textContent`); got != "CNPJ inválido." {
		t.Errorf("CNPJ error = %q, want %q", got, "CNPJ inválido.")
	}
	p.do("fix the CNPJ and save",
		fill(`#company-form input[name=cnpj]`, cnpj),
		chromedp.Click(chromedp.CSS(`#company-form button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#company-form`)),
	)
	p.until("new company listed", `[...document.querySelectorAll('tr[data-company]')].some(r => r.textContent.includes(`+js(company)+`) && r.textContent.includes(`+js(cnpj)+`))`)
	p.do("add a contact to tech-floripa",
		chromedp.Click(chromedp.CSS(`tr[data-company="tech-floripa"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contacts .inline-form`)),
		fill(`#contacts .inline-form input[inputmode=tel]`, localPhone(ownPhone())),
		fill(`#contacts .inline-form input:not([inputmode])`, rita),
		chromedp.Click(chromedp.CSS(`#contacts .inline-form button`)),
	)
	p.until("contact listed", `document.querySelector('#contacts').textContent.includes(`+js(rita)+`)`)

	p.do("create a staff member",
		chromedp.Navigate(base+"/#/equipe"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-staff="ana"]`)),
		chromedp.Click(chromedp.CSS(`#new-staff`)),
		chromedp.WaitVisible(chromedp.CSS(`#staff-form`)),
		fill(`#staff-form input[name=user]`, carla),
		fill(`#staff-form input[name=name]`, "Carla Mendes"),
		fill(`#staff-form input[name=password]`, "senha-da-carla"),
		chromedp.Click(chromedp.CSS(`#staff-form button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#staff-form`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-staff="`+carla+`"]`)),
	)

	ana := newTab(t, base)
	ana.resume("ana")
	ana.do("atendente sees the team", chromedp.Navigate(base+"/#/equipe"), chromedp.WaitVisible(chromedp.CSS(`tr[data-staff="`+carla+`"]`)))
	if n := ana.eval(`String(document.querySelectorAll('#new-staff, #screen-equipe td button').length)`); n != "0" {
		t.Errorf("an atendente sees %s staff management buttons, want 0", n)
	}
	if st, body := newAPIAs(t, base, "ana").do("POST", "/api/staff", map[string]string{"user": "x", "name": "X", "role": "atendente", "password": "x-x-x-x-x"}); st != http.StatusForbidden {
		t.Errorf("POST /api/staff as atendente = %d %s, want 403", st, body)
	}
}

// newAPIAs is an API client with user's shared session.
func newAPIAs(t *testing.T, base, user string) *api {
	a := newAPI(t, base)
	u, _ := url.Parse(base)
	a.http.Jar.SetCookies(u, []*http.Cookie{{Name: "balcao_session", Value: session(t, base, user), Path: "/"}})
	return a
}

// TestBrowserInboxScreenshot fills the inbox and saves screenshots for a person to look at;
// it runs only with BALCAO_SCREENSHOTS=DIR.
func TestBrowserInboxScreenshot(t *testing.T) {
	if os.Getenv("BALCAO_SCREENSHOTS") == "" {
		t.Skip("set BALCAO_SCREENSHOTS=DIR to save screenshots of the inbox")
	}
	base := server(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")
	sim.inbound("5548999990001", "Oi! Preciso da guia do DAS de outubro")
	sim.inbound("5548999990001", askForPerson)
	sim.inbound("5548999990002", askForPerson)
	sim.inbound("5548999990003", "me manda o holerite de outubro")
	sim.inbound("5548988887777", "Boa tarde, sou o contador novo da Padaria")
	p.do("start one",
		chromedp.Navigate(base+"/#/atendimento/pendentes/5548999990001"),
		chromedp.WaitVisible(chromedp.CSS(`#start`)),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer`)),
		chromedp.SendKeys(chromedp.CSS(`#composer`), "Olá, Carlos! Sou a Ana, do escritório."),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(kb.ModifierShift)),
		chromedp.SendKeys(chromedp.CSS(`#composer`), "Vou gerar a guia e já te envio por aqui."),
		enter,
	)
	sim.waitOutbound("5548999990001", "Vou gerar a guia")
	p.do("open pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes/5548999990001"), chromedp.WaitVisible(chromedp.CSS(row("pendentes", "5548988887777"))))
	p.shot("inbox")
	p.do("open contatos", chromedp.Navigate(base+"/#/atendimento/contatos/5548988887777"), chromedp.WaitVisible(chromedp.CSS(`#link-contact`)))
	p.shot("unlinked")
	p.do("open clientes", chromedp.Navigate(base+"/#/clientes"), chromedp.WaitVisible(chromedp.CSS(`#screen-clientes`)))
	p.shot("clientes")
	p.do("open pedidos", chromedp.Navigate(base+"/#/pedidos/processados"), chromedp.WaitVisible(chromedp.CSS(`#screen-pedidos li[data-job]`)))
	p.shot("pedidos")
	p.do("open equipe", chromedp.Navigate(base+"/#/equipe"), chromedp.WaitVisible(chromedp.CSS(`tr[data-staff=ana]`)))
	p.shot("equipe")
	p.do("open login", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	p.shot("login")
}

// serve drives one service through the API: phone (added as a contact of company when it is
// not empty) asks for a person, user starts the conversation, answers and finishes it.
func serve(t *testing.T, base, phone, name, company, user, answer string) {
	t.Helper()
	staff := newAPIAs(t, base, user)
	if company != "" {
		if st, body := newAPIAs(t, base, "admin").do("POST", "/api/contacts", map[string]any{"phone": phone, "name": name, "companies": []string{company}}); st != http.StatusCreated {
			t.Fatalf("add contact %s: %d %s", phone, st, body)
		}
	}
	staff.inbound(phone, askForPerson)
	deadline := time.Now().Add(waitFor)
	for {
		if state, _ := staff.conversation(phone); state == "pending" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became pending", phone)
		}
		time.Sleep(20 * time.Millisecond) // polling the server's state with a deadline
	}
	for _, step := range []struct {
		path string
		body any
	}{{"/start", nil}, {"/messages", map[string]string{"text": answer}}, {"/finish", nil}} {
		if st, body := staff.do("POST", "/api/conversations/"+phone+step.path, step.body); st >= 300 {
			t.Fatalf("POST %s%s: %d %s", phone, step.path, st, body)
		}
		if step.path == "/messages" {
			staff.waitOutbound(phone, answer)
		}
	}
}

// dashboardCounts reads this month's services by outcome as the server reports them.
func dashboardCounts(a *api) map[string]int {
	a.t.Helper()
	st, body := a.do("GET", "/api/dashboard", nil)
	var d struct {
		Services map[string]int `json:"services"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &d) != nil {
		a.t.Fatalf("GET /api/dashboard: %d %s", st, body)
	}
	return d.Services
}

// TestBrowserDashboard: after a service is served, an administrador opens the Painel from the
// left rail and sees the month's counts as the server has them and the charts drawn (uPlot
// canvases for the first-response distribution and services per day).
func TestBrowserDashboard(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	before := dashboardCounts(admin)
	serve(t, base, "5548999996001", "Helena Duarte", "clinica-vida", "admin", "Olá, Helena! Guia enviada.")
	var after map[string]int
	deadline := time.Now().Add(waitFor)
	for after = dashboardCounts(admin); after["atendente"] != before["atendente"]+1; after = dashboardCounts(admin) {
		if time.Now().After(deadline) {
			t.Fatalf("dashboard atendente count = %d, want %d", after["atendente"], before["atendente"]+1)
		}
		time.Sleep(50 * time.Millisecond) // the service is recorded as the conversation finishes
	}

	p := newTab(t, base)
	p.resume("admin")
	p.do("open the Painel from the rail",
		chromedp.Click(chromedp.CSS(`a[data-nav=painel]`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-painel [data-stat=atendente]`)),
	)
	// Other conversations of the shared server may close meanwhile (the assistant's services
	// end when a conversation goes quiet): the staff count is at least the server's, and the
	// total is the sum of the three cards.
	stat := func(id string) string {
		return `Number(document.querySelector('#screen-painel [data-stat=` + id + `] .stat-value').textContent.replace(/\D/g, ''))`
	}
	p.until("staff count", fmt.Sprintf(`%s >= %d`, stat("atendente"), after["atendente"]))
	p.until("total count", stat("total")+` === `+stat("assistente")+` + `+stat("atendente")+` + `+stat("desconsiderado"))
	p.do("charts drawn",
		chromedp.WaitVisible(chromedp.CSS(`#screen-painel [data-chart=distribution] canvas`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-painel [data-chart=per-day] canvas`)),
	)
	p.until("first response measured", `/\d/.test(document.querySelector('#screen-painel [data-times=first] .stat-value')?.textContent ?? '')`)
	p.until("admin among the top staff", `document.querySelector('#screen-painel [data-top=staff] tr[data-staff=admin]') !== null`)
	p.until("client among the top clients", `document.querySelector('#screen-painel [data-top=clients]').textContent.includes('Clínica')`)
	p.shot("painel")
}

// TestBrowserAttendantDashboard: an atendente has no Painel (nor Histórico) in the rail and,
// opening it by its address, sees the server's refusal.
func TestBrowserAttendantDashboard(t *testing.T) {
	base := sharedServer(t)
	status, body := newAPIAs(t, base, "ana").do("GET", "/api/dashboard", nil)
	var problem struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if status != http.StatusForbidden || json.Unmarshal(body, &problem) != nil || problem.Error.Message == "" {
		t.Fatalf("GET /api/dashboard as atendente = %d %s, want 403 with a message", status, body)
	}
	p := newTab(t, base)
	p.resume("ana")
	if n := p.eval(`String(document.querySelectorAll('a[data-nav=painel], a[data-nav=historico]').length)`); n != "0" {
		t.Errorf("an atendente sees %s Painel/Histórico links, want 0", n)
	}
	p.do("open the Painel by URL", chromedp.Navigate(base+"/#/painel"), chromedp.WaitVisible(chromedp.CSS(`#screen-painel .error`)))
	if got := p.eval(`document.querySelector('#screen-painel .error').textContent`); got != problem.Error.Message {
		t.Errorf("Painel shows %q, want the server's message %q", got, problem.Error.Message)
	}
	if n := p.eval(`String(document.querySelectorAll('#screen-painel canvas, #screen-painel [data-stat]').length)`); n != "0" {
		t.Errorf("the refused Painel shows %s figures, want 0", n)
	}
}

// TestBrowserHistory: the history lists a finished service, filters by contact and status,
// opens the service's messages (as text) and state changes, and exports the filtered list as
// CSV (checked on the Blob the page saves).
func TestBrowserHistory(t *testing.T) {
	base := sharedServer(t)
	phone := ownPhone()
	const answer = "Segue o <b>boleto</b>, Rui <img src=x onerror=alert(1)>"
	serve(t, base, phone, "Rui Tavares", "tech-floripa", "admin", answer)

	p := newTab(t, base)
	p.resume("admin")
	// Saving the export goes nowhere; the test reads the Blob the page made.
	p.do("deny downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
		if err != nil {
			p.t.Logf("deny downloads: %v", err)
		}
		return nil
	}))
	svc := `#history-table tr[data-service^="` + phone + `-"]`
	p.do("open the history",
		chromedp.Navigate(base+"/#/historico"),
		chromedp.WaitVisible(chromedp.CSS(`#history-filters`)),
		chromedp.WaitVisible(chromedp.CSS(svc)),
	)
	if got := p.eval(`document.querySelector(` + js(svc) + `).textContent`); !strings.Contains(got, "Rui Tavares") || !strings.Contains(got, "Tech Floripa") {
		t.Errorf("history row = %q, want the contact and the company", got)
	}
	setSelect := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#history-filters select[name=` + name + `]'); s.value = ` + js(value) + `; s.dispatchEvent(new Event('change', {bubbles: true})) })()`)
	}
	p.do("filter desconsiderados", setSelect("status", "desconsiderado"), chromedp.WaitNotPresent(chromedp.CSS(svc)))
	p.until("only desconsiderados", `[...document.querySelectorAll('#history-table tr[data-service]')].every(r => r.dataset.outcome === 'desconsiderado') && document.querySelector('#history-table').getAttribute('aria-busy') === 'false'`)
	p.do("filter by staff and contact", setSelect("status", "atendente"), fill(`#history-filters input[name=contact]`, phone[4:]), chromedp.WaitVisible(chromedp.CSS(svc)))
	p.until("only this contact's services", `[...document.querySelectorAll('#history-table tr[data-service]')].every(r => r.dataset.service.startsWith('`+phone+`-') && r.dataset.outcome === 'atendente')`)
	p.shot("historico")

	p.do("open the detail",
		chromedp.Click(chromedp.CSS(svc)),
		chromedp.WaitVisible(chromedp.CSS(`#service-detail .svc-thread`)),
	)
	p.until("answer shown as text", `[...document.querySelectorAll('#service-detail .msg.out .text')].some(e => e.textContent === `+js(answer)+`)`)
	p.until("client message shown", `[...document.querySelectorAll('#service-detail .msg.in .text')].some(e => e.textContent === `+js(askForPerson)+`)`)
	for _, to := range []string{"pending", "attending"} {
		p.until("state change to "+to, `document.querySelector('#service-detail [data-transition=`+to+`]') !== null`)
	}
	if n := p.eval(`String(document.querySelectorAll('#service-detail .svc-thread b, #service-detail .svc-thread img').length)`); n != "0" {
		t.Errorf("the detail made %s elements from message text, want 0", n)
	}
	p.shot("detail")
	p.do("close the detail", chromedp.Click(chromedp.CSS(`#service-close`)), chromedp.WaitNotPresent(chromedp.CSS(`#service-detail`)))

	p.do("export the filtered list",
		chromedp.Evaluate[chromedp.Void](`(() => { const make = URL.createObjectURL; URL.createObjectURL = (b) => { b.text().then(s => { window.__csv = s }); return make.call(URL, b) } })()`),
		chromedp.Click(chromedp.CSS(`#history-export`)),
		chromedp.WaitVisible(chromedp.CSS(`#export-status[data-state=done]`)),
	)
	p.until("CSV read", `typeof window.__csv === 'string'`)
	csv := p.eval(`window.__csv`)
	lines := strings.Split(strings.TrimRight(csv, "\n"), "\n")
	if strings.TrimPrefix(lines[0], "\ufeff") != "Código;Início;Fim;Contato;Telefone;Empresa;Resultado;Atendente;Primeira resposta (s);Duração (s);Avaliação;Setor" { // Blob.text() drops the BOM
		t.Errorf("CSV header = %q", lines[0])
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[1], phone+"-") || !strings.Contains(lines[1], "Rui Tavares") {
		t.Errorf("CSV rows = %q, want this one service", lines[1:])
	}
	if got := p.eval(`document.querySelector('#export-status').dataset.rows`); got != "1" {
		t.Errorf("export status counts %s rows, want 1", got)
	}
	if n := p.dialogs.Load(); n != 0 {
		t.Errorf("the page opened %d JavaScript dialogs; message text must never run", n)
	}
}

// TestBrowserLiveQueues: the supervisor view shows a conversation the moment it becomes
// pending, and who took it once someone starts it, without a reload.
func TestBrowserLiveQueues(t *testing.T) {
	base := sharedServer(t)
	p := newTab(t, base)
	p.resume("admin")
	p.do("open Filas ao vivo",
		chromedp.Click(chromedp.CSS(`a[data-nav=filas]`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-filas [data-queue=pending] .stat-value`)),
	)
	pendingShown := `Number(document.querySelector('#screen-filas [data-queue=pending] .stat-value').dataset.value)`
	waitingRows := `document.querySelectorAll('#screen-filas tr[data-pending]').length`

	const phone = "5548999996003"
	sim := newAPI(t, base)
	sim.inbound(phone, askForPerson)
	p.do("see the pending conversation live", chromedp.WaitVisible(chromedp.CSS(`#screen-filas tr[data-pending="`+phone+`"]`)))
	p.until("pending count", pendingShown+` >= 1 && `+pendingShown+` === `+waitingRows)
	p.until("oldest wait shown", `document.querySelector('#screen-filas [data-queue=pending] .stat-foot').textContent.includes('espera mais longa')`)
	// A conversation nobody routed waits in the "Sem setor" row of the departments' queues.
	p.until("the department queues count it", `Number(document.querySelector('#screen-filas tr[data-department=""]')?.dataset.departmentPending) >= 1 && document.querySelector('#screen-filas tr[data-department=pessoal]') !== null`)

	ana := newAPIAs(t, base, "ana")
	if st, body := ana.do("POST", "/api/conversations/"+phone+"/start", nil); st != http.StatusOK {
		t.Fatalf("start: %d %s", st, body)
	}
	p.until("attending shown live", `document.querySelector('#screen-filas tr[data-attending="`+phone+`"]')?.textContent.includes('Ana Ribeiro') === true`)
	p.do("no longer waiting", chromedp.WaitNotPresent(chromedp.CSS(`#screen-filas tr[data-pending="`+phone+`"]`)))
	p.shot("filas")
	if st, body := ana.do("POST", "/api/conversations/"+phone+"/finish", nil); st != http.StatusOK {
		t.Fatalf("finish: %d %s", st, body)
	}
	p.do("attending row leaves", chromedp.WaitNotPresent(chromedp.CSS(`#screen-filas tr[data-attending="`+phone+`"]`)))
}

// tallShot saves a screenshot with a tall viewport, so that a whole management screen shows
// (they scroll inside the app, so a full-page screenshot would stop at the window).
func (p *tab) tallShot(name string) {
	p.t.Helper()
	if os.Getenv("BALCAO_SCREENSHOTS") == "" {
		return
	}
	p.do("tall viewport", chromedp.EmulateViewport(1366, 1760))
	p.shot(name)
	p.do("normal viewport", chromedp.EmulateReset())
}

// TestBrowserSupervisorScreenshots serves a few more services (by several people, one
// desconsiderado, one document) and saves screenshots of the Painel, the Histórico and Filas
// ao vivo for a person to look at; it runs only with BALCAO_SCREENSHOTS=DIR.
func TestBrowserSupervisorScreenshots(t *testing.T) {
	if os.Getenv("BALCAO_SCREENSHOTS") == "" {
		t.Skip("set BALCAO_SCREENSHOTS=DIR to save screenshots of the supervisor screens")
	}
	base := sharedServer(t)
	people := []struct{ phone, name, company, user string }{
		{"5548999997001", "Beatriz Ramos", "padaria-pao-quente", "ana"},
		{"5548999997002", "Eduardo Lopes", "construtora-ilha", "bruno"},
		{"5548999997003", "Luíza Martins", "tech-floripa", "ana"},
		{"5548999997004", "Sérgio Prado", "auto-mecanica-sul", "ana"},
		{"5548999997005", "Tânia Moreira", "clinica-vida", "bruno"},
	}
	for _, x := range people {
		serve(t, base, x.phone, x.name, x.company, x.user, "Olá! Já resolvo para você.")
	}
	// One finished with no answer (desconsiderado), one asking for a document.
	sim := newAPIAs(t, base, "bruno")
	sim.inbound("5548999997006", askForPerson)
	time.Sleep(300 * time.Millisecond) // screenshots only: let the conversation become pending
	sim.do("POST", "/api/conversations/5548999997006/start", nil)
	sim.do("POST", "/api/conversations/5548999997006/finish", nil)
	sim.inbound("5548999990001", "me manda o holerite de outubro")
	sim.inbound("5548999997007", askForPerson)

	p := newTab(t, base)
	p.resume("admin")
	p.do("open the Painel", chromedp.Navigate(base+"/#/painel"), chromedp.WaitVisible(chromedp.CSS(`#screen-painel [data-chart=per-day] canvas`)))
	p.tallShot("painel")
	p.do("open the history", chromedp.Navigate(base+"/#/historico"), chromedp.WaitVisible(chromedp.CSS(`#history-table tr[data-service]`)))
	p.do("export", chromedp.Click(chromedp.CSS(`#history-export`)), chromedp.WaitVisible(chromedp.CSS(`#export-status[data-state=done]`)))
	p.tallShot("historico")
	p.do("open Filas ao vivo", chromedp.Navigate(base+"/#/filas"), chromedp.WaitVisible(chromedp.CSS(`#screen-filas tr[data-pending]`)))
	p.shot("filas")
}

// TestBrowserAttachment: the attendant picks a file with the clip; it reaches the phone as a
// document, with the typed text as its caption, and shows in the conversation.
func TestBrowserAttachment(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("bruno")
	phone := ownPhone()
	sim.inbound(phone, "preciso de ajuda com um arquivo")
	file := filepath.Join(t.TempDir(), "contrato-social.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\ncontrato\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("open, start and attach", append(startService(base, phone),
		chromedp.SendKeys(chromedp.CSS(`#composer`), "Segue o contrato"),
		chromedp.SetUploadFiles(chromedp.CSS(`#attachment`), []string{file}),
	)...)
	sim.waitOutbound(phone, "Segue o contrato")
	p.until("the document in the conversation", `[...document.querySelectorAll('#history .msg.out')].some(e => e.textContent.includes('contrato-social.pdf'))`)
	p.until("the composer emptied (its text went as the caption)", `document.querySelector('#composer').value === ''`)
}

// TestBrowserPickerOffersWhatTheServerTakes: the clip's file picker offers the files the
// server takes and no others: every type it takes by content (under the usual extensions) and
// every document it takes as a zip by name. It listed .xlsx and .docx but not .pptx or the
// OpenDocument files the server sends with their types, and any image, though the server
// refuses all but four kinds.
func TestBrowserPickerOffersWhatTheServerTakes(t *testing.T) {
	extensions := map[string][]string{ // a type the server takes → its files' extensions
		"application/pdf": {".pdf"}, "image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"},
		"image/gif": {".gif"}, "image/webp": {".webp"}, "text/plain; charset=utf-8": {".txt"},
		"application/zip": {".zip"},
	}
	var want []string
	for mime := range ui.AllowedAttachments {
		ext, ok := extensions[mime]
		if !ok {
			t.Fatalf("the server takes %s: name its extensions here", mime)
		}
		want = append(want, ext...)
	}
	for ext := range ui.OfficeTypes {
		want = append(want, ext)
	}
	slices.Sort(want)

	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("bruno")
	phone := ownPhone() // a pending conversation each run
	sim.inbound(phone, "vou precisar mandar uns arquivos")
	p.do("open and start", startService(base, phone)...)
	got := strings.Split(p.eval(`document.querySelector('#attachment').accept`), ",")
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the picker offers %q, want %q", got, want)
	}
}

// TestBrowserCannedAnswer: "/" and a shortcut in the composer lists the canned answers; Enter
// inserts the chosen one with its variables filled, and the next Enter sends it.
func TestBrowserCannedAnswer(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	// The shortcut's start, typed below, is this run's alone: the list shows six answers.
	n := own()
	shortcut, typed := fmt.Sprintf("boas%dvindas", n), fmt.Sprintf("/boas%dv", n)
	if status, body := admin.do("POST", "/api/canned", map[string]any{"shortcut": shortcut, "text": "Olá, {cliente}! Aqui é {atendente}, do escritório."}); status != http.StatusCreated {
		t.Fatalf("canned answer: %d %s", status, body)
	}
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.resume("bruno")
	phone := ownPhone()
	sim.inbound(phone, "oi, tem alguém aí?")
	p.do("open, start and type the shortcut", append(startService(base, phone),
		chromedp.SendKeys(chromedp.CSS(`#composer`), typed),
		chromedp.WaitVisible(chromedp.CSS(`#canned [data-shortcut=`+shortcut+`]`)),
		enter,
	)...)
	if v := p.eval(`document.querySelector('#composer').value`); v != "Olá! Aqui é Bruno Alves, do escritório." {
		t.Fatalf("composer after picking = %q", v)
	}
	p.do("send it", enter)
	sim.waitOutbound(phone, "Aqui é Bruno Alves, do escritório.")
}

// TestBrowserCannedScreen: an attendant adds a personal answer on the Respostas padrão screen;
// a wrong shortcut shows the server's message next to the field.
func TestBrowserCannedScreen(t *testing.T) {
	base := sharedServer(t)
	p := newTab(t, base)
	p.resume("bruno")
	p.do("open the screen and add a wrong shortcut",
		chromedp.Navigate(base+"/#/respostas"),
		chromedp.WaitVisible(chromedp.CSS(`#canned-form`)),
		fill(`#canned-shortcut`, "com espaço"),
		fill(`#canned-text`, "Bom dia, {cliente}!"),
		chromedp.Click(chromedp.CSS(`#canned-add`)),
	)
	p.until("the field error", `[...document.querySelectorAll('#canned-form small.error')].some(e => e.textContent.includes('letras minúsculas'))`)
	p.do("fix and add",
		fill(`#canned-shortcut`, "bomdia"),
		chromedp.Click(chromedp.CSS(`#canned-add`)),
	)
	p.until("the answer listed as personal", `(document.querySelector('[data-canned=bomdia]')?.textContent ?? '').includes('Pessoal')`)
}
