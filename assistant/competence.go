package assistant

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // America/Sao_Paulo even on machines without zoneinfo
)

// saoPaulo is the office time zone relative dates are computed in.
var saoPaulo = loadSaoPaulo()

func loadSaoPaulo() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("-03", -3*60*60)
	}
	return loc
}

// Location is America/Sao_Paulo, the zone relative dates are computed in.
func Location() *time.Location { return saoPaulo }

// months maps normalized month names and abbreviations to 1..12.
var months = map[string]int{}

// monthNames are the full names, for fuzzy matching and for messages.
var monthNames = [13]string{"", "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
	"agosto", "setembro", "outubro", "novembro", "dezembro"}

// relative is a relative date phrase: months or years from now.
type relative struct {
	toks  []string
	year  bool // offset counts years (else months)
	delta int
}

var relIndex = map[string][]relative{}

// periodWords introduce a bare month number: "mês 10", "competência 9".
var periodWords = map[string]bool{}

func init() {
	abbr := []string{"", "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"}
	for m := 1; m <= 12; m++ {
		months[normalizeWords(monthNames[m])[0]] = m
		months[abbr[m]] = m
	}
	rel := func(year bool, delta int, phrases ...string) {
		for _, p := range phrases {
			toks := normalizeWords(p)
			relIndex[toks[0]] = append(relIndex[toks[0]], relative{toks, year, delta})
		}
	}
	for _, unit := range []struct {
		year bool
		word string
	}{{false, "mês"}, {true, "ano"}} {
		w := unit.word
		rel(unit.year, -1, w+" passado", w+" anterior", "último "+w, w+" que passou")
		rel(unit.year, -2, w+" retrasado", "penúltimo "+w)
		rel(unit.year, 0, "este "+w, "esse "+w, "deste "+w, "desse "+w, "neste "+w, "nesse "+w,
			w+" atual", w+" corrente")
		rel(unit.year, 1, w+" que vem", "próximo "+w)
	}
	rel(true, -1, "exercício passado", "exercício anterior", "último exercício")
	rel(true, 0, "exercício atual", "este exercício", "esse exercício", "exercício corrente")
	for _, w := range []string{"mês", "competência", "comp", "ref", "referência"} {
		periodWords[normalizeWords(w)[0]] = true
	}
}

// when collects the dates a message mentions; the first of each kind wins.
type when struct {
	month     int // a month named or numbered, 1..12
	monthYear int // its year when said with it ("outubro de 2025"), else 0
	passado   bool
	absYear   int // a year-month computed from a relative phrase
	absMonth  int
	year      int // a year said on its own ("2025", "ano passado")
}

// scanDates reads the dates in toks; now must be in São Paulo time.
func scanDates(toks []token, now time.Time) when {
	var w when
	for i := 0; i < len(toks); i++ {
		t := toks[i].s
		if n, unit, ok := ago(toks, i); ok {
			if unit == "ano" {
				if w.year == 0 {
					w.year = now.Year() - n
				}
			} else if w.month == 0 && w.absMonth == 0 {
				d := time.Date(now.Year(), now.Month()-time.Month(n), 1, 12, 0, 0, 0, time.UTC)
				w.absYear, w.absMonth = d.Year(), int(d.Month())
			}
			i++
			continue
		}
		if rs, ok := relIndex[t]; ok {
			if r, ok := matchRelative(toks, i, rs); ok {
				if r.year {
					if w.year == 0 {
						w.year = now.Year() + r.delta
					}
				} else if w.month == 0 && w.absMonth == 0 {
					d := time.Date(now.Year(), now.Month()+time.Month(r.delta), 1, 12, 0, 0, 0, time.UTC)
					w.absYear, w.absMonth = d.Year(), int(d.Month())
				}
				i += len(r.toks) - 1
				continue
			}
		}
		if m, ok := months[t]; ok {
			if w.month != 0 || w.absMonth != 0 {
				continue
			}
			w.month = m
			j := i + 1
			if j < len(toks) && (toks[j].s == "de" || toks[j].s == "do") {
				j++
			}
			if j < len(toks) {
				if y, ok := yearOf(toks[j].s); ok {
					w.monthYear = y
					i = j
				} else if toks[j].s == "pasado" {
					w.passado = true
				}
			}
			continue
		}
		if periodWords[t] && i+1 < len(toks) {
			if n, ok := smallNumber(toks[i+1].s); ok && n >= 1 && n <= 12 && w.month == 0 && w.absMonth == 0 {
				w.month = n
				i++
				continue
			}
		}
		if isDigit(t[0]) || strings.IndexByte(t, '/') >= 0 {
			if y, m, ok := numericDate(t); ok {
				if m == 0 {
					if w.year == 0 {
						w.year = y
					}
				} else if w.month == 0 && w.absMonth == 0 {
					w.month, w.monthYear = m, y
				}
			}
		}
	}
	return w
}

