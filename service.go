package balcao

import (
	"strings"
	"time"
)

// Outcome is how a service (atendimento) ended.
type Outcome string

// Service outcomes.
const (
	OutcomeAssistant Outcome = "assistente"     // served by the virtual assistant alone
	OutcomeStaff     Outcome = "atendente"      // a staff member answered the client
	OutcomeIgnored   Outcome = "desconsiderado" // finished with no answer to the client
)

// Service is one atendimento: from the client's first message until it is finished by the
// staff, or until the assistant alone served it and the conversation went quiet. It is written
// as it happens (inside the conversation record) and stored once it ends, so that dashboards
// and history never scan messages.
type Service struct {
	ID            string    `msgpack:"id" json:"id"` // {phone}-{n}
	Phone         string    `msgpack:"phone" json:"phone"`
	ContactName   string    `msgpack:"contact_name" json:"contactName"`
	Company       string    `msgpack:"company,omitempty" json:"company,omitempty"`
	CompanyName   string    `msgpack:"company_name,omitempty" json:"companyName,omitempty"`
	Department    string    `msgpack:"department,omitempty" json:"department,omitempty"`
	Start         time.Time `msgpack:"start" json:"start"`
	Queued        time.Time `msgpack:"queued,omitempty" json:"queued,omitzero"`                // became pending
	Taken         time.Time `msgpack:"taken,omitempty" json:"taken,omitzero"`                  // a staff member started it
	FirstResponse time.Time `msgpack:"first_response,omitempty" json:"firstResponse,omitzero"` // first staff message
	End           time.Time `msgpack:"end,omitempty" json:"end,omitzero"`
	Outcome       Outcome   `msgpack:"outcome,omitempty" json:"outcome,omitempty"`
	Staff         string    `msgpack:"staff,omitempty" json:"staff,omitempty"`
	StaffMessages int       `msgpack:"staff_messages" json:"staffMessages"`
	// ReplyMicros are the assistant's reply times in this service (message stored → reply
	// ready), the first 64.
	ReplyMicros []int64 `msgpack:"reply_us,omitempty" json:"-"`
	Rating      int     `msgpack:"rating,omitempty" json:"rating,omitempty"` // satisfaction 1–5, 0 when none
}

// FirstResponseTime is how long the client waited for a person: from becoming pending (or the
// start, when a staff member took it directly) to the first staff message. Zero when none.
func (s *Service) FirstResponseTime() time.Duration {
	if s.FirstResponse.IsZero() {
		return 0
	}
	from := s.Queued
	if from.IsZero() {
		from = s.Start
	}
	return s.FirstResponse.Sub(from)
}

// FirstYear and LastYear bound the days the history and the dashboards accept (the API answers
// 400 outside them): a service's key holds its start as nanoseconds since 1970 in an unsigned
// number, which holds 1970 to 2262 only, and no office has services outside these years.
const FirstYear, LastYear = 2000, 2100

// HistoryFilter selects services in the history (Histórico de Atendimentos).
type HistoryFilter struct {
	From, To time.Time // services that started in [From, To)
	Contact  string    // part of the phone or the contact's name
	Company  string    // company id
	Status   Outcome   // outcome, or empty for all
	Staff    string    // staff user
}

// Match reports whether a service passes the filter (dates aside).
func (f HistoryFilter) Match(s *Service) bool {
	switch {
	case f.Company != "" && s.Company != f.Company,
		f.Status != "" && s.Outcome != f.Status,
		f.Staff != "" && s.Staff != f.Staff:
		return false
	case f.Contact != "":
		return strings.Contains(s.Phone, f.Contact) || strings.Contains(strings.ToLower(s.ContactName), strings.ToLower(f.Contact))
	}
	return true
}
