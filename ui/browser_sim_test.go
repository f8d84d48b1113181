package ui_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSimPhoneKeepsItsMessages: the simulated phone (/sim/) shows what its person sent
// among the office's replies, also after a reload: the server lists only what the office
// sent, so the page keeps the person's own messages as a phone does.
func TestBrowserSimPhoneKeepsItsMessages(t *testing.T) {
	base := sharedServer(t)
	p := newTab(t, base)
	phone := ownPhone()
	open := func(what string) {
		p.do(what, chromedp.Navigate(base+"/sim/"), chromedp.WaitVisible(chromedp.CSS(`#composer`)))
		p.eval(`(() => { const f = document.getElementById("from"); f.value = ` + js(phone) + `;
			f.dispatchEvent(new Event("change")); return ""; })()`)
	}
	send := func(text string) {
		p.eval(`(() => { document.getElementById("text").value = ` + js(text) + `;
			document.getElementById("composer").requestSubmit(); return ""; })()`)
	}
	// bubbles lists the chat as "in:text" and "out" (the office's words are not this test's).
	const bubbles = `[...document.querySelectorAll("#chat .msg")].map((m) =>
		m.classList.contains("in") ? "in:" + m.firstChild.textContent : "out").join("|")`

	open("open the phone")
	send("oi")
	p.until("the office's reply", bubbles+` === "in:oi|out" || `+bubbles+`.startsWith("in:oi|out")`)
	replies := p.eval(`String(document.querySelectorAll("#chat .msg.out").length)`)

	open("reload the phone")
	p.until("the message sent before the reload, before its reply",
		`document.querySelectorAll("#chat .msg.out").length === `+replies+` && `+bubbles+`.startsWith("in:oi|out")`)
	send("segunda")
	p.until("a message sent after the reload", bubbles+`.includes("|in:segunda")`)

	open("reload again")
	p.until("both messages after a second reload", bubbles+`.startsWith("in:oi|out") && `+bubbles+`.includes("|in:segunda")`)
}
