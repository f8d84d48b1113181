package balcao

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Scheduled messages (Agendamento), broadcast lists (Listas de Transmissão) and tax-guide
// reminders. Every time is read in the office's zone (America/Sao_Paulo), passed in as loc.

// BroadcastList is a named set of contacts and companies; a send to it reaches every contact
// of the list and every contact of its companies, once each.
type BroadcastList struct {
	ID        string    `msgpack:"id" json:"id"`
	Name      string    `msgpack:"name" json:"name"`
	Contacts  []string  `msgpack:"contacts" json:"contacts"`   // phones (E.164 digits) of registered contacts
	Companies []string  `msgpack:"companies" json:"companies"` // company ids
	CreatedBy string    `msgpack:"created_by" json:"createdBy"`
	CreatedAt time.Time `msgpack:"created_at" json:"createdAt"`
}

// Validate checks a list's fields, adding a Portuguese message per wrong one. Phones are
// normalized in place; whether they and the companies exist is the engine's check.
func (l *BroadcastList) Validate(fields map[string]string) {
	l.Name = strings.TrimSpace(l.Name)
	if l.Name == "" || utf8.RuneCountInString(l.Name) > 100 {
		fields["name"] = "Informe o nome da lista (até 100 caracteres)."
	}
	if len(l.Contacts)+len(l.Companies) == 0 {
		fields["contacts"] = "Escolha ao menos um contato ou uma empresa."
	}
	if len(l.Contacts) > MaxListMembers || len(l.Companies) > MaxListMembers {
		fields["contacts"] = fmt.Sprintf("Uma lista tem no máximo %d contatos e %d empresas.", MaxListMembers, MaxListMembers)
	}
	seen := map[string]bool{}
	phones := l.Contacts[:0:0]
	for i, p := range l.Contacts {
		n, err := NormalizePhone(p)
		if err != nil {
			fields[fmt.Sprintf("contacts.%d", i)] = "Telefone inválido."
			continue
		}
		if !seen[n] {
			seen[n] = true
			phones = append(phones, n)
		}
	}
	l.Contacts = phones
}

// MaxListMembers bounds the contacts (and the companies) of one broadcast list.
const MaxListMembers = 5000

// TargetKind says who a schedule writes to.
type TargetKind string

// Targets of a schedule.
const (
	TargetContact TargetKind = "contact" // one contact, by phone
	TargetCompany TargetKind = "company" // every contact of a company
	TargetList    TargetKind = "list"    // a broadcast list
)

// Target is the recipient of a schedule: a contact's phone, a company id or a list id.
type Target struct {
	Kind TargetKind `msgpack:"kind" json:"kind"`
	ID   string     `msgpack:"id" json:"id"`
}

// RecurrenceKind is how a schedule repeats.
type RecurrenceKind string

// Recurrences.
const (
	RepeatOnce        RecurrenceKind = "once"         // once, at Recurrence.At
	RepeatDaily       RecurrenceKind = "daily"        // every day at Time
	RepeatWeekly      RecurrenceKind = "weekly"       // on Weekdays at Time
	RepeatMonthly     RecurrenceKind = "monthly"      // on day Day (the month's last day when shorter) at Time
	RepeatBusinessDay RecurrenceKind = "business_day" // on the Day-th business day of the month at Time
)

// Recurrence is when a schedule's occurrences fall, in the office's zone.
type Recurrence struct {
	Kind     RecurrenceKind `msgpack:"kind" json:"kind"`
	At       time.Time      `msgpack:"at,omitempty" json:"at,omitzero"`              // once
	Time     string         `msgpack:"time,omitempty" json:"time,omitempty"`         // HH:MM, for the others
	Weekdays []string       `msgpack:"weekdays,omitempty" json:"weekdays,omitempty"` // weekly: keys of Weekdays
	Day      int            `msgpack:"day,omitempty" json:"day,omitempty"`           // monthly: 1..31; business_day: 1..20
}

// Relative competences of a scheduled document request, resolved at each occurrence.
const (
	CompetencePreviousMonth = "previous_month" // "todo dia 5, o holerite do mês anterior"
	CompetenceCurrentMonth  = "current_month"
	CompetencePreviousYear  = "previous_year"
	CompetenceNone          = "" // documents that need no period
)

