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

// TestReportLines: the report printed after a run gives each latency's p50/p90/p99/p99.9/max,
// the errors by kind, and what the fault injector sent with how it was answered, the answers
// that were not the expected ones named.
func TestReportLines(t *testing.T) {
	p := Percentiles{Count: 2500, P50: 0.97, P90: 2.5, P99: 121.34, P999: 130, Max: 140.5}
	if got, want := p.String(), "p50 0.97 p90 2.50 p99 121.34 p99.9 130.00 max 140.50 ms (2500 samples)"; got != want {
		t.Errorf("Percentiles.String() = %q, want %q", got, want)
	}
	ok := StepResult{Acked: 10}
	if got := ok.errorsText(); got != "none" {
		t.Errorf("errorsText() with no failure = %q, want none", got)
	}
	bad := StepResult{Failed: 3, Errors: map[string]int64{"overloaded": 2, "ack_timeout": 1}}
	if got, want := bad.errorsText(), "3 (ack_timeout 1, overloaded 2)"; got != want {
		t.Errorf("errorsText() = %q, want %q", got, want)
	}
	f := &FaultResult{Requests: 5, Rejected: map[string]int64{"400 malformed_json": 3, "413 body_too_large": 2}, Unexpected: map[string]int64{},
		Kicked: 2, Reconnects: 2}
	if got, want := f.String(), "5 bad requests, 5 rejected (400 malformed_json 3, 413 body_too_large 2), every one with its expected status and error code; 2 staff sockets closed, 2 reconnected, 0 could not reconnect"; got != want {
		t.Errorf("FaultResult.String() = %q, want %q", got, want)
	}
	f.Rejected = map[string]int64{"400 malformed_json": 3}
	f.Unexpected = map[string]int64{"body_too_large → 200 ": 2}
	if got, want := f.String(), "5 bad requests, 3 rejected (400 malformed_json 3); UNEXPECTED answers: body_too_large → 200  2"; !strings.HasPrefix(got, want) {
		t.Errorf("FaultResult.String() = %q, want it to start %q", got, want)
	}
}
