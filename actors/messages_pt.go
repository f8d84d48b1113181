package actors

import (
	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
)

// What clients read on WhatsApp when the engine (not the assistant) speaks is the office's own
// text or balcao's default (balcao.MessageKeys, messages.go): the not-linked, assistant-off,
// job-pending, portal-link, processing-failed, finished, survey and survey-thanks texts here,
// the others through the assistant.

// officeText is an editable message of the office (its own text or the default) filled for
// this conversation (messageVars).
func (c *conversation) officeText(key, staff string) string {
	return c.renderText(key, c.messageVars(staff))
}

// messageVars are the variables of this conversation's messages: {cliente} is the contact's
// first name, {empresa} its first company, {atendente} the name of the staff user who served it
// (staff, "" for none).
func (c *conversation) messageVars(staff string) balcao.MessageVars {
	v := balcao.MessageVars{Cliente: assistant.FirstName(c.conv.ContactName)}
	if len(c.conv.Companies) > 0 {
		v.Empresa = c.conv.Companies[0].Name
	}
	if staff != "" {
		if st, err := c.sys.cfg.DB.Staff(c.office, staff); err == nil {
			v.Atendente = st.Name // a removed account: no name rather than a login
		}
	}
	return v
}

// renderText is an editable message of the office (its own text or the default) filled with v.
func (c *conversation) renderText(key string, v balcao.MessageVars) string {
	settings, err := c.sys.cfg.DB.Settings(c.office)
	if err != nil {
		settings = balcao.DefaultSettings()
		c.logger().Warn("settings unreadable, default texts", "err", err)
	}
	if text := balcao.RenderMessage(settings.MessageText(key, ""), v); text != "" {
		return text
	}
	return balcao.RenderMessage(balcao.DefaultMessage(key, ""), v)
}

// applyTexts gives the assistant the office's texts (its own or the defaults, the greeting's
// default naming the office), their renderer, and the departments a client may pick.
func (c *conversation) applyTexts(in *assistant.Input, settings balcao.Settings) {
	if !c.dialog.Greeted { // only the greeting names the office
		if o, err := c.sys.cfg.DB.Office(c.office); err == nil {
			in.Settings.OfficeName = o.Name
		}
	}
	in.Settings.Texts = assistant.Texts{
		Greeting:   settings.MessageText(balcao.MessageGreeting, in.Settings.OfficeName),
		MenuHeader: settings.MessageText(balcao.MessageMenuHeader, ""),
		Handover:   settings.MessageText(balcao.MessageHandover, ""),
		OutOfHours: settings.MessageText(balcao.MessageOutOfHours, ""),
	}
	in.Settings.Render = renderForAssistant
	deps := settings.Departments
	if deps == nil {
		deps = balcao.DefaultDepartments()
	}
	in.Settings.Departments = make([]assistant.Department, len(deps))
	for i, d := range deps {
		in.Settings.Departments[i] = assistant.Department{ID: d.ID, Name: d.Name}
	}
	in.Settings.Distribution = settings.Distribution
}

func renderForAssistant(text string, v assistant.Vars) string {
	return balcao.RenderMessage(text, balcao.MessageVars{Cliente: v.Cliente, Empresa: v.Empresa, Competencia: v.Competencia, Abertura: v.Abertura})
}
