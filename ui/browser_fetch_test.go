package ui_test

import (
	"strconv"

	"github.com/chromedp/cdproto/page"
)

// beforeApp installs a script that runs in every page the tab opens, before the app's own.
func (p *tab) beforeApp(what, src string) {
	p.t.Helper()
	p.do(what, command(page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}))
}

// slowRequests is a script making the page's requests for which match holds (a JavaScript
// expression of the url u and the options init) take 600 ms on their way, as on a slow network.
func slowRequests(match string) string {
	return `(() => {
  const orig = window.fetch.bind(window)
  window.fetch = (u, init) => (` + match + `) ? new Promise((ok) => setTimeout(ok, 600)).then(() => orig(u, init)) : orig(u, init)
})()`
}

// holdAnswers is a script keeping back, while window.__hold is set (from the start when on),
// the answers to the page's requests for which match holds (as in slowRequests): the request
// goes at once, so what is held is what the server had then; releaseHeld lets them through.
func holdAnswers(match string, on bool) string {
	return `(() => {
  const orig = window.fetch.bind(window)
  window.__held = []
  window.__hold = ` + strconv.FormatBool(on) + `
  window.fetch = (u, init) => {
    const p = orig(u, init)
    if (!window.__hold || !(` + match + `)) return p
    return p.then((r) => new Promise((ok) => window.__held.push(() => ok(r))))
  }
})()`
}

// releaseHeld ends holdAnswers' hold and lets the answers it kept through.
const releaseHeld = `window.__hold = false; window.__held.splice(0).forEach((f) => f()); true`
