package assistant

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// Mistake is one corpus line Parse got wrong.
type Mistake struct {
	Line           int
	Text           string
	WantIntent     Intent
	GotIntent      Intent
	WantCompetence string
	GotCompetence  string
}

// Report is the outcome of Eval.
type Report struct {
	Total        int // lines evaluated
	IntentOK     int
	CompetenceOK int
	Mistakes     []Mistake
}

// Eval parses every line of a corpus read from r, written as
// "utterance<TAB>intent<TAB>competence" (competence "-" when none; blank
// lines and lines starting with # are skipped), with now as the reference
// date, and reports the mistakes. A malformed line is an error wrapping
// ErrMalformedLine that names the line number.
func Eval(r io.Reader, now time.Time) (Report, error) {
	var rep Report
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return rep, fmt.Errorf("line %d: want 3 tab-separated fields, got %d: %w", n, len(f), ErrMalformedLine)
		}
		want := Intent(strings.TrimSpace(f[1]))
		if !want.Known() {
			return rep, fmt.Errorf("line %d: unknown intent %q: %w", n, want, ErrMalformedLine)
		}
		wantComp := strings.TrimSpace(f[2])
		if wantComp == "-" {
			wantComp = ""
		}
		if wantComp == "" && strings.TrimSpace(f[2]) != "-" || !validCompetence(wantComp) {
			return rep, fmt.Errorf("line %d: competence %q is not -, YYYY or YYYY-MM: %w", n, f[2], ErrMalformedLine)
		}
		got := Parse(f[0], now)
		rep.Total++
		okIntent := got.Intent == want
		okComp := got.Competence == wantComp
		if okIntent {
			rep.IntentOK++
		}
		if okComp {
			rep.CompetenceOK++
		}
		if !okIntent || !okComp {
			rep.Mistakes = append(rep.Mistakes, Mistake{
				Line: n, Text: f[0],
				WantIntent: want, GotIntent: got.Intent,
				WantCompetence: wantComp, GotCompetence: got.Competence,
			})
		}
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("read corpus: %w", err)
	}
	return rep, nil
}

// IntentAccuracy is the share of lines whose intent was right, 0..1.
func (r Report) IntentAccuracy() float64 { return ratio(r.IntentOK, r.Total) }

// CompetenceAccuracy is the share of lines whose competence was right, 0..1.
func (r Report) CompetenceAccuracy() float64 { return ratio(r.CompetenceOK, r.Total) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Print writes one line per mistake, then the line
// "accuracy: intent X/Y (P%), competence X/Y (P%)".
func (r Report) Print(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, m := range r.Mistakes {
		fmt.Fprintf(bw, "line %d: %q: intent %s", m.Line, m.Text, m.GotIntent)
		if m.GotIntent != m.WantIntent {
			fmt.Fprintf(bw, " (want %s)", m.WantIntent)
		}
		fmt.Fprintf(bw, ", competence %q", m.GotCompetence)
		if m.GotCompetence != m.WantCompetence {
			fmt.Fprintf(bw, " (want %q)", m.WantCompetence)
		}
		bw.WriteByte('\n')
	}
	fmt.Fprintf(bw, "accuracy: intent %d/%d (%.1f%%), competence %d/%d (%.1f%%)\n",
		r.IntentOK, r.Total, 100*r.IntentAccuracy(), r.CompetenceOK, r.Total, 100*r.CompetenceAccuracy())
	return bw.Flush()
}