// ScheduleRequest is the document a scheduled message asks for on the client's behalf: the
// conversation starts a job for it exactly as when the client asks.
type ScheduleRequest struct {
	Intent     string `msgpack:"intent" json:"intent"`
	Competence string `msgpack:"competence,omitempty" json:"competence"` // one of the relative competences
}

// Resolve returns the competence ("YYYY-MM", "YYYY" or "") of a relative one at t.
func (r ScheduleRequest) Resolve(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	first := time.Date(t.Year(), t.Month(), 1, 12, 0, 0, 0, loc)
	switch r.Competence {
	case CompetencePreviousMonth:
		return first.AddDate(0, -1, 0).Format("2006-01")
	case CompetenceCurrentMonth:
		return first.Format("2006-01")
	case CompetencePreviousYear:
		return fmt.Sprint(t.Year() - 1)
	}
	return ""
}

// Schedule is a scheduled message: a text (and optionally a document request) sent to a target
// at each occurrence of its recurrence.
type Schedule struct {
	ID         string           `msgpack:"id" json:"id"`
	Name       string           `msgpack:"name" json:"name"`
	Text       string           `msgpack:"text" json:"text"`
	Target     Target           `msgpack:"target" json:"target"`
	Recurrence Recurrence       `msgpack:"recurrence" json:"recurrence"`
	Request    *ScheduleRequest `msgpack:"request,omitempty" json:"request"`
	// Next is the next occurrence not yet started; zero when there is none (a one-off already
	// started, or disabled).
	Next      time.Time `msgpack:"next,omitempty" json:"next,omitzero"`
	Enabled   bool      `msgpack:"enabled" json:"enabled"`
	Broadcast bool      `msgpack:"broadcast,omitempty" json:"broadcast"` // made by "send now to a list"
	CreatedBy string    `msgpack:"created_by" json:"createdBy"`
	CreatedAt time.Time `msgpack:"created_at" json:"createdAt"`
}

// ScheduleVariables are the variables a scheduled text may hold: the recipient's first name,
// their company, and the competence of the document request ("10/2026"), when there is one.
var ScheduleVariables = []string{VarCliente, VarEmpresa, VarCompetencia}

// Validate checks a schedule's own fields (not whether its target exists), adding a Portuguese
// message per wrong one.
func (s *Schedule) Validate(fields map[string]string) {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 100 {
		fields["name"] = "Informe o nome do agendamento (até 100 caracteres)."
	}
	if strings.TrimSpace(s.Text) == "" || len(s.Text) > 4096 || !utf8.ValidString(s.Text) {
		fields["text"] = "Escreva a mensagem (até 4096 caracteres)."
	} else if bad := UnknownVariable(s.Text, ScheduleVariables); bad != "" {
		fields["text"] = "Variável desconhecida: " + bad + ". Use {cliente}, {empresa} ou {competencia}."
	}
	switch s.Target.Kind {
	case TargetContact, TargetCompany, TargetList:
		if s.Target.ID == "" {
			fields["target.id"] = "Escolha o destinatário."
		}
	default:
		fields["target.kind"] = "Destino inválido: escolha um contato, uma empresa ou uma lista de transmissão."
	}
	r := &s.Recurrence
	switch r.Kind {
	case RepeatOnce:
		if r.At.IsZero() {
			fields["recurrence.at"] = "Informe a data e a hora do envio."
		}
	case RepeatDaily, RepeatWeekly, RepeatMonthly, RepeatBusinessDay:
		if clock(r.Time) < 0 {
			fields["recurrence.time"] = "Horário inválido (use HH:MM, de 00:00 a 23:59)."
		}
	default:
		fields["recurrence.kind"] = "Recorrência inválida: escolha uma vez, todo dia, toda semana, todo mês num dia ou num dia útil."
	}
	switch r.Kind {
	case RepeatWeekly:
		if len(r.Weekdays) == 0 {
			fields["recurrence.weekdays"] = "Escolha ao menos um dia da semana."
		}
		for _, w := range r.Weekdays {
			if !validWeekday(w) {
				fields["recurrence.weekdays"] = "Dia da semana desconhecido."
			}
		}
	case RepeatMonthly:
		if r.Day < 1 || r.Day > 31 {
			fields["recurrence.day"] = "Escolha um dia do mês entre 1 e 31."
		}
	case RepeatBusinessDay:
		if r.Day < 1 || r.Day > MaxBusinessDay {
			fields["recurrence.day"] = fmt.Sprintf("Escolha um dia útil entre 1 e %d.", MaxBusinessDay)
		}
	}
	if q := s.Request; q != nil {
		switch q.Competence {
		case CompetencePreviousMonth, CompetenceCurrentMonth, CompetencePreviousYear, CompetenceNone:
		default:
			fields["request.competence"] = "Competência inválida: escolha mês anterior, mês atual, ano anterior ou sem competência."
		}
	}
}

