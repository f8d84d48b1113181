package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao/bench"
)

// TestBenchFlagsOutOfRange: bench.Config takes a zero or negative value for its default, so a
// flag out of its range ran the default (--rate -5 at 500 msg/s, --duration -1s for 20 s);
// each must be refused with the flag, the value and the range, as a usageError (exit 2).
func TestBenchFlagsOutOfRange(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--offices", "0"}, "--offices 0: want 1 or more"},
		{[]string{"--offices", "-3"}, "--offices -3: want 1 or more"},
		{[]string{"--phones", "0"}, "--phones 0: want 1 or more per office"},
		{[]string{"--offices", "100", "--phones", "400001"}, "--offices 100 × --phones 400001: want at most 40000000 phones in all"},
		{[]string{"--rate", "-5"}, "--rate -5: want 1 or more messages per second"},
		{[]string{"--rate", "0"}, "--rate 0: want 1 or more messages per second"},
		{[]string{"--rate", "0.5"}, "--rate 0.5: want 1 or more messages per second"},
		{[]string{"--rate", "NaN"}, "--rate NaN: want 1 or more"},
		{[]string{"--rate", "+Inf"}, "--rate +Inf: want 1 or more"},
		{[]string{"--duration", "-1s"}, "--duration -1s: want a positive duration"},
		{[]string{"--duration", "0"}, "--duration 0s: want a positive duration"},
		{[]string{"--warmup", "-2s"}, "--warmup -2s: want 0 (none) or a positive duration"},
		{[]string{"--staff", "-1"}, "--staff -1: want 0 (no staff sockets) or more per office"},
		{[]string{"--max-in-flight", "0"}, "--max-in-flight 0: want 1 or more"},
		{[]string{"--fault-rate", "0"}, "--fault-rate 0: want a share above 0 and at most 1"},
		{[]string{"--fault-rate", "1.5"}, "--fault-rate 1.5: want a share above 0 and at most 1"},
		{[]string{"--ramp-start", "-100"}, "--ramp-start -100: want 1 or more messages per second"},
		{[]string{"--ramp-step", "0s"}, "--ramp-step 0s: want a positive duration"},
		{[]string{"--ramp-p99", "-5ms"}, "--ramp-p99 -5ms: want a positive duration"},
		{[]string{"--ramp-bisect", "-1"}, "--ramp-bisect -1: want 0 or more"},
		{[]string{"--ramp-max", "0"}, "--ramp-max 0: want --ramp-start (500) or more messages per second"},
		{[]string{"--ramp-start", "1000", "--ramp-max", "800"}, "--ramp-max 800: want --ramp-start (1000) or more"},
		{[]string{"--pebble-duration", "0"}, "--pebble-duration 0s: want a positive duration, or a negative one to skip the measurement"},
		{[]string{"--pebble-writers", "0"}, "--pebble-writers 0: want 1 or more"},
		{[]string{"--conversations", "-10"}, "--conversations -10: want 0 (no storage-scale run) to 40000000"},
		{[]string{"--conversations", "40000001"}, "--conversations 40000001: want 0 (no storage-scale run) to 40000000"},
		{[]string{"--active-share", "0"}, "--active-share 0: want a share above 0 and at most 1"},
		{[]string{"--active-share", "2"}, "--active-share 2: want a share above 0 and at most 1"},
		{[]string{"--idle-after", "-1m"}, "--idle-after -1m0s: want a positive duration"},
		{[]string{"--mix", "greetings:50,documents:20"}, "--mix greetings:50,documents:20: the percentages add up to 70: want 100"},
		{[]string{"--mix", "greetings:70,documents:20,person:20"}, "the percentages add up to 110: want 100"},
		{[]string{"--mix", "greetings:100,smalltalk:0"}, `unknown kind "smalltalk": want greetings, documents or person`},
		{[]string{"--mix", "greetings:50,greetings:50"}, "greetings given twice"},
		{[]string{"--mix", "greetings:-10,documents:110"}, "greetings:-10: want a percentage from 0 to 100"},
		{[]string{"--mix", "greetings"}, `"greetings": want kind:percent`},
		{[]string{"--rate", "x"}, `invalid value "x" for flag -rate`},
		{[]string{"--rate", "50", "stray"}, `unexpected arguments ["stray"]`},
	}
	for _, c := range cases {
		_, err := benchConfig(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("benchConfig(%q) = %v, want an error saying %q", c.args, err, c.want)
			continue
		}
		if !errors.As(err, new(usageError)) {
			t.Errorf("benchConfig(%q) = %v, not a usageError (exit 1, not 2)", c.args, err)
		}
	}
}

