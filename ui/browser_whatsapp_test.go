package ui_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/balcao/balcao"
)

// TestBrowserWhatsAppShowsTheQR: while the office's WhatsApp waits to be paired, Conexão
// WhatsApp draws the code the server gives as a QR code to scan. The simulated WhatsApp is
// always connected, so the page gets the status a real pairing reports
// (gateway/whatsapp TestPairingByQR) from the browser's network layer.
func TestBrowserWhatsAppShowsTheQR(t *testing.T) {
	base := sharedServer(t)
	p := newTab(t, base)
	p.resume("admin")
	body, err := json.Marshal(balcao.WhatsAppStatus{State: balcao.WhatsAppWaitingQR, QR: "2@Yx8mF3kqP0sV9t,u7Hc1Rw5LzQe+AbC4dE6fG8hI0jK=,Zm9vYmFyYmF6cXV4,MTIzNDU2Nzg5MA=="})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(p.ctx)
	defer stop()
	go func() {
		for ev, err := range chromedp.Events(ctx, fetch.RequestPaused) {
			if err != nil {
				return
			}
			_ = chromedp.Do(ctx, command(fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: ev.RequestID, ResponseCode: 200, Body: body,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
			}))
		}
	}()
	p.do("answer the status as a pairing does", command(fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/whatsapp/status"}}}))
	p.do("open Conexão WhatsApp",
		chromedp.Navigate(base+"/#/whatsapp"),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-waiting_qr`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp svg.qr`)),
	)
	// A QR code of version 2 or more with its border: at least 25 + 4 modules a side, drawn.
	if n, _ := strconv.Atoi(p.eval(`String(document.querySelector('#screen-whatsapp svg.qr').viewBox.baseVal.width)`)); n < 29 {
		t.Errorf("the QR code is %d modules wide, want at least 29 for this code", n)
	}
	if d := p.eval(`document.querySelector('#screen-whatsapp svg.qr path').getAttribute('d')`); strings.Count(d, "M") < 200 {
		t.Errorf("the QR code draws %d modules, want a code", strings.Count(d, "M"))
	}
	if got := p.eval(`document.querySelector('#screen-whatsapp').textContent`); !strings.Contains(got, "leia o código") {
		t.Errorf("the screen says %q, want it to tell to scan the code", got)
	}
	p.do("stop answering", command(fetch.Disable, cdp.Empty{}))
}