// MaxScheduleYears is how many years ahead a one-off may be scheduled. Storage keys hold an
// occurrence as 64-bit nanoseconds since 1970, which wrap after 2262-04-11 (a date in 2600
// read back as 2015, due at once); no office plans a message that far, and five years is
// already more than any of them needs.
const MaxScheduleYears = 5

// MaxBusinessDay is the highest n of "the n-th business day": every month has at least 20.
const MaxBusinessDay = 20

// BusinessDay reports whether a date is a business day for the office: a weekday on which it
// is not closed (its own days off, and national holidays unless it ignores them).
func (s Settings) BusinessDay(day time.Time) bool {
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !s.Closed(day)
}

// Next returns the first occurrence strictly after t, or the zero time when there is none (a
// one-off at or before t). Business days are the office's (Settings.BusinessDay).
func (r Recurrence) Next(t time.Time, loc *time.Location, s Settings) time.Time {
	if r.Kind == RepeatOnce {
		if r.At.After(t) {
			return r.At
		}
		return time.Time{}
	}
	m := clock(r.Time)
	if m < 0 {
		return time.Time{}
	}
	// Days are counted on dates at noon: a day's midnight may not exist (where daylight saving
	// starts at 00:00, as in Brazil until 2019, Go makes it 23:00 of the day before), and
	// counting from it skipped that day.
	y, mo, d := t.In(loc).Date()
	switch r.Kind {
	case RepeatDaily, RepeatWeekly:
		for n := 0; n <= 8; n++ {
			day := noon(y, mo, d+n, loc)
			if r.Kind == RepeatWeekly && !containsString(r.Weekdays, Weekdays[day.Weekday()]) {
				continue
			}
			if o := wallClock(day, m, loc); o.After(t) {
				return o
			}
		}
	case RepeatMonthly, RepeatBusinessDay:
		for n := 0; n <= 24; n++ {
			month := noon(y, mo+time.Month(n), 1, loc)
			var day time.Time
			if r.Kind == RepeatMonthly {
				last := noon(month.Year(), month.Month()+1, 0, loc).Day()
				day = noon(month.Year(), month.Month(), min(r.Day, last), loc)
			} else {
				day = NthBusinessDay(month, r.Day, s)
			}
			if o := wallClock(day, m, loc); o.After(t) {
				return o
			}
		}
	}
	return time.Time{}
}

// noon is a date at 12:00 in loc: a time that exists on every day, whatever daylight saving
// does, so that adding days to it and reading its date back is plain calendar arithmetic.
// Days and months out of range are normalized as by time.Date.
func noon(year int, month time.Month, day int, loc *time.Location) time.Time {
	return time.Date(year, month, day, 12, 0, 0, 0, loc)
}

// wallClock is the given minute of the day of date (a noon) in loc. A time that the start of
// daylight saving skips is taken as the same time after the jump (00:30 → 01:30), not as the
// evening before, which is where time.Date puts it.
func wallClock(date time.Time, minute int, loc *time.Location) time.Time {
	o := time.Date(date.Year(), date.Month(), date.Day(), minute/60, minute%60, 0, 0, loc)
	if o.Day() != date.Day() {
		_, skipped := o.Zone()
		_, after := date.Zone()
		o = o.Add(time.Duration(after-skipped) * time.Second)
	}
	return o
}

// NthBusinessDay returns the n-th business day of month (any time within it), at noon, or the
// month's last business day when it has fewer.
func NthBusinessDay(month time.Time, n int, s Settings) time.Time {
	y, m, _ := month.Date()
	var last time.Time
	for count, d := 0, 1; ; d++ {
		day := noon(y, m, d, month.Location())
		if day.Month() != m {
			return last
		}
		if s.BusinessDay(day) {
			count++
			last = day
			if count == n {
				return day
			}
		}
	}
}

