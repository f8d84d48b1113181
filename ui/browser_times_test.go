package ui_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/balcao/balcao"
)

// TestBrowserTimesAreSaoPaulo: the times of a conversation's messages are São Paulo's, as the
// delivery record's, the schedules' inputs and the server's days are, whatever the browser's
// zone: in a browser in Tokyo, a message shows the hour it had in São Paulo (12 hours off in
// Tokyo's).
func TestBrowserTimesAreSaoPaulo(t *testing.T) {
	base := sharedServer(t)
	admin := newAPIAs(t, base, "admin")
	phone := ownPhone()
	admin.inbound(phone, "oi, bom dia")
	st, body := admin.do("GET", "/api/conversations/"+phone+"/messages", nil)
	var got struct {
		Messages []balcao.Message `json:"messages"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &got) != nil || len(got.Messages) == 0 {
		t.Fatalf("messages of %s: %d %s", phone, st, body)
	}
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	first := got.Messages[0]
	want := first.At.In(sp).Format("15:04")

	p := newTab(t, base)
	p.do("put the browser in Tokyo", command(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}))
	p.resume("admin")
	p.do("open the conversation", chromedp.Navigate(base+"/#/atendimento/contatos/"+phone), chromedp.WaitVisible(chromedp.CSS(`#history .msg.in .meta span`)))
	if got := p.eval(`document.querySelector('#history .msg.in .meta span').textContent`); got != want {
		t.Errorf("the client's message shows %q, want %q (São Paulo time; Tokyo's is %s)", got, want, first.At.In(time.FixedZone("JST", 9*3600)).Format("15:04"))
	}
}

// TestBrowserDefaultDaysAreSaoPaulo: the Painel's month and Histórico's last 30 days are São
// Paulo's, as the server's are, whatever the browser's zone: at 22:30 of 31 October in São
// Paulo, a browser in Tokyo (10:30 of 1 November there) opens the Painel on October, not on a
// November the server has not begun, and Histórico from 2 to 31 October, not 3 October to
// 1 November.
func TestBrowserDefaultDaysAreSaoPaulo(t *testing.T) {
	base := sharedServer(t)
	at := time.Date(2026, time.October, 31, 22, 30, 0, 0, time.FixedZone("BRT", -3*3600))
	p := newTab(t, base)
	p.do("put the browser in Tokyo", command(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}))
	// The page's clock starts at that moment and runs on from it (the server's is left alone).
	p.beforeApp("set the page's clock", `(() => {
  const Real = Date, shift = `+strconv.FormatInt(at.UnixMilli(), 10)+` - Real.now()
  window.Date = class extends Real {
    constructor(...a) { if (a.length === 0) super(Real.now() + shift); else super(...a) }
    static now() { return Real.now() + shift }
  }
})()`)
	p.resume("admin")

	p.do("open the Painel", chromedp.Navigate(base+"/#/painel"), chromedp.WaitVisible(chromedp.CSS(`#dash-month`)))
	if got := p.eval(`document.querySelector('#dash-month').value + ' max ' + document.querySelector('#dash-month').max`); got != "2026-10 max 2026-10" {
		t.Errorf("the Painel opens on %q, want 2026-10 max 2026-10 (São Paulo's month; Tokyo's is 2026-11)", got)
	}
	p.do("Mês anterior", chromedp.Click(chromedp.CSS(`#screen-painel .month-picker button[aria-label="Mês anterior"]`)))
	p.until("September", `document.querySelector('#dash-month').value === '2026-09'`)

	p.do("open Histórico", chromedp.Navigate(base+"/#/historico"), chromedp.WaitVisible(chromedp.CSS(`#history-filters input[name=to]`)))
	if got := p.eval(`document.querySelector('#history-filters input[name=from]').value + ' to ' + document.querySelector('#history-filters input[name=to]').value`); got != "2026-10-02 to 2026-10-31" {
		t.Errorf("Histórico opens on %q, want 2026-10-02 to 2026-10-31 (São Paulo's last 30 days; Tokyo's end on 2026-11-01)", got)
	}
}
