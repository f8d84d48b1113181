package ui_test

import (
	"encoding/json"
	"net/http"
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
