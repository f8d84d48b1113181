package balcao

import (
	"fmt"
	"sort"
	"time"
)

// Office hours, holidays and days off, in the office's zone (America/Sao_Paulo). The assistant
// serves documents at any hour; hours decide when a person answers.

// Interval is a span of opening within a day, "08:00" to "12:00".
type Interval struct {
	From string `msgpack:"from" json:"from"`
	To   string `msgpack:"to" json:"to"`
}

// Weekdays are the keys of Settings.Hours, Sunday first like time.Weekday.
var Weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// DefaultHours are a new office's hours: weekdays 08:00–12:00 and 13:00–18:00.
func DefaultHours() map[string][]Interval {
	day := []Interval{{"08:00", "12:00"}, {"13:00", "18:00"}}
	return map[string][]Interval{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}
}

// ValidateHours checks hours and days off, returning a Portuguese message per wrong field.
func ValidateHours(hours map[string][]Interval, daysOff []string, fields map[string]string) {
	for key, list := range hours {
		if !validWeekday(key) {
			fields["hours."+key] = "Dia da semana desconhecido."
			continue
		}
		prevEnd := -1
		for i, iv := range list {
			f, t := clock(iv.From), clock(iv.To)
			name := fmt.Sprintf("hours.%s.%d", key, i)
			switch {
			case f < 0:
				fields[name+".from"] = "Horário inválido (use HH:MM, de 00:00 a 23:59)."
			case t < 0:
				fields[name+".to"] = "Horário inválido (use HH:MM, de 00:00 a 23:59)."
			case f >= t:
				fields[name] = "O fim deve ser depois do início."
			case f < prevEnd:
				fields[name] = "Os períodos do dia devem estar em ordem e não se sobrepor."
			}
			prevEnd = t
		}
	}
	for i, d := range daysOff {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			fields[fmt.Sprintf("daysOff.%d", i)] = "Data inválida (use AAAA-MM-DD)."
		}
	}
}

func validWeekday(k string) bool {
	for _, w := range Weekdays {
		if w == k {
			return true
		}
	}
	return false
}

// clock reads "HH:MM" as minutes after midnight, or -1.
func clock(s string) int {
	if len(s) != 5 || s[2] != ':' {
		return -1
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9' || h > 23 || m > 59 {
		return -1
	}
	return h*60 + m
}

// Closed reports whether a date is a day off: the office's own, or a national holiday when the
// office observes them.
func (s Settings) Closed(day time.Time) bool {
	if len(s.DaysOff) > 0 {
		d := day.Format(time.DateOnly)
		for _, off := range s.DaysOff {
			if off == d {
				return true
			}
		}
	}
	return !s.IgnoreHolidays && IsNationalHoliday(day)
}

// defaultHours are DefaultHours for reading: OpenAt and NextOpen run on every turn of a
// conversation whose office keeps the default hours, and a map made anew for each was most of
// their cost.
var defaultHours = DefaultHours()

func (s Settings) hours() map[string][]Interval {
	if s.Hours == nil {
		return defaultHours
	}
	return s.Hours
}

// OpenAt reports whether the office is open at t (t is read in loc).
func (s Settings) OpenAt(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
	if s.Closed(t) {
		return false
	}
	now := t.Hour()*60 + t.Minute()
	for _, iv := range s.hours()[Weekdays[t.Weekday()]] {
		if now >= clock(iv.From) && now < clock(iv.To) {
			return true
		}
	}
	return false
}

// NextOpen says in Portuguese when the office opens next after t: "hoje às 13:00", "amanhã às
// 08:00", "segunda-feira às 08:00" or "em 02/01 às 08:00"; "" when it never opens.
func (s Settings) NextOpen(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for n := 0; n < 21; n++ {
		day := today.AddDate(0, 0, n)
		if s.Closed(day) {
			continue
		}
		var buf [8]int
		starts := buf[:0]
		for _, iv := range s.hours()[Weekdays[day.Weekday()]] {
			starts = append(starts, clock(iv.From))
		}
		sort.Ints(starts)
		for _, m := range starts {
			at := day.Add(time.Duration(m) * time.Minute)
			if !at.After(t) {
				continue
			}
			hhmm := at.Format("15:04")
			switch {
			case n == 0:
				return "hoje às " + hhmm
			case n == 1:
				return "amanhã às " + hhmm
			case n < 7:
				return weekdayNames[at.Weekday()] + " às " + hhmm
			default:
				return "em " + at.Format("02/01") + " às " + hhmm
			}
		}
	}
	return ""
}

var weekdayNames = []string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"}

// IsNationalHoliday reports whether a date is a Brazilian national holiday (or the Carnaval
// and Corpus Christi days offices close on).
func IsNationalHoliday(day time.Time) bool {
	_, month, date := day.Date()
	switch int(month)*100 + date {
	case 101, 421, 501, 907, 1012, 1102, 1115, 1120, 1225:
		return true
	}
	// Carnaval (Monday, Tuesday), Good Friday and Corpus Christi, counted from Easter in days
	// of the same year.
	switch day.YearDay() - Easter(day.Year()).YearDay() {
	case -48, -47, -2, 60:
		return true
	}
	return false
}

// Easter returns Easter Sunday of a year (anonymous Gregorian algorithm), at midnight UTC.
func Easter(year int) time.Time {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
