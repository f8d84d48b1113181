package balcao

// DocRule says how the assistant serves one kind of document.
type DocRule string

// Document rules.
const (
	RuleAuto         DocRule = "auto"          // send as soon as it is produced (the default)
	RuleConfirm      DocRule = "confirm"       // hold in the request centre until the office confirms
	RulePeriodClosed DocRule = "period_closed" // only once the competence is over
	RuleStaff        DocRule = "staff"         // the assistant does not serve it: a person does
)

// Settings are an office's preferences.
type Settings struct {
	// Rules per document intent; an intent not listed is RuleAuto.
	Rules map[string]DocRule `msgpack:"rules" json:"rules"`
	// Hours per weekday key (Weekdays); nil means DefaultHours, a day left out is closed. Stored
	// even when empty (closed every day): a record without it reads as DefaultHours.
	Hours map[string][]Interval `msgpack:"hours" json:"hours"`
	// DaysOff are the office's own closed dates, YYYY-MM-DD.
	DaysOff []string `msgpack:"days_off,omitempty" json:"daysOff"`
	// IgnoreHolidays keeps the office open on national holidays.
	IgnoreHolidays bool `msgpack:"ignore_holidays,omitempty" json:"ignoreHolidays"`
	// IdentifyStaff shows the client the staff member's name before each of their messages
	// ("*Ana Ribeiro:* …").
	IdentifyStaff bool `msgpack:"identify_staff,omitempty" json:"identifyStaff"`
	// Survey asks the client for a 1–5 score after a service by a person; answers count for 24 h.
	Survey bool `msgpack:"survey,omitempty" json:"survey"`
	// Departments are the office's sectors (DefaultDepartments when nil).
	Departments []Department `msgpack:"departments,omitempty" json:"departments"`
	// Distribution lets a client who asks for a person pick the department from a numbered list.
	Distribution bool `msgpack:"distribution,omitempty" json:"distribution"`
	// Portfolio is the carteira: who answers for which company in which department.
	Portfolio []PortfolioEntry `msgpack:"portfolio,omitempty" json:"portfolio"`
	// Restrict shows an attendant only the conversations they served, plus the pending ones of
	// their departments and companies (message restriction).
	Restrict bool `msgpack:"restrict,omitempty" json:"restrict"`
	// Messages override the default texts the client reads, by MessageKeys; a missing or empty
	// entry keeps the default.
	Messages map[string]string `msgpack:"messages,omitempty" json:"messages"`
	// Reminders send tax guides to the companies' contacts before their due dates.
	Reminders Reminders `msgpack:"reminders,omitempty" json:"reminders"`
}

// Department is a sector of the office that clients may be routed to.
type Department struct {
	ID   string `msgpack:"id" json:"id"` // lower-case slug, stable: conversations and the carteira refer to it
	Name string `msgpack:"name" json:"name"`
}

// DefaultDepartments are the sectors of a new office.
func DefaultDepartments() []Department {
	return []Department{
		{ID: "pessoal", Name: "Pessoal"},
		{ID: "fiscal", Name: "Fiscal"},
		{ID: "contabil", Name: "Contábil"},
		{ID: "financeiro", Name: "Financeiro"},
	}
}

// PortfolioEntry says that a staff member answers for a company in a department.
type PortfolioEntry struct {
	Company    string `msgpack:"company" json:"company"`
	Department string `msgpack:"department" json:"department"`
	Staff      string `msgpack:"staff" json:"staff"`
}

// Keys of the default messages an office may edit (Settings.Messages). Their texts may use
// the variables {cliente}, {empresa}, {atendente} and {competencia}.
const (
	MessageGreeting         = "greeting"          // first contact
	MessageMenuHeader       = "menu_header"       // the line above the numbered menu
	MessageOutOfHours       = "out_of_hours"      // a person was asked for while the office is closed
	MessageHandover         = "handover"          // the conversation goes to a person
	MessageNotLinked        = "not_linked"        // a phone that is no company's contact writes
	MessageAssistantOff     = "assistant_off"     // a client whose companies have the assistant off writes
	MessageJobPending       = "job_pending"       // after "Seu pedido (…) precisa de uma ação do escritório."
	MessagePortalLink       = "portal_link"       // the line above the portal access link the client asked for
	MessageProcessingFailed = "processing_failed" // the assistant failed on a message: it goes to the staff
	MessageFinished         = "finished"          // a staff member finished the service
	MessageSurvey           = "survey"            // the satisfaction question
	MessageSurveyThanks     = "survey_thanks"     // the client answered it
)

// MessageKeys lists the editable messages, in the order the Preferências page shows them.
var MessageKeys = []string{MessageGreeting, MessageMenuHeader, MessageOutOfHours, MessageHandover, MessageNotLinked, MessageAssistantOff,
	MessageJobPending, MessagePortalLink, MessageProcessingFailed, MessageFinished, MessageSurvey, MessageSurveyThanks}

// Reminders are the tax-guide reminders: each guide enabled is sent DaysBefore days before its
// due date (moved to the previous business day) to the company's contacts, unless already sent.
type Reminders struct {
	Guides     []string `msgpack:"guides,omitempty" json:"guides"` // intents: das, fgts, inss
	DaysBefore int      `msgpack:"days_before,omitempty" json:"daysBefore"`
}

// DefaultSettings are the preferences of a new office.
func DefaultSettings() Settings { return Settings{}.WithDefaults() }

// WithDefaults returns s with the defaults in the fields it leaves out (nil, or no reminder
// days): what a stored record means, whose empty fields were not stored.
func (s Settings) WithDefaults() Settings {
	if s.Rules == nil {
		s.Rules = map[string]DocRule{}
	}
	if s.Hours == nil {
		s.Hours = DefaultHours()
	}
	if s.DaysOff == nil {
		s.DaysOff = []string{}
	}
	if s.Departments == nil {
		s.Departments = DefaultDepartments()
	}
	if s.Portfolio == nil {
		s.Portfolio = []PortfolioEntry{}
	}
	if s.Messages == nil {
		s.Messages = map[string]string{}
	}
	if s.Reminders.Guides == nil {
		s.Reminders.Guides = []string{}
	}
	if s.Reminders.DaysBefore == 0 {
		s.Reminders.DaysBefore = 3
	}
	return s
}

// Department returns the department with an id.
func (s Settings) Department(id string) (Department, bool) {
	for _, d := range s.Departments {
		if d.ID == id {
			return d, true
		}
	}
	return Department{}, false
}

// Rule returns the rule for a document intent.
func (s Settings) Rule(intent string) DocRule {
	if r, ok := s.Rules[intent]; ok {
		return r
	}
	return RuleAuto
}
