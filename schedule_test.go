package balcao_test

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the daylight-saving cases need São Paulo's real history, not the fallback

	"github.com/balcao/balcao"
)

var sp = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("BRT", -3*3600)
	}
	return loc
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, sp)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRecurrenceNext(t *testing.T) {
	office := balcao.DefaultSettings()
	office.DaysOff = []string{"2026-06-03"}
	cases := []struct {
		name  string
		r     balcao.Recurrence
		after string
		want  string // "" for none
	}{
		{"once in the future", balcao.Recurrence{Kind: balcao.RepeatOnce, At: at("2026-05-10 08:00")}, "2026-05-01 00:00", "2026-05-10 08:00"},
		{"once already past", balcao.Recurrence{Kind: balcao.RepeatOnce, At: at("2026-05-10 08:00")}, "2026-05-10 08:00", ""},
		{"daily later today", balcao.Recurrence{Kind: balcao.RepeatDaily, Time: "09:30"}, "2026-05-10 08:00", "2026-05-10 09:30"},
		{"daily at the same minute is tomorrow", balcao.Recurrence{Kind: balcao.RepeatDaily, Time: "09:30"}, "2026-05-10 09:30", "2026-05-11 09:30"},
		{"weekly next monday", balcao.Recurrence{Kind: balcao.RepeatWeekly, Time: "08:00", Weekdays: []string{"mon", "thu"}}, "2026-05-08 10:00", "2026-05-11 08:00"},
		{"weekly thursday", balcao.Recurrence{Kind: balcao.RepeatWeekly, Time: "08:00", Weekdays: []string{"mon", "thu"}}, "2026-05-12 10:00", "2026-05-14 08:00"},
		{"monthly day 5", balcao.Recurrence{Kind: balcao.RepeatMonthly, Time: "08:00", Day: 5}, "2026-05-05 08:01", "2026-06-05 08:00"},
		{"monthly day 31 in february", balcao.Recurrence{Kind: balcao.RepeatMonthly, Time: "08:00", Day: 31}, "2026-02-01 00:00", "2026-02-28 08:00"},
		// April 2026: Good Friday is the 3rd; the 1st and 2nd are business days, then the 6th.
		{"3rd business day across Good Friday", balcao.Recurrence{Kind: balcao.RepeatBusinessDay, Time: "10:00", Day: 3}, "2026-04-01 00:00", "2026-04-06 10:00"},
		// May 2026: the 1st (Friday) is Labour Day: the 5th business day is Friday the 8th.
		{"5th business day after Labour Day", balcao.Recurrence{Kind: balcao.RepeatBusinessDay, Time: "10:00", Day: 5}, "2026-04-30 00:00", "2026-05-08 10:00"},
		// June 2026: the 1st and 2nd, the office's day off on the 3rd, Corpus Christi on the 4th.
		{"3rd business day across a day off and Corpus Christi", balcao.Recurrence{Kind: balcao.RepeatBusinessDay, Time: "10:00", Day: 3}, "2026-05-31 00:00", "2026-06-05 10:00"},
		{"business day already past this month", balcao.Recurrence{Kind: balcao.RepeatBusinessDay, Time: "10:00", Day: 1}, "2026-06-01 10:00", "2026-07-01 10:00"},
		// São Paulo's daylight saving started on 2018-11-04 at 00:00 (to 01:00): that day had no
		// midnight, and counting days from midnights skipped it.
		{"daily on the day daylight saving starts", balcao.Recurrence{Kind: balcao.RepeatDaily, Time: "12:00"}, "2018-11-03 12:00", "2018-11-04 12:00"},
		{"weekly on the sunday daylight saving starts", balcao.Recurrence{Kind: balcao.RepeatWeekly, Time: "12:00", Weekdays: []string{"sun"}}, "2018-11-01 12:00", "2018-11-04 12:00"},
		{"monthly on the day daylight saving starts", balcao.Recurrence{Kind: balcao.RepeatMonthly, Time: "10:00", Day: 4}, "2018-10-05 10:00", "2018-11-04 10:00"},
		{"daily at a time daylight saving skips", balcao.Recurrence{Kind: balcao.RepeatDaily, Time: "00:30"}, "2018-11-03 12:00", "2018-11-04 01:30"},
		// November 2018: the 2nd (Finados) is a holiday, then the weekend of the jump.
		{"business day after daylight saving starts", balcao.Recurrence{Kind: balcao.RepeatBusinessDay, Time: "10:00", Day: 2}, "2018-11-01 12:00", "2018-11-05 10:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.r.Next(at(c.after), sp, office)
			if c.want == "" {
				if !got.IsZero() {
					t.Fatalf("Next(%s) = %v, want none", c.after, got)
				}
				return
			}
			if !got.Equal(at(c.want)) {
				t.Fatalf("Next(%s) = %v, want %s", c.after, got.In(sp), c.want)
			}
		})
	}
}

