package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/balcao/balcao/bench"
)

// runBench runs the load harness: `balcao bench [flags]`. See BENCHMARKS.md.
func runBench(args []string, stdout io.Writer) error {
	d := bench.Defaults()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var (
		cfg   = d
		mix   = fs.String("mix", d.Mix.String(), "what the phones write: greetings:N,documents:N,person:N")
		quiet = fs.Bool("quiet", false, "print only the summary line")
	)
	fs.StringVar(&cfg.DataDir, "data", "", "directory of the engine's Pebble (a fresh temp dir, removed afterwards, when empty)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temp data directory")
	fs.IntVar(&cfg.Offices, "offices", d.Offices, "offices")
	fs.IntVar(&cfg.Phones, "phones", d.Phones, "client phones per office")
	fs.Float64Var(&cfg.Rate, "rate", d.Rate, "offered inbound messages per second (open loop)")
	fs.DurationVar(&cfg.Duration, "duration", d.Duration, "length of the measured run")
	fs.DurationVar(&cfg.Warmup, "warmup", 0, "load at the run's rate before the measured run, not measured (without --ramp, whose steps warm up)")
	fs.IntVar(&cfg.Staff, "staff", d.Staff, "staff websockets per office")
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
	fs.Float64Var(&cfg.ActiveShare, "active-share", d.ActiveShare, "share of --conversations active in the last hour")
	fs.DurationVar(&cfg.IdleAfter, "idle-after", d.IdleAfter, "idle time before a conversation actor passivates")
	fs.StringVar(&cfg.ResultsDir, "out", d.ResultsDir, `directory of the JSON result and SVG plot ("-": write nothing)`)
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured run (with --conversations: of the restart) to this file")
	fs.StringVar(&cfg.Trace, "trace", "", "write a runtime trace of the measured run (with --conversations: of the restart) to this file (go tool trace)")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile at the end of the measured run to this file")
	fs.StringVar(&cfg.Label, "label", "", "free text stored in the JSON result")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	m, err := bench.ParseMix(*mix)
	if err != nil {
		return err
	}
	cfg.Mix = m
	if !*quiet {
		cfg.Progress = stdout
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.Summary)
	return nil
}
