package ui_test

// Browser test of Listas de Transmissão and Agendamento. It runs on its own engine: the
// broadcast writes to the demo contacts, whose conversations other tests count.

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserListAndBroadcast: a list without members is refused with the field's message; a
// list of two companies is saved; a broadcast to it shows its progress live until 2/2.
func TestBrowserListAndBroadcast(t *testing.T) {
	base := server(t)
	p := newTab(t, base)
	p.login("admin")
	p.do("open Listas de Transmissão and save an empty list",
		chromedp.Click(chromedp.CSS(`a[data-nav=listas]`)),
		chromedp.WaitVisible(chromedp.CSS(`#list-form`)),
		fill(`#list-name`, "Clientes do Simples"),
		chromedp.Click(chromedp.CSS(`#list-save`)),
	)
	p.until("the members error", `[...document.querySelectorAll('#list-form small.error')].some(e => e.textContent.includes('ao menos um contato'))`)
	p.until("the companies listed", `document.querySelector('.list-company[value=tech-floripa]') !== null`)
	p.do("pick two companies and save",
		chromedp.Click(chromedp.CSS(`.list-company[value=tech-floripa]`)),
		chromedp.Click(chromedp.CSS(`.list-company[value=padaria-pao-quente]`)),
		chromedp.Click(chromedp.CSS(`#list-save`)),
	)
	p.until("the list saved", `(document.querySelector('#lists-table')?.textContent ?? '').includes('Clientes do Simples')`)

	p.do("open Agendamento", chromedp.Click(chromedp.CSS(`a[data-nav=agendamento]`)), chromedp.WaitVisible(chromedp.CSS(`#broadcast-form`)))
	p.until("the list offered", `[...document.querySelectorAll('#broadcast-list option')].some(o => o.textContent === 'Clientes do Simples')`)
	id := p.eval(`[...document.querySelectorAll('#broadcast-list option')].find(o => o.textContent === 'Clientes do Simples').value`)
	p.do("send without text", choose(`#broadcast-list`, id), chromedp.Click(chromedp.CSS(`#broadcast-send`)))
	p.until("the text error", `(document.querySelector('#broadcast-form small.error')?.textContent ?? '') !== ''`)
	p.do("broadcast", fill(`#broadcast-text`, "Olá, {cliente}! O escritório estará fechado na sexta."), chromedp.Click(chromedp.CSS(`#broadcast-send`)))
	p.until("the first message counted", `[...document.querySelectorAll('.send-row')].some(r => r.textContent.includes('1/2 enviadas'))`)
	p.until("both sent", `[...document.querySelectorAll('.send-row[data-done=true]')].some(r => r.textContent.includes('2/2 enviadas'))`)
	p.shot("agendamento")
	newAPI(t, base).waitOutbound("5548999990003", "Olá, João! O escritório estará fechado na sexta.")

	// The list is also a group in Contatos: picking it shows its companies' contacts only.
	p.do("open Contatos and pick the group",
		chromedp.Click(chromedp.CSS(`a[data-nav=contatos]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contacts-group`)),
		choose(`#contacts-group`, id),
	)
	p.until("only the group's contacts", `[...document.querySelectorAll('#contacts-table tr[data-contact]')].map(r => r.dataset.contact).sort().join() === '5548999990001,5548999990003'`)
}

// TestBrowserEditSchedule: a schedule is edited in place: its fields come prefilled, a document
// is picked from the office's kinds, and pausing it shows at once and reaches the server.
func TestBrowserEditSchedule(t *testing.T) {
	base := server(t)
	admin := newAPI(t, base)
	admin.login("admin")
	id := createSchedule(t, admin, map[string]any{
		"name": "Holerite mensal", "text": "Olá, {cliente}! Segue o holerite.", "enabled": true,
		"target":     map[string]string{"kind": "company", "id": "tech-floripa"},
		"recurrence": map[string]any{"kind": "monthly", "day": 5, "time": "09:00"},
	})
	p := newTab(t, base)
	p.login("admin")
	p.editSchedule(id)
	p.until("the form prefilled", `document.querySelector('#schedule-form').dataset.editing === `+js(id)+` && document.querySelector('#schedule-name').value === 'Holerite mensal' && document.querySelector('#schedule-day').value === '5'`)
	p.do("pick the document, pause and save",
		choose(`#schedule-intent`, "holerite"),
		chromedp.Click(chromedp.CSS(`#schedule-enabled`)),
		chromedp.Click(chromedp.CSS(`#schedule-save`)),
	)
	p.until("the row paused", `document.querySelector('#schedules-table tr[data-id="`+id+`"]')?.textContent.includes('Pausado') === true`)
	p.until("the form back to a new schedule", `document.querySelector('#schedule-form').dataset.editing === ''`)

	_, body := admin.do("GET", "/api/schedules/"+id, nil)
	var got struct {
		Schedule struct {
			Enabled bool `json:"enabled"`
			Request *struct {
				Intent string `json:"intent"`
			} `json:"request"`
			Recurrence struct {
				Day int `json:"day"`
			} `json:"recurrence"`
		} `json:"schedule"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Schedule.Enabled || got.Schedule.Request == nil || got.Schedule.Request.Intent != "holerite" || got.Schedule.Recurrence.Day != 5 {
		t.Errorf("saved schedule = %s, want paused, holerite, day 5 kept", body)
	}
}

// TestBrowserEditOnceSchedule: a one-off schedule's moment comes back into the form as it was
// given, in São Paulo time, even in a browser elsewhere (Tokyo: 12 hours ahead).
func TestBrowserEditOnceSchedule(t *testing.T) {
	base := server(t)
	admin := newAPI(t, base)
	admin.login("admin")
	id := createSchedule(t, admin, map[string]any{
		"name": "Aviso de feriado", "text": "O escritório fecha na sexta.", "enabled": true,
		"target":     map[string]string{"kind": "company", "id": "tech-floripa"},
		"recurrence": map[string]any{"kind": "once", "at": "2031-05-02T18:30"},
	})
	p := newTab(t, base)
	p.do("put the browser in Tokyo", command(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}))
	p.login("admin")
	p.editSchedule(id)
	p.until("the form prefilled", `document.querySelector('#schedule-form').dataset.editing === `+js(id)+` && document.querySelector('#schedule-at') !== null`)
	if got := p.eval(`document.querySelector('#schedule-at').value`); got != "2031-05-02T18:30" {
		t.Errorf("the moment comes back as %q, want 2031-05-02T18:30 (São Paulo)", got)
	}
}

// createSchedule creates a schedule through the API and returns its id.
func createSchedule(t *testing.T, admin *api, schedule map[string]any) string {
	t.Helper()
	st, body := admin.do("POST", "/api/schedules", schedule)
	if st != http.StatusCreated {
		t.Fatalf("create schedule: %d %s", st, body)
	}
	var created struct {
		Schedule struct {
			ID string `json:"id"`
		} `json:"schedule"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	return created.Schedule.ID
}

// editSchedule opens Agendamento and the form of schedule id.
func (p *tab) editSchedule(id string) {
	p.t.Helper()
	p.do("open Agendamento and edit the schedule",
		chromedp.Click(chromedp.CSS(`a[data-nav=agendamento]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-edit="`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`button[data-edit="`+id+`"]`)),
	)
}