// TestBenchFlagsInRange: the defaults, the documented negative --pebble-duration (skip the raw
// Pebble measurement) and the ends of each range are taken as given.
func TestBenchFlagsInRange(t *testing.T) {
	cfg, err := benchConfig(nil, io.Discard)
	if err != nil {
		t.Fatalf("benchConfig with no flags: %v", err)
	}
	want := bench.Defaults()
	want.Progress = io.Discard
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("benchConfig with no flags = %+v, want bench.Defaults() %+v", cfg, want)
	}
	for _, args := range [][]string{
		{"--pebble-duration=-1s", "--rate", "50", "--duration", "1s"},
		{"--rate", "1", "--staff", "0", "--warmup", "0", "--ramp-bisect", "0", "--fault-rate", "1", "--active-share", "1"},
		{"--offices", "1", "--phones", "1", "--max-in-flight", "1", "--pebble-writers", "1", "--ramp-start", "1", "--ramp-max", "1"},
		{"--offices", "400", "--phones", "100000"}, // 40 000 000 phones
		{"--offices", "400", "--phones", "100001", "--conversations", "40000000"},
		{"--mix", "documents:100"},
		{"--mix", "greetings:0, documents:40,person:60"},
	} {
		if _, err := benchConfig(args, io.Discard); err != nil {
			t.Errorf("benchConfig(%q) = %v, want it taken", args, err)
		}
	}
	cfg, err = benchConfig([]string{"--pebble-duration=-1s", "--quiet"}, io.Discard)
	if err != nil || cfg.PebbleDuration != -time.Second || cfg.Progress != nil {
		t.Errorf("benchConfig(--pebble-duration=-1s --quiet) = %+v, %v", cfg, err)
	}
}

// TestBenchRefusesOutOfRangeFlag runs the binary: a value out of range exits 2 with the error
// on stderr, before any work (the data dir is not even created), as does bad flag syntax. The
// flags would make a short run if the check were lost.
func TestBenchRefusesOutOfRangeFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	for _, c := range []struct {
		bad, want string
	}{
		{"--max-in-flight=0", "balcao bench: --max-in-flight 0: want 1 or more\n"},
		{"--rate=x", `invalid value "x" for flag -rate`},
	} {
		data := filepath.Join(t.TempDir(), "data")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, bin, "bench", "--data", data, "--rate", "50", "--duration", "1s",
			"--pebble-duration=-1s", "--staff", "0", "--out", "-", c.bad)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("bench %s = %v, stderr:\n%s\nwant exit 2 and %q", c.bad, err, stderr.String(), c.want)
		}
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) || strings.Contains(stdout.String(), "bench: data in") {
			t.Errorf("bench %s started (data dir: %v), stdout:\n%s", c.bad, err, stdout.String())
		}
	}
}

// TestBenchPrintsSummaryLast runs `balcao bench` small: progress lines, then the summary
// line as the last line of stdout, the JSON result and the SVG plot in --out.
func TestBenchPrintsSummaryLast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := runBinary(t, bin, "bench", "--offices", "2", "--phones", "10", "--rate", "50", "--duration", "1s",
		"--staff", "1", "--pebble-duration", "200ms", "--pebble-writers", "4", "--out", out)
	if code != 0 {
		t.Fatalf("bench = exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	summary := regexp.MustCompile(`^bench: inbound [0-9]+ msg/s, reply p50 [0-9.]+ ms p99 [0-9.]+ ms, staff p99 [0-9.]+ ms, pebble limit [0-9]+ commits/s, ratio [0-9.]+$`)
	if last := lines[len(lines)-1]; !summary.MatchString(last) {
		t.Errorf("last line %q, want the summary line; stdout:\n%s", last, stdout)
	}
	if !strings.Contains(stdout, "p99 so far: accepted ") || !strings.Contains(stdout, "bench: run: reply ") {
		t.Errorf("no progress or report lines; stdout:\n%s", stdout)
	}
	for _, ext := range []string{"json", "svg"} {
		if m, _ := filepath.Glob(filepath.Join(out, "bench-*."+ext)); len(m) != 1 {
			t.Errorf("%s files in --out: %q, want one", ext, m)
		}
	}
}