// fuzzyMonths finds a month name typed with one typo ("otubro"), for when
// scanDates found none. Short names (março, abril) are left out: too close
// to common words.
func fuzzyMonth(toks []token, covered []bool) int {
	for i, t := range toks {
		if covered[i] || len(t.s) < 6 || !isLetter(t.s[0]) {
			continue
		}
		for m := 1; m <= 12; m++ {
			name := monthNames[m]
			if len(name) < 6 || name[0] != t.s[0] || t.s == name+"s" {
				continue
			}
			if nearWord(t.s, name) {
				return m
			}
		}
	}
	return 0
}

// counts are the number words clients write before "meses atrás".
var counts = map[string]int{"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
	"seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12}

// agoBefore introduce a count of months or years back: "há 2 meses", "faz
// dois meses", "a 3 meses" (a common misspelling of "há").
var agoBefore = map[string]bool{"ha": true, "faz": true, "a": true, "fazem": true}

// ago reads "N meses atrás", "há N meses", "N anos atrás" at toks[i] (the
// count); unit is "mes" or "ano".
func ago(toks []token, i int) (n int, unit string, ok bool) {
	if i+1 >= len(toks) {
		return 0, "", false
	}
	n, ok = counts[toks[i].s]
	if !ok {
		if v, isNum := smallNumber(toks[i].s); isNum && len(toks[i].s) <= 2 && v >= 1 && v <= 36 {
			n, ok = v, true
		}
	}
	if !ok {
		return 0, "", false
	}
	switch toks[i+1].s {
	case "mes", "meses":
		unit = "mes"
	case "ano", "anos":
		unit = "ano"
	default:
		return 0, "", false
	}
	if (i+2 < len(toks) && toks[i+2].s == "atras") || (i > 0 && agoBefore[toks[i-1].s]) {
		return n, unit, true
	}
	return 0, "", false
}

func matchRelative(toks []token, i int, rs []relative) (relative, bool) {
next:
	for _, r := range rs {
		if i+len(r.toks) > len(toks) {
			continue
		}
		for k := 1; k < len(r.toks); k++ {
			if toks[i+k].s != r.toks[k] {
				continue next
			}
		}
		return r, true
	}
	return relative{}, false
}

// smallNumber parses a word of one to four digits.
func smallNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// yearOf parses a four-digit year between 2000 and 2099.
func yearOf(s string) (int, bool) {
	n, ok := smallNumber(s)
	return n, ok && len(s) == 4 && n >= 2000 && n <= 2099
}

// numericDate parses "2025", "10/2026", "10/26", "2026-10", "25/10",
// "25/10/2026", "out/26". m is 0 for a year alone; y is 0 when the year is
// to be inferred.
func numericDate(t string) (y, m int, ok bool) {
	var parts [3]string
	n := 0
	for n < 3 {
		k := strings.IndexAny(t, "/-.")
		if k < 0 {
			parts[n] = t
			n++
			break
		}
		parts[n] = t[:k]
		t = t[k+1:]
		n++
		if n == 3 && t != "" {
			return 0, 0, false
		}
	}
	year2 := func(s string) (int, bool) {
		if y, ok := yearOf(s); ok {
			return y, true
		}
		if v, ok := smallNumber(s); ok && len(s) == 2 {
			return 2000 + v, true
		}
		return 0, false
	}
	switch n {
	case 1:
		if y, ok := yearOf(parts[0]); ok {
			return y, 0, true
		}
	case 2:
		a, b := parts[0], parts[1]
		if mw, ok := months[a]; ok {
			if y, ok := year2(b); ok {
				return y, mw, true
			}
			return 0, 0, false
		}
		av, aok := smallNumber(a)
		bv, bok := smallNumber(b)
		if !aok || !bok {
			return 0, 0, false
		}
		switch {
		case len(a) == 4 && bv >= 1 && bv <= 12: // 2026-10
			if y, ok := yearOf(a); ok {
				return y, bv, true
			}
		case len(b) == 4 && av >= 1 && av <= 12: // 10/2026
			if y, ok := yearOf(b); ok {
				return y, av, true
			}
		case len(b) == 2 && bv > 12 && av >= 1 && av <= 12: // 10/26
			return 2000 + bv, av, true
		case len(b) <= 2 && bv >= 1 && bv <= 12 && av >= 1 && av <= 31: // 25/10: day/month
			return 0, bv, true
		}
	case 3:
		d, dok := smallNumber(parts[0])
		mv, mok := smallNumber(parts[1])
		y, yok := year2(parts[2])
		if dok && mok && yok && d >= 1 && d <= 31 && mv >= 1 && mv <= 12 {
			return y, mv, true
		}
	}
	return 0, 0, false
}

// resolve turns what was said into a year and month (0 when not said),
// inferring a missing year: a month named without one is the most recent
// that is not in the future.
func (w when) resolve(now time.Time) (y, m int) {
	switch {
	case w.absMonth != 0:
		return w.absYear, w.absMonth
	case w.month != 0:
		y = w.monthYear
		if y == 0 {
			y = w.year
		}
		if y == 0 {
			y = now.Year()
			if w.month > int(now.Month()) || (w.passado && w.month >= int(now.Month())) {
				y--
			}
		}
		return y, w.month
	case w.year != 0:
		return w.year, 0
	}
	return 0, 0
}

// competence formats y and m for intent i: YYYY-MM for monthly documents
// (empty when only a year was said), YYYY for yearly ones, nothing for
// documents with no period; other intents keep what was said.
func competence(i Intent, y, m int) string {
	if y == 0 {
		return ""
	}
	period := i.Period()
	if i.IsDocument() && period == "" {
		return ""
	}
	if period == "year" || m == 0 {
		if period == "month" {
			return ""
		}
		return strconv.Itoa(y)
	}
	if y >= 1000 && y <= 9999 && m >= 1 && m <= 12 {
		// What the format below writes, without its allocations (this is on every request).
		b := [7]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
			byte('0' + m/10), byte('0' + m%10)}
		return string(b[:])
	}
	return fmt.Sprintf("%04d-%02d", y, m)
}

// validCompetence reports whether c is "", "YYYY" or "YYYY-MM".
func validCompetence(c string) bool {
	switch len(c) {
	case 0:
		return true
	case 4:
		_, ok := smallNumber(c)
		return ok
	case 7:
		_, ok := smallNumber(c[:4])
		mm, ok2 := smallNumber(c[5:])
		return ok && ok2 && c[4] == '-' && mm >= 1 && mm <= 12
	}
	return false
}

// formatCompetence is how a client reads a competence: "10/2026" or "2025".
func formatCompetence(c string) string {
	if len(c) == 7 {
		return c[5:] + "/" + c[:4]
	}
	return c
}
