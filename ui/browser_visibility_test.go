package ui_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserVisibilityFollowsSettings: an attendant's inbox follows what the server lets them
// see, live. When the carteira gives Carlos's company to Bruno, Carlos leaves Ana's Pendentes
// (settings.changed reloads her lists); under message restriction, when Bruno takes Mariana she
// leaves Ana's inbox at once (conversation.hidden).
func TestBrowserVisibilityFollowsSettings(t *testing.T) {
	base := server(t)
	admin, bruno := newAPI(t, base), newAPI(t, base)
	admin.login("admin")
	bruno.login("bruno")
	const carlos, mariana = "5548999990001", "5548999990002"
	admin.inbound(carlos, askForPerson)
	admin.inbound(mariana, askForPerson)

	p := newTab(t, base)
	p.login("ana")
	p.do("open Pendentes", chromedp.Navigate(base+"/#/atendimento/pendentes"), chromedp.WaitVisible(chromedp.CSS(`ul[data-list=pendentes]`)))
	p.until("both waiting in Ana's Pendentes", `document.querySelector('`+row("pendentes", carlos)+`') !== null && document.querySelector('`+row("pendentes", mariana)+`') !== null`)

	_, body := admin.do("GET", "/api/settings", nil)
	var settings map[string]any
	if err := json.Unmarshal(body, &settings); err != nil {
		t.Fatal(err)
	}
	settings["portfolio"] = []map[string]string{{"company": "padaria-pao-quente", "department": "pessoal", "staff": "bruno"}}
	if st, body := admin.do("PUT", "/api/settings", settings); st != http.StatusOK {
		t.Fatalf("save carteira: %d %s", st, body)
	}
	p.until("Carlos leaves Ana's Pendentes", `document.querySelector('`+row("pendentes", carlos)+`') === null`)
	p.until("Mariana stays", `document.querySelector('`+row("pendentes", mariana)+`') !== null`)
	p.until("the Pendentes badge counts one", `document.querySelector('[data-count=pendentes]')?.textContent.trim() === '1'`)

	settings["restrict"] = true
	if st, body := admin.do("PUT", "/api/settings", settings); st != http.StatusOK {
		t.Fatalf("turn restriction on: %d %s", st, body)
	}
	if st, body := bruno.do("POST", "/api/conversations/"+mariana+"/start", nil); st != http.StatusOK {
		t.Fatalf("bruno takes Mariana: %d %s", st, body)
	}
	p.until("Mariana leaves Ana's inbox", `document.querySelector('a[data-id="`+mariana+`"]') === null`)
	if n := p.dialogs.Load(); n != 0 {
		t.Errorf("the page opened %d JavaScript dialogs", n)
	}
}
