package balcao

import (
	"slices"
	"testing"
	"time"
)

var sp = func() *time.Location {
	l, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("BRT", -3*3600)
	}
	return l
}()

func TestNationalHolidays(t *testing.T) {
	if got := Easter(2026).Format(time.DateOnly); got != "2026-04-05" {
		t.Fatalf("Easter(2026) = %s, want 2026-04-05", got)
	}
	cases := []struct {
		day  string
		want bool
	}{
		{"2026-01-01", true}, {"2026-02-16", true}, {"2026-02-17", true}, {"2026-04-03", true},
		{"2026-04-21", true}, {"2026-06-04", true}, {"2026-11-20", true}, {"2026-12-25", true},
		{"2026-11-25", false}, {"2026-04-06", false}, {"2026-02-18", false},
	}
	for _, tc := range cases {
		d, _ := time.ParseInLocation(time.DateOnly, tc.day, sp)
		if got := IsNationalHoliday(d); got != tc.want {
			t.Errorf("IsNationalHoliday(%s) = %v, want %v", tc.day, got, tc.want)
		}
	}
	// Every day of a century against the holidays' definition: the fixed dates, and the
	// movable ones as calendar dates Easter ± days (leap years, Good Friday on Tiradentes).
	movable := func(day time.Time) bool {
		e := Easter(day.Year())
		for _, offset := range []int{-48, -47, -2, 60} {
			if h := e.AddDate(0, 0, offset); h.Month() == day.Month() && h.Day() == day.Day() {
				return true
			}
		}
		return false
	}
	fixed := []string{"01-01", "04-21", "05-01", "09-07", "10-12", "11-02", "11-15", "11-20", "12-25"}
	count := 0
	for d := time.Date(2000, 1, 1, 0, 0, 0, 0, sp); d.Year() < 2100; d = d.AddDate(0, 0, 1) {
		want := slices.Contains(fixed, d.Format("01-02")) || movable(d)
		if got := IsNationalHoliday(d); got != want {
			t.Fatalf("IsNationalHoliday(%s) = %v, want %v", d.Format(time.DateOnly), got, want)
		}
		if want {
			count++
		}
	}
	if count < 100*12 || count > 100*13 {
		t.Fatalf("%d holidays in a century: the reference is wrong", count)
	}
}

func TestOpenAtAndNextOpen(t *testing.T) {
	s := DefaultSettings()
	s.DaysOff = []string{"2026-11-27"} // the office's own day off, a Friday
	s.Hours["sat"] = []Interval{{"08:00", "12:00"}}
	at := func(v string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", v, sp)
		if err != nil {
			panic(err)
		}
		return t
	}
	cases := []struct {
		name, at string
		open     bool
		next     string
	}{
		{"wednesday morning", "2026-11-25 09:30", true, "hoje às 13:00"},
		{"lunch break", "2026-11-25 12:30", false, "hoje às 13:00"},
		{"wednesday night", "2026-11-25 21:00", false, "amanhã às 08:00"},
		{"before the day off", "2026-11-26 19:00", false, "sábado às 08:00"},
		{"day off", "2026-11-27 10:00", false, "amanhã às 08:00"},
		{"saturday afternoon", "2026-11-28 13:00", false, "segunda-feira às 08:00"},
		{"sunday", "2026-11-29 10:00", false, "amanhã às 08:00"},
		{"christmas eve night", "2026-12-24 19:00", false, "sábado às 08:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tm := at(tc.at)
			if got := s.OpenAt(tm, sp); got != tc.open {
				t.Errorf("OpenAt(%s) = %v, want %v", tc.at, got, tc.open)
			}
			if got := s.NextOpen(tm, sp); got != tc.next {
				t.Errorf("NextOpen(%s) = %q, want %q", tc.at, got, tc.next)
			}
		})
	}
	// A holiday counts as closed, unless the office ignores holidays.
	xmas := at("2026-12-25 10:00")
	if s.OpenAt(xmas, sp) {
		t.Error("open on Christmas")
	}
	s.IgnoreHolidays = true
	if !s.OpenAt(xmas, sp) {
		t.Error("closed on Christmas although the office ignores holidays")
	}
}

func TestValidateHours(t *testing.T) {
	fields := map[string]string{}
	ValidateHours(map[string][]Interval{
		"mon": {{"25:00", "12:00"}},
		"tue": {{"13:00", "12:00"}},
		"wed": {{"08:00", "12:00"}, {"11:00", "18:00"}},
		"xyz": {{"08:00", "12:00"}},
		"thu": {{"08:00", "12:00"}, {"13:00", "18:00"}},
	}, []string{"2026-02-30"}, fields)
	for _, k := range []string{"hours.mon.0.from", "hours.tue.0", "hours.wed.1", "hours.xyz", "daysOff.0"} {
		if fields[k] == "" {
			t.Errorf("no error for %s in %v", k, fields)
		}
	}
	if len(fields) != 5 {
		t.Errorf("errors = %v, want exactly 5 (thu is valid)", fields)
	}
}
