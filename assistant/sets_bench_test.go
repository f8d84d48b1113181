package assistant

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// testUtterances reads the utterances of a TSV corpus.
func testUtterances(tb testing.TB, name string) []string {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if text, _, ok := strings.Cut(line, "\t"); ok {
			out = append(out, text)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkParseSets times Parse on every utterance of the test sets, one
// message per iteration after a warm-up pass, and reports the median and
// p99 per message (bench/nlpjs/run.sh puts them beside NLP.js).
func BenchmarkParseSets(b *testing.B) {
	for _, set := range []string{"holdout", "blind", "blind2"} {
		utts := testUtterances(b, "testdata/"+set+".tsv")
		b.Run("set="+set, func(b *testing.B) {
			for _, u := range utts {
				Parse(u, ref)
			}
			benchParse(b, utts)
		})
	}
}
