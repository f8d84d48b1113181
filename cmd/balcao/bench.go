package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"syscall"

	"github.com/balcao/balcao/bench"
)

// runBench runs the load harness: `balcao bench [flags]`. See BENCHMARKS.md.
func runBench(args []string, stdout io.Writer) error {
	cfg, err := benchConfig(args, stdout)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, cfg)
	if errors.Is(err, bench.ErrDataDirInUse) { // refused before anything started
		return usageError{fmt.Errorf("--data %s: %w", cfg.DataDir, bench.ErrDataDirInUse)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.Summary)
	return nil
}

// benchConfig reads bench's flags. A value out of its flag's range is refused (a usageError)
// before anything starts: bench.Config takes a zero or negative value for the default, which
// would run something else than what the command line says.
func benchConfig(args []string, stdout io.Writer) (bench.Config, error) {
	d := bench.Defaults()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var (
		cfg   = d
		mix   = fs.String("mix", d.Mix.String(), "what the phones write, in percent adding up to 100: greetings:N,documents:N,person:N")
		quiet = fs.Bool("quiet", false, "print only the summary line")
	)
	fs.StringVar(&cfg.DataDir, "data", "", "directory of the engine's Pebble (a fresh temp dir, removed afterwards, when empty)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temp data directory")
	fs.IntVar(&cfg.Offices, "offices", d.Offices, "offices")
	fs.IntVar(&cfg.Phones, "phones", d.Phones, "client phones per office")
	fs.Float64Var(&cfg.Rate, "rate", d.Rate, "offered inbound messages per second (open loop)")
	fs.DurationVar(&cfg.Duration, "duration", d.Duration, "length of the measured run")
	fs.DurationVar(&cfg.Warmup, "warmup", 0, "load at the run's rate before the measured run, not measured (without --ramp, whose steps warm up)")
	fs.IntVar(&cfg.Staff, "staff", d.Staff, "staff websockets per office (0: none)")
	fs.IntVar(&cfg.MaxInFlight, "max-in-flight", d.MaxInFlight, "messages waiting for their acknowledgement at most (beyond them the schedule slips)")
	fs.BoolVar(&cfg.Release, "release", d.Release, "play the staff: take and finish conversations that went pending, so that they get replies again")
	fs.BoolVar(&cfg.NoAgent, "no-agent", false, "no execution agent: document requests wait for one instead of being served at once (one PDF) and sent")
	fs.BoolVar(&cfg.Faults, "faults", false, "add 1% bad requests through HTTP /sim/inbound (malformed, oversized) and disconnecting websockets")
	fs.Float64Var(&cfg.FaultRate, "fault-rate", d.FaultRate, "bad requests as a share of --rate, with --faults")
	fs.BoolVar(&cfg.Ramp, "ramp", false, "find the highest rate holding --ramp-p99 (doubling, then bisecting; while doubling, a rate fails when two steps in a row at it fail), then run --duration at half of it")
	fs.Float64Var(&cfg.RampStart, "ramp-start", d.RampStart, "first ramp rate")
	fs.DurationVar(&cfg.RampStep, "ramp-step", d.RampStep, "length of one ramp step")
	fs.DurationVar(&cfg.RampP99, "ramp-p99", d.RampP99, "reply p99 a ramp step must hold")
	fs.IntVar(&cfg.RampBisect, "ramp-bisect", d.RampBisect, "bisection steps after the first failing rate")
	fs.Float64Var(&cfg.RampMaxRate, "ramp-max", d.RampMaxRate, "highest rate the ramp tries")
	fs.DurationVar(&cfg.PebbleDuration, "pebble-duration", d.PebbleDuration, "length of the raw Pebble limit measurement (negative: skip)")
	fs.IntVar(&cfg.PebbleWriters, "pebble-writers", d.PebbleWriters, "concurrent writers of the raw Pebble limit")
	fs.IntVar(&cfg.Conversations, "conversations", 0, "storage-scale mode: seed N conversations, restart, activate --active-share of them")
	fs.Float64Var(&cfg.ActiveShare, "active-share", d.ActiveShare, "share of --conversations active in the last hour, as one in round(1/share): 0.1 is one in 10, 0.3 one in 3")
	fs.DurationVar(&cfg.IdleAfter, "idle-after", d.IdleAfter, "idle time before a conversation actor passivates")
	fs.StringVar(&cfg.ResultsDir, "out", d.ResultsDir, `directory of the JSON result and SVG plot ("-": write nothing)`)
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured run (with --conversations: of the restart) to this file")
	fs.StringVar(&cfg.Trace, "trace", "", "write a runtime trace of the measured run (with --conversations: of the restart) to this file (go tool trace)")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile at the end of the measured run to this file")
	fs.StringVar(&cfg.Label, "label", "", "free text stored in the JSON result")
	if err := parseFlags(fs, args, stdout); err != nil {
		return cfg, err
	}
	m, err := bench.ParseMix(*mix)
	if err != nil {
		return cfg, usageError{fmt.Errorf("--mix %s: %w", *mix, err)}
	}
	cfg.Mix = m
	if err := checkBenchFlags(fs, cfg); err != nil {
		return cfg, usageError{err}
	}
	if !*quiet {
		cfg.Progress = stdout
	}
	return cfg, nil
}

