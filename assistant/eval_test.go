package assistant

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// evalFile evaluates a corpus file at the reference date (2026-11-25).
func evalFile(t *testing.T, name string) Report {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Eval(f, ref)
	if err != nil {
		t.Fatalf("Eval(%s): %v", name, err)
	}
	return rep
}

func checkAccuracy(t *testing.T, name string, minLines int, bar float64) {
	rep := evalFile(t, name)
	var b strings.Builder
	rep.Print(&b)
	t.Logf("%s:\n%s", name, b.String())
	if rep.Total < minLines {
		t.Errorf("%s has %d lines, want at least %d", name, rep.Total, minLines)
	}
	if rep.IntentAccuracy() < bar || rep.CompetenceAccuracy() < bar {
		t.Errorf("%s: intent %.3f, competence %.3f, want both >= %.2f", name, rep.IntentAccuracy(), rep.CompetenceAccuracy(), bar)
	}
}

// The bar: the held-out set was written before tuning and is never tuned on.
func TestHoldoutAccuracy(t *testing.T) { checkAccuracy(t, "testdata/holdout.tsv", 200, 0.95) }

// The blind sets were written by a reviewer who had not read the lexicon
// (blind.tsv) or written before measuring (blind2.tsv), each measured once
// and frozen; see the README for their first, honest figures. Both were then
// used to find general misses, so these bars guard against regressions and
// are no longer blind.
func TestBlindAccuracy(t *testing.T) {
	checkAccuracy(t, "testdata/blind.tsv", 400, 0.95)
	checkAccuracy(t, "testdata/blind2.tsv", 250, 0.95)
}

func TestCorpusAccuracy(t *testing.T) { checkAccuracy(t, "testdata/corpus.tsv", 800, 0.98) }

func TestCorpusCoversEveryIntent(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	count := map[Intent]int{}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 3 && !strings.HasPrefix(line, "#") {
			count[Intent(f[1])]++
		}
	}
	for i := range intents {
		if count[i] < 15 {
			t.Errorf("corpus has %d lines for %s, want at least 15", count[i], i)
		}
	}
}

func TestEvalMalformed(t *testing.T) {
	tests := []struct {
		name  string
		input string
		line  string
	}{
		{"two fields", "# c\noi\tsaudacao\t-\noi\tsaudacao\n", "line 3"},
		{"unknown intent", "oi\tola\t-\n", "line 1"},
		{"bad competence", "\nholerite\tholerite\t10/2026\n", "line 2"},
		{"empty competence", "holerite\tholerite\t\n", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Eval(strings.NewReader(tt.input), ref)
			if !errors.Is(err, ErrMalformedLine) || !strings.Contains(err.Error(), tt.line) {
				t.Errorf("Eval(%q) error = %v, want ErrMalformedLine naming %s", tt.input, err, tt.line)
			}
		})
	}
}

func TestReportPrint(t *testing.T) {
	in := "# comment\n\noi\tsaudacao\t-\nholerite de outubro\tdas\t2026-10\nfgts de dezembro\tfgts\t2025-11\n"
	rep, err := Eval(strings.NewReader(in), ref)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.Print(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("Print = %q, want two mistakes and the accuracy line", b.String())
	}
	if !strings.HasPrefix(lines[0], "line 4: ") || !strings.HasPrefix(lines[1], "line 5: ") {
		t.Errorf("mistake lines = %q", lines[:2])
	}
	if want := "accuracy: intent 2/3 (66.7%), competence 2/3 (66.7%)"; lines[2] != want {
		t.Errorf("last line = %q, want %q", lines[2], want)
	}
}