// Tax guides with reminders, by intent.
var ReminderGuides = []string{"das", "fgts", "inss"}

// ValidateReminders checks the reminder settings, adding a Portuguese message per wrong field.
func ValidateReminders(r Reminders, fields map[string]string) {
	for i, g := range r.Guides {
		if !containsString(ReminderGuides, g) {
			fields[fmt.Sprintf("reminders.guides.%d", i)] = "Guia desconhecida: escolha DAS, FGTS ou INSS."
		}
	}
	if len(r.Guides) > 0 && (r.DaysBefore < 1 || r.DaysBefore > 15) {
		fields["reminders.daysBefore"] = "Escolha de 1 a 15 dias de antecedência."
	}
}

// GuideDueDay is the day of the month DAS, FGTS and INSS/DCTFWeb are due.
const GuideDueDay = 20

// GuideDueDate is the due date, at noon, of a guide (one of ReminderGuides) due in a month: the
// 20th, or, when banks are closed that day (a weekend or a national holiday; the tax calendar
// ignores the office's own days off), the next business day for the DAS of the Simples
// Nacional (Resolução CGSN 140/2018, art. 40, § 3º: "poderá ser pago até o primeiro dia útil
// subsequente") and the previous one for FGTS (FGTS Digital) and INSS (DCTFWeb).
func GuideDueDate(guide string, year int, month time.Month, loc *time.Location) time.Time {
	step := -1
	if guide == "das" {
		step = 1
	}
	day := noon(year, month, GuideDueDay, loc)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday || IsNationalHoliday(day) {
		day = noon(day.Year(), day.Month(), day.Day()+step, loc)
	}
	return day
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ScheduleRun is one occurrence of a schedule (or of a reminder) being sent: its recipients,
// fixed when it starts, and how far the send went. Next is the index of the first recipient
// not yet handled; a restart resumes from there (a recipient handled but not yet counted is
// found in its ScheduledSend record and not sent again).
type ScheduleRun struct {
	Schedule string           `msgpack:"schedule" json:"schedule"`
	Name     string           `msgpack:"name" json:"name"`
	At       time.Time        `msgpack:"at" json:"at"` // the occurrence
	Text     string           `msgpack:"text" json:"-"`
	Author   string           `msgpack:"author" json:"-"`
	Request  *ScheduleRequest `msgpack:"request,omitempty" json:"request"` // competence already resolved
	// Recipients are stored apart, one key each (storage.RunRecipientKey), so that recording
	// progress after each send rewrites a small record, not the whole list.
	Recipients []Recipient `msgpack:"-" json:"-"`
	Next       int         `msgpack:"next" json:"-"`
	Total      int         `msgpack:"total" json:"total"`
	Sent       int         `msgpack:"sent" json:"sent"`
	Failed     int         `msgpack:"failed" json:"failed"`
	LastSend   time.Time   `msgpack:"last_send,omitempty" json:"lastSend,omitzero"`
	Done       bool        `msgpack:"done" json:"done"`
	Canceled   bool        `msgpack:"canceled,omitempty" json:"canceled"`
	StartedAt  time.Time   `msgpack:"started_at" json:"startedAt"`
	FinishedAt time.Time   `msgpack:"finished_at,omitempty" json:"finishedAt,omitzero"`
}

// ForManagers implements ForManagers: the progress of sends is for the screens of administrators
// and managers.
func (ScheduleRun) ForManagers() {}

// Recipient is one phone of a run, with the company a document request is for ("" lets the
// conversation pick the contact's first company).
type Recipient struct {
	Phone   string `msgpack:"phone"`
	Company string `msgpack:"company,omitempty"`
}

// ScheduledSend records that a run's message went into a recipient's conversation; it is
// written in the same batch as the message, so it exists exactly when the message does.
type ScheduledSend struct {
	Phone string    `msgpack:"phone" json:"phone"`
	Seq   uint64    `msgpack:"seq" json:"seq"`           // the message
	Job   string    `msgpack:"job,omitempty" json:"job"` // the document request started, if any
	At    time.Time `msgpack:"at" json:"at"`
}

// EventScheduleProgress is emitted when a run sends to one more recipient, starts or ends
// (data: ScheduleRun, without its recipients).
const EventScheduleProgress = "schedule.progress"
