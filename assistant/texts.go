package assistant

import "strings"

// The office's editable texts (Settings.Texts): each one, rendered with the turn's variables,
// or the assistant's own wording when the office gives none or it renders empty.

// FirstName is the first name of a contact as the client's texts use it: Title-cased, without
// emojis ("ANA paula 🌸" is "Ana"); "" when the name has no letters.
func FirstName(contact string) string { return firstName(contact) }

// FormatCompetence is a competence ("2026-10", "2025") as the client reads it: "10/2026", "2025".
func FormatCompetence(c string) string { return formatCompetence(c) }

// vars are the values of the texts' variables in this turn; req is the request the text is
// about, if any.
func (d *dialog) vars(req *Request) Vars {
	v := Vars{Cliente: firstName(d.in.ContactName), Abertura: d.in.Settings.NextOpen}
	if v.Abertura == "" {
		v.Abertura = msgNextOpenFallback
	}
	if req != nil {
		v.Competencia = formatCompetence(req.Competence)
		for _, c := range d.in.Companies {
			if c.ID == req.CompanyID {
				v.Empresa = c.Name
			}
		}
	}
	if v.Empresa == "" && len(d.in.Companies) > 0 {
		v.Empresa = d.in.Companies[0].Name
	}
	return v
}

// text renders one of the office's texts; "" when it has none or it renders empty.
func (d *dialog) text(tmpl string, req *Request) string {
	if tmpl == "" {
		return ""
	}
	if d.in.Settings.Render != nil {
		tmpl = d.in.Settings.Render(tmpl, d.vars(req))
	}
	if strings.TrimSpace(tmpl) == "" {
		return ""
	}
	return tmpl
}

func (d *dialog) greeting() string {
	if t := d.text(d.in.Settings.Texts.Greeting, nil); t != "" {
		return t
	}
	return msgGreeting(firstName(d.in.ContactName), d.in.Settings.OfficeName)
}

// menu is the main menu under the office's header.
func (d *dialog) menu() string {
	header := d.text(d.in.Settings.Texts.MenuHeader, nil)
	if header == "" || header == msgMenuHeader {
		return msgMenu // the usual header: no need to build it
	}
	return header + "\n" + msgMenuOptions
}

func (d *dialog) handoverText(req *Request) string {
	if t := d.text(d.in.Settings.Texts.Handover, req); t != "" {
		return t
	}
	return msgHandover
}

func (d *dialog) closedText(req *Request) string {
	if t := d.text(d.in.Settings.Texts.OutOfHours, req); t != "" {
		return t
	}
	return msgClosed(d.vars(req).Abertura)
}
