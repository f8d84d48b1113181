package balcao

import (
	"regexp"
	"testing"
)

// apiCodes are the English values the API takes for choices the web client makes with lists;
// a staff member who reads a field's message must not be told to type them.
var apiCodes = regexp.MustCompile(`\b(sun|mon|tue|wed|thu|fri|sat|contact|company|list|once|daily|weekly|monthly|business_day|previous_month|current_month|previous_year|fgts|inss)\b`)

// TestFieldMessagesNameNoCodes: a wrong choice in a schedule, the office's hours or its
// reminders is told in Portuguese, without the API's English codes.
func TestFieldMessagesNameNoCodes(t *testing.T) {
	fields := map[string]string{}
	bad := Schedule{Name: "Lembrete", Text: "Olá", Target: Target{Kind: "grupo", ID: "x"},
		Recurrence: Recurrence{Kind: "hourly"}, Request: &ScheduleRequest{Intent: "holerite", Competence: "last_month"}}
	bad.Validate(fields)
	weekly := Schedule{Name: "Semanal", Text: "Olá", Target: Target{Kind: TargetList, ID: "x"},
		Recurrence: Recurrence{Kind: RepeatWeekly, Time: "09:00", Weekdays: []string{"segunda"}}}
	weekly.Validate(fields)
	ValidateHours(map[string][]Interval{"monday": nil}, nil, fields)
	ValidateReminders(Reminders{Guides: []string{"irpf"}, DaysBefore: 3}, fields)
	for _, f := range []string{"target.kind", "recurrence.kind", "request.competence", "recurrence.weekdays", "hours.monday", "reminders.guides.0"} {
		msg, ok := fields[f]
		if !ok {
			t.Errorf("no message for %s; got %v", f, fields)
			continue
		}
		if code := apiCodes.FindString(msg); code != "" {
			t.Errorf("%s: %q names the API code %q", f, msg, code)
		}
	}
}