// checkBenchFlags refuses a value out of its flag's range, naming the flag, the value and the
// range.
func checkBenchFlags(fs *flag.FlagSet, cfg bench.Config) error {
	const (
		rate     = "1 or more messages per second"
		positive = "a positive duration"
		share    = "a share above 0 and at most 1 (0.01 is 1%)"
	)
	for _, c := range []struct {
		flag string
		ok   bool
		want string
	}{
		{"offices", cfg.Offices >= 1, "1 or more"},
		{"phones", cfg.Phones >= 1, "1 or more per office"},
		// Rates below 1 msg/s were raised to 1; NaN and infinities fail the comparisons.
		{"rate", cfg.Rate >= 1 && cfg.Rate <= math.MaxFloat64, rate},
		{"duration", cfg.Duration > 0, positive},
		{"warmup", cfg.Warmup >= 0, "0 (none) or " + positive},
		{"staff", cfg.Staff >= 0, "0 (no staff sockets) or more per office"},
		{"max-in-flight", cfg.MaxInFlight >= 1, "1 or more"},
		{"fault-rate", cfg.FaultRate > 0 && cfg.FaultRate <= 1, share},
		{"ramp-start", cfg.RampStart >= 1 && cfg.RampStart <= math.MaxFloat64, rate},
		{"ramp-step", cfg.RampStep > 0, positive},
		{"ramp-p99", cfg.RampP99 > 0, positive},
		{"ramp-bisect", cfg.RampBisect >= 0, "0 or more"},
		{"ramp-max", cfg.RampMaxRate >= cfg.RampStart && cfg.RampMaxRate <= math.MaxFloat64,
			fmt.Sprintf("--ramp-start (%g) or more messages per second", cfg.RampStart)},
		{"pebble-duration", cfg.PebbleDuration != 0, positive + ", or a negative one to skip the measurement"},
		{"pebble-writers", cfg.PebbleWriters >= 1, "1 or more"},
		{"conversations", cfg.Conversations >= 0 && cfg.Conversations <= bench.MaxClients,
			fmt.Sprintf("0 (no storage-scale run) to %d", bench.MaxClients)},
		{"active-share", cfg.ActiveShare > 0 && cfg.ActiveShare <= 1, share},
		{"idle-after", cfg.IdleAfter > 0, positive},
	} {
		if !c.ok {
			return fmt.Errorf("--%s %s: want %s", c.flag, fs.Lookup(c.flag).Value, c.want)
		}
	}
	// Without --conversations every phone of every office is a client, with its own number.
	if cfg.Conversations == 0 && cfg.Phones > bench.MaxClients/cfg.Offices {
		return fmt.Errorf("--offices %d × --phones %d: want at most %d phones in all", cfg.Offices, cfg.Phones, bench.MaxClients)
	}
	return nil
}