func TestGuideDueDate(t *testing.T) {
	cases := []struct {
		name      string
		year      int
		month     time.Month
		das, fgts string // INSS (DCTFWeb) moves as FGTS does
	}{
		{"a Wednesday", 2026, time.May, "2026-05-20", "2026-05-20"},
		{"a Saturday", 2026, time.June, "2026-06-22", "2026-06-19"},
		{"a Sunday", 2026, time.September, "2026-09-21", "2026-09-18"},
		{"Consciência Negra, a Friday", 2026, time.November, "2026-11-23", "2026-11-19"},
		{"Tiradentes on the 21st", 2027, time.April, "2027-04-20", "2027-04-20"},
		// 2013-10-20, a Sunday, was the day São Paulo's daylight saving started, at midnight.
		{"a Sunday without a midnight", 2013, time.October, "2013-10-21", "2013-10-18"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for guide, want := range map[string]string{"das": c.das, "fgts": c.fgts, "inss": c.fgts} {
				if got := balcao.GuideDueDate(guide, c.year, c.month, sp).Format(time.DateOnly); got != want {
					t.Errorf("GuideDueDate(%q, %d, %v) = %s, want %s", guide, c.year, c.month, got, want)
				}
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	s := balcao.Schedule{
		Name: " ", Text: "", Target: balcao.Target{Kind: "group"},
		Recurrence: balcao.Recurrence{Kind: balcao.RepeatWeekly, Time: "25:00", Weekdays: []string{"funday"}},
		Request:    &balcao.ScheduleRequest{Intent: "holerite", Competence: "last_week"},
	}
	fields := map[string]string{}
	s.Validate(fields)
	for _, f := range []string{"name", "text", "target.kind", "recurrence.time", "recurrence.weekdays", "request.competence"} {
		if fields[f] == "" {
			t.Errorf("Validate: no message for %s (got %v)", f, fields)
		}
	}
	s = balcao.Schedule{
		Name: "Holerite", Text: "Olá, {cliente}! O holerite de {competencia} da {empresa} segue. {atendente}",
		Target: balcao.Target{Kind: balcao.TargetCompany, ID: "acme"}, Recurrence: balcao.Recurrence{Kind: balcao.RepeatDaily, Time: "09:00"},
	}
	fields = map[string]string{}
	s.Validate(fields)
	if !strings.Contains(fields["text"], "{atendente}") || len(fields) != 1 {
		t.Errorf("Validate with a variable schedules cannot fill = %v, want only text naming {atendente}", fields)
	}
	fields = map[string]string{}
	balcao.ValidateReminders(balcao.Reminders{Guides: []string{"das", "iptu"}, DaysBefore: 16}, fields)
	if fields["reminders.guides.1"] == "" || fields["reminders.daysBefore"] == "" || fields["reminders.guides.0"] != "" {
		t.Errorf("ValidateReminders = %v", fields)
	}
	if req := (balcao.ScheduleRequest{Intent: "holerite", Competence: balcao.CompetencePreviousMonth}); req.Resolve(at("2026-01-05 08:00"), sp) != "2025-12" {
		t.Errorf("previous month of January = %s", req.Resolve(at("2026-01-05 08:00"), sp))
	}
}
