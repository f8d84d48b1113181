package ui_test

// Browser tests of the Preferências page and of the departments in Equipe. The settings are
// the office's, read by every conversation: these tests run on their own engine so that the
// hours they change never reach the other tests' conversations.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const managerPass = "senha-do-gil"

// loginWith signs in through the login form with a password of one's own.
func (p *tab) loginWith(user, password string) {
	p.t.Helper()
	p.do("open login",
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=office]`), "demo"),
		chromedp.SendKeys(chromedp.CSS(`input[name=user]`), user),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.rail`)),
	)
	p.until("websocket online", `document.querySelector('[data-conn=online]') !== null`)
}

// choose picks an option of a select as a person does (the change event included).
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => {
		const e = document.querySelector(` + js(sel) + `)
		e.value = ` + js(value) + `
		e.dispatchEvent(new Event('change', {bubbles: true}))
	})()`)
}

// settingsDoc is the part of GET /api/settings the tests read.
type settingsDoc struct {
	Hours       map[string][]struct{ From, To string }        `json:"hours"`
	Messages    map[string]string                             `json:"messages"`
	Departments []struct{ ID, Name string }                   `json:"departments"`
	Portfolio   []struct{ Company, Department, Staff string } `json:"portfolio"`
	Survey      bool                                          `json:"survey"`
}

func getSettings(a *api) (settingsDoc, []byte) {
	a.t.Helper()
	status, body := a.do("GET", "/api/settings", nil)
	var s settingsDoc
	if status != http.StatusOK || json.Unmarshal(body, &s) != nil {
		a.t.Fatalf("GET /api/settings = %d %s", status, body)
	}
	return s, body
}

// putSettings changes the settings as another administrator would: GET, edit, PUT.
func putSettings(a *api, edit func(map[string]any)) {
	a.t.Helper()
	_, raw := getSettings(a)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		a.t.Fatal(err)
	}
	edit(doc)
	if status, body := a.do("PUT", "/api/settings", doc); status != http.StatusOK {
		a.t.Fatalf("PUT /api/settings = %d %s", status, body)
	}
}

// TestBrowserPrefs: an administrador edits the hours, a default message, a department and
// the carteira and saves them; a wrong interval shows the server's Portuguese error next to
// it and saves nothing; a gerente reads the page without changing it; an atendente has no
// Preferências and the server refuses their PUT; a change by another administrador reaches
// an open page; a conversation shows the department its client chose (named by the settings);
// a staff member's departments are saved from Equipe.
func TestBrowserPrefs(t *testing.T) {
	base := server(t)
	admin := newAPI(t, base)
	admin.login("admin")
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "gil", "name": "Gil Moura", "role": "gerente", "password": managerPass}); status != http.StatusCreated {
		t.Fatalf("create the gerente: %d %s", status, body)
	}
	p := newTab(t, base)
	p.login("admin")

	t.Run("AdminSaves", func(t *testing.T) {
		p.t = t
		p.do("open Preferências from the rail",
			chromedp.WaitVisible(chromedp.CSS(`a[data-nav=preferencias]`)),
			chromedp.Click(chromedp.CSS(`a[data-nav=preferencias]`)),
			chromedp.WaitVisible(chromedp.CSS(`#hours-mon-0-from`)),
		)
		// The form shows once the settings are in; the default messages (which add message
		// fields above the departments), the companies and the staff come after it. A click
		// lands where its element was a moment before: wait until nothing moves.
		p.until("the defaults, companies and staff loaded", `document.querySelector('#msg-greeting').placeholder !== '' &&
			document.querySelector('select[data-cell="tech-floripa/fiscal"] option[value="bruno"]') !== null`)
		p.tallShot("page")
		if got := p.eval(`String(document.querySelector('#prefs-save').disabled)`); got != "true" {
			t.Errorf("Salvar enabled before any change (disabled = %s)", got)
		}
		p.do("change Monday and the greeting",
			fill(`#hours-mon-0-from`, "07:30"),
			fill(`#hours-mon-1-to`, "17:00"),
			fill(`#msg-greeting`, "Olá, {cliente}! Aqui é da "),
			chromedp.Click(chromedp.CSS(`[data-message=greeting] button[data-var="{empresa}"]`)),
		)
		// The chip gives the focus back to its text box in the next frame, which scrolls the
		// page to it: a click computed before that frame would land beside its button.
		p.until("the greeting focused again", `document.activeElement?.id === 'msg-greeting'`)
		p.do("add a department and a carteira cell",
			fill(`#prefs-dept-new`, "Societário"),
			chromedp.Click(chromedp.CSS(`#prefs-dept-add`)),
			chromedp.WaitVisible(chromedp.CSS(`#dept-name-societario`)),
			choose(`select[data-cell="tech-floripa/fiscal"]`, "bruno"),
		)
		if got := p.eval(`document.querySelector('#msg-greeting').value`); got != "Olá, {cliente}! Aqui é da {empresa}" {
			t.Errorf("greeting after the {empresa} chip = %q", got)
		}
		p.until("Salvar enabled", `!document.querySelector('#prefs-save').disabled`)
		p.do("save", chromedp.Click(chromedp.CSS(`#prefs-save`)))
		p.until("saved notice", `document.querySelector('#prefs-status').textContent === 'Preferências salvas.' && document.querySelector('#prefs-save').disabled`)

		s, _ := getSettings(admin)
		if mon := s.Hours["mon"]; len(mon) != 2 || mon[0].From != "07:30" || mon[0].To != "12:00" || mon[1].From != "13:00" || mon[1].To != "17:00" {
			t.Errorf("hours.mon = %+v, want 07:30–12:00, 13:00–17:00", mon)
		}
		if tue := s.Hours["tue"]; len(tue) != 2 || tue[0].From != "08:00" || tue[1].To != "18:00" {
			t.Errorf("hours.tue = %+v, want unchanged 08:00–12:00, 13:00–18:00", tue)
		}
		if got := s.Messages["greeting"]; got != "Olá, {cliente}! Aqui é da {empresa}" {
			t.Errorf("messages.greeting = %q", got)
		}
		if !slices.ContainsFunc(s.Departments, func(d struct{ ID, Name string }) bool { return d.ID == "societario" && d.Name == "Societário" }) {
			t.Errorf("departments = %+v, want societario/Societário among them", s.Departments)
		}
		if len(s.Departments) != 5 {
			t.Errorf("departments = %+v, want the four defaults and Societário", s.Departments)
		}
		if len(s.Portfolio) != 1 || s.Portfolio[0].Company != "tech-floripa" || s.Portfolio[0].Department != "fiscal" || s.Portfolio[0].Staff != "bruno" {
			t.Errorf("portfolio = %+v, want tech-floripa/fiscal → bruno", s.Portfolio)
		}
	})

	t.Run("RestoreDefault", func(t *testing.T) {
		p.t = t
		p.do("restore the greeting and save",
			chromedp.Click(chromedp.CSS(`[data-restore=greeting]`)),
		)
		if got := p.eval(`document.querySelector('#msg-greeting').value`); got != "" {
			t.Errorf("greeting after Restaurar padrão = %q, want empty (the default)", got)
		}
		p.do("save", chromedp.Click(chromedp.CSS(`#prefs-save`)))
		p.until("saved notice", `document.querySelector('#prefs-status').textContent === 'Preferências salvas.'`)
		if s, _ := getSettings(admin); s.Messages["greeting"] != "" {
			t.Errorf("messages.greeting after restoring = %q, want none", s.Messages["greeting"])
		}
	})

	t.Run("InvalidSavesNothing", func(t *testing.T) {
		p.t = t
		_, before := getSettings(admin)
		p.do("Tuesday's first period ends before it starts",
			fill(`#hours-tue-0-to`, "07:00"),
			fill(`#msg-finished`, "Até logo, {cliente}!"),
			chromedp.Click(chromedp.CSS(`#prefs-save`)),
		)
		p.until("the field error", `document.querySelector('[data-field="hours.tue.0"]') !== null`)
		p.shot("invalid")
		if got := p.eval(`document.querySelector('[data-field="hours.tue.0"]').textContent`); got != "O fim deve ser depois do início." {
			t.Errorf("field error = %q, want %q", got, "O fim deve ser depois do início.")
		}
		if got := p.eval(`document.querySelector('#hours-tue-0-to').getAttribute('aria-invalid')`); got != "true" {
			t.Errorf("the wrong field's aria-invalid = %q, want true", got)
		}
		if got := p.eval(`document.querySelector('#prefs-save-error').textContent`); !strings.Contains(got, "nada foi salvo") || !strings.Contains(got, "Terça-feira, período 1") {
			t.Errorf("save error = %q, want the summary naming Terça-feira, período 1", got)
		}
		if _, after := getSettings(admin); string(after) != string(before) {
			t.Errorf("settings changed by a refused save:\nbefore %s\nafter  %s", before, after)
		}
		p.do("fix the period", fill(`#hours-tue-0-to`, "12:00"))
		p.until("the error goes once the field is edited", `document.querySelector('[data-field="hours.tue.0"]') === null`)
		p.do("save", chromedp.Click(chromedp.CSS(`#prefs-save`)))
		p.until("saved notice", `document.querySelector('#prefs-status').textContent === 'Preferências salvas.'`)
		if s, _ := getSettings(admin); s.Messages["finished"] != "Até logo, {cliente}!" {
			t.Errorf("messages.finished = %q after fixing and saving", s.Messages["finished"])
		}
	})

	t.Run("ChangedElsewhere", func(t *testing.T) {
		p.t = t
		putSettings(admin, func(doc map[string]any) { doc["survey"] = true })
		p.until("the open page follows", `document.querySelector('#prefs-survey').checked && document.querySelector('#prefs-status').textContent.includes('outro administrador')`)
		p.do("an unsaved edit", chromedp.Click(chromedp.CSS(`#prefs-identify`)))
		putSettings(admin, func(doc map[string]any) { doc["survey"] = false })
		p.until("a warning instead of a refresh", `document.querySelector('#prefs-others') !== null && document.querySelector('#prefs-survey').checked && document.querySelector('#prefs-identify').checked`)
		p.do("take the other administrator's version",
			chromedp.Click(chromedp.CSS(`#prefs-take-others`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#prefs-others`)),
		)
		if got := p.eval(`String([document.querySelector('#prefs-survey').checked, document.querySelector('#prefs-identify').checked, document.querySelector('#prefs-save').disabled])`); got != "false,false,true" {
			t.Errorf("after taking the other version: survey, identify, Salvar disabled = %s, want false,false,true", got)
		}
	})

	t.Run("ManagerReadsOnly", func(t *testing.T) {
		m := newTab(t, base)
		m.loginWith("gil", managerPass)
		m.do("open Preferências",
			chromedp.WaitVisible(chromedp.CSS(`a[data-nav=preferencias]`)),
			chromedp.Navigate(base+"/#/preferencias"),
			chromedp.WaitVisible(chromedp.CSS(`#prefs-readonly`)),
			chromedp.WaitVisible(chromedp.CSS(`#hours-mon-0-from`)),
		)
		m.shot("readonly")
		if got := m.eval(`document.querySelector('#hours-mon-0-from').value`); got != "07:30" {
			t.Errorf("the gerente sees Monday from %q, want the saved 07:30", got)
		}
		if n := m.eval(`String(document.querySelectorAll('#prefs-save, #prefs-discard').length)`); n != "0" {
			t.Errorf("the gerente sees %s save buttons, want 0", n)
		}
		if n := m.eval(`String([...document.querySelectorAll('#screen-preferencias .pref-fields input, #screen-preferencias .pref-fields select, #screen-preferencias .pref-fields textarea, #screen-preferencias .pref-fields button')].filter(e => !e.matches(':disabled')).length)`); n != "0" {
			t.Errorf("the gerente can use %s controls, want 0", n)
		}
		gil := newAPI(t, base)
		if status, body := gil.do("POST", "/api/login", map[string]string{"office": "demo", "user": "gil", "password": managerPass}); status != http.StatusOK {
			t.Fatalf("login gil: %d %s", status, body)
		}
		_, raw := getSettings(gil)
		if status, body := gil.do("PUT", "/api/settings", json.RawMessage(raw)); status != http.StatusForbidden {
			t.Errorf("PUT /api/settings as gerente = %d %s, want 403", status, body)
		}
	})

	t.Run("AttendantRefused", func(t *testing.T) {
		a := newTab(t, base)
		a.login("ana")
		if n := a.eval(`String(document.querySelectorAll('a[data-nav=preferencias]').length)`); n != "0" {
			t.Errorf("an atendente sees %s Preferências links, want 0", n)
		}
		a.do("open it by its address", chromedp.Navigate(base+"/#/preferencias"), chromedp.WaitVisible(chromedp.CSS(`#screen-preferencias .error`)))
		if n := a.eval(`String(document.querySelectorAll('#screen-preferencias input, #prefs-save').length)`); n != "0" {
			t.Errorf("an atendente gets %s controls on Preferências, want 0", n)
		}
		ana := newAPI(t, base)
		ana.login("ana")
		_, raw := getSettings(admin)
		status, body := ana.do("PUT", "/api/settings", json.RawMessage(raw))
		var problem struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if status != http.StatusForbidden || json.Unmarshal(body, &problem) != nil || problem.Error.Message == "" {
			t.Errorf("PUT /api/settings as atendente = %d %s, want 403 with a message", status, body)
		}
	})

	t.Run("ConversationDepartment", func(t *testing.T) {
		p.t = t
		putSettings(admin, func(doc map[string]any) { doc["distribution"] = true })
		const phone = "5548999990003" // João Pereira, Tech Floripa
		sim := newAPI(t, base)
		sim.inbound(phone, "quero falar com um atendente")
		sim.waitOutbound(phone, "5 - Societário")
		sim.inbound(phone, "5")
		p.do("open the pending conversation",
			chromedp.Navigate(base+"/#/atendimento/pendentes/"+phone),
			chromedp.WaitVisible(chromedp.CSS(`#conv-name`)),
		)
		p.until("the department tag in the list", `document.querySelector('ul[data-list=pendentes] a[data-id="`+phone+`"] [data-department=societario]')?.textContent === 'Societário'`)
		p.until("the department tag in the header", `document.querySelector('.conv-head [data-department=societario]')?.textContent === 'Societário'`)
	})

	t.Run("StaffDepartments", func(t *testing.T) {
		p.t = t
		p.do("edit Bruno in Equipe",
			chromedp.Navigate(base+"/#/equipe"),
			chromedp.WaitVisible(chromedp.CSS(`tr[data-staff="bruno"]`)),
			chromedp.Click(chromedp.CSS(`tr[data-staff="bruno"] .row-actions button`)),
			chromedp.WaitVisible(chromedp.CSS(`#staff-form input[name=departments][value=societario]`)),
		)
		if got := p.eval(`String([...document.querySelectorAll('#staff-form input[name=departments]')].filter(e => e.checked).length)`); got != "0" {
			t.Errorf("Bruno starts with %s departments checked, want 0 (all)", got)
		}
		p.do("check Pessoal and Societário and save",
			chromedp.Click(chromedp.CSS(`#staff-form input[name=departments][value=pessoal]`)),
			chromedp.Click(chromedp.CSS(`#staff-form input[name=departments][value=societario]`)),
			chromedp.Click(chromedp.CSS(`#staff-form button[type=submit]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#staff-form`)),
		)
		p.until("the list shows them", `document.querySelector('tr[data-staff="bruno"] td[data-departments]').textContent === 'Pessoal, Societário'`)
		if got := p.eval(`document.querySelector('tr[data-staff="ana"] td[data-departments]').textContent`); got != "Todos os setores" {
			t.Errorf("Ana's departments read %q, want Todos os setores", got)
		}
		// The carteira saved by AdminSaves shows which company Bruno answers for.
		p.until("Bruno's carteira", `document.querySelector('td[data-carteira="bruno"]').textContent === 'Tech Floripa Sistemas Ltda (Fiscal)'`)
		status, body := admin.do("GET", "/api/staff", nil)
		type member struct {
			User        string   `json:"user"`
			Departments []string `json:"departments"`
		}
		var list struct {
			Staff []member `json:"staff"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
			t.Fatalf("GET /api/staff = %d %s", status, body)
		}
		i := slices.IndexFunc(list.Staff, func(m member) bool { return m.User == "bruno" })
		if i < 0 || !slices.Equal(list.Staff[i].Departments, []string{"pessoal", "societario"}) {
			t.Errorf("GET /api/staff bruno = %s, want departments [pessoal societario]", body)
		}
	})
}
