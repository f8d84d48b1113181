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
	// Hours per weekday key (Weekdays); nil means DefaultHours.
	Hours map[string][]Interval `msgpack:"hours,omitempty" json:"hours"`
	// DaysOff are the office's own closed dates, YYYY-MM-DD.
	DaysOff []string `msgpack:"days_off,omitempty" json:"daysOff"`
	// IgnoreHolidays keeps the office open on national holidays.
	IgnoreHolidays bool `msgpack:"ignore_holidays,omitempty" json:"ignoreHolidays"`
	// IdentifyStaff shows the client the staff member's name before each of their messages
	// ("*Ana Ribeiro:* …").
	IdentifyStaff bool `msgpack:"identify_staff,omitempty" json:"identifyStaff"`
	// Survey asks the client for a 1–5 score after a service by a person; answers count for 24 h.
	Survey bool `msgpack:"survey,omitempty" json:"survey"`
}

// DefaultSettings are the preferences of a new office.
func DefaultSettings() Settings {
	return Settings{Rules: map[string]DocRule{}, Hours: DefaultHours(), DaysOff: []string{}}
}

// Rule returns the rule for a document intent.
func (s Settings) Rule(intent string) DocRule {
	if r, ok := s.Rules[intent]; ok {
		return r
	}
	return RuleAuto
}
