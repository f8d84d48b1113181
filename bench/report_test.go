package bench

import (
	"regexp"
	"strings"
	"testing"
)

// summaryTemplate is the summary line as issue 7 gives it, character for character; N, X, Y,
// Z, L and R stand for numbers.
const summaryTemplate = "bench: inbound N msg/s, reply p50 X ms p99 Y ms, staff p99 Z ms, pebble limit L commits/s, ratio R"

// summaryRE matches a line of summaryTemplate's shape, each placeholder a decimal number.
var summaryRE = regexp.MustCompile("^" + strings.NewReplacer(
	"N", `[0-9]+`, "X", `[0-9]+\.[0-9]+`, "Y", `[0-9]+\.[0-9]+`, "Z", `[0-9]+\.[0-9]+`, "L", `[0-9]+`, "R", `[0-9]+\.[0-9]+`,
).Replace(regexp.QuoteMeta(summaryTemplate)) + "$")

// TestSummaryLine: the run's last line is the summary line exactly, and its ratio keeps
// two significant digits below 0.1: `make bench`'s 500 msg/s against ~100 000 commits/s printed
// "ratio 0.00".
func TestSummaryLine(t *testing.T) {
	for _, c := range []struct {
		inbound, limit float64
		want           string
	}{
		{500.4, 104541.2, "bench: inbound 500 msg/s, reply p50 0.97 ms p99 121.34 ms, staff p99 123.84 ms, pebble limit 104541 commits/s, ratio 0.0048"},
		{23976, 163081, "bench: inbound 23976 msg/s, reply p50 0.97 ms p99 121.34 ms, staff p99 123.84 ms, pebble limit 163081 commits/s, ratio 0.15"},
		{60000, 50000, "bench: inbound 60000 msg/s, reply p50 0.97 ms p99 121.34 ms, staff p99 123.84 ms, pebble limit 50000 commits/s, ratio 1.20"},
		{5000, 100000, "bench: inbound 5000 msg/s, reply p50 0.97 ms p99 121.34 ms, staff p99 123.84 ms, pebble limit 100000 commits/s, ratio 0.050"},
		{50, 0, "bench: inbound 50 msg/s, reply p50 0.97 ms p99 121.34 ms, staff p99 123.84 ms, pebble limit 0 commits/s, ratio 0.00"}, // limit skipped
	} {
		r := &Report{InboundRate: c.inbound, Run: &StepResult{Reply: Percentiles{P50: 0.971, P99: 121.339}, Staff: Percentiles{P99: 123.84}}}
		if c.limit > 0 {
			r.Pebble = &PebbleResult{CommitsPerSec: c.limit}
			r.Ratio = c.inbound / c.limit
		}
		got := r.summaryLine()
		if got != c.want {
			t.Errorf("summaryLine() = %q, want %q", got, c.want)
		}
		if !summaryRE.MatchString(got) {
			t.Errorf("summaryLine() = %q, not of the issue's shape %q", got, summaryTemplate)
		}
	}
}
