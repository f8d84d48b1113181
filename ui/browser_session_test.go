package ui_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserSessionLostOnSend: the browser drops its session cookie (it expired) while the
// socket, opened before, stays up; the person presses Enter on a message. The server refuses
// the send with 401: the login comes back over the app saying the session ended, the text is
// back in the composer (nothing reached the phone), and after the new login it is there, the
// composer saying it was not sent (not the server's "entre novamente", stale by then), and it
// goes out once.
func TestBrowserSessionLostOnSend(t *testing.T) {
	base := sharedServer(t)
	sim := newAPI(t, base)
	p := newTab(t, base)
	p.login("ana")

	phone := ownPhone()
	sim.inbound(phone, askForPerson)
	p.do("open and start", startService(base, phone)...)
	const text = "mensagem escrita quando a sessão já tinha acabado"
	p.do("the cookie expires", command(network.DeleteCookies, network.DeleteCookiesParams{Name: "balcao_session", URL: base + "/"}))
	p.do("write and send", chromedp.Focus(chromedp.CSS(`#composer`)),
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText', false, `+js(text)+`)`), enter,
		chromedp.WaitVisible(chromedp.CSS(`.overlay #login-form`)),
	)
	if title := p.eval(`document.querySelector('.overlay #login-form h1').textContent`); title != "Sua sessão terminou" {
		t.Errorf("login over the app titled %q, want Sua sessão terminou", title)
	}
	if hint := p.eval(`document.querySelector('.overlay #login-form p').textContent`); !strings.Contains(hint, "rascunhos foram preservados") {
		t.Errorf("login over the app says %q, want that the drafts were kept", hint)
	}
	p.until("the text back in the composer", `document.querySelector('#composer')?.value === `+js(text))
	if texts := sim.outbound(phone); slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, text) }) {
		t.Fatalf("the phone received %q before the new login", texts)
	}

	p.do("log in again",
		chromedp.SendKeys(chromedp.CSS(`.overlay input[name=password]`), browserPass),
		chromedp.Click(chromedp.CSS(`.overlay button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.overlay #login-form`)),
	)
	p.until("websocket back online", `document.querySelector('[data-conn=online]') !== null`)
	if v := p.eval(`document.querySelector('#composer').value`); v != text {
		t.Fatalf("composer after the new login = %q, want %q", v, text)
	}
	if msg := p.eval(`document.querySelector('#composer-error')?.textContent ?? ''`); msg != "Sua sessão havia terminado e a mensagem não foi enviada. Envie de novo." {
		t.Errorf("after the new login the composer says %q, want that the message was not sent", msg)
	}
	p.do("send again", chromedp.Focus(chromedp.CSS(`#composer`)), enter)
	sim.waitOutbound(phone, text)
	n := 0
	for _, s := range sim.outbound(phone) {
		if s == text {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the phone received the message %d times, want once", n)
	}
}
