// Command balcao runs Balcão: `balcao serve` (the server), `balcao assistant` (try the
// assistant from the shell). One file per subcommand; no logic lives here.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/balcao/balcao/bench"
)

const usage = `usage: balcao <command> [flags]

commands:
  serve       run the server (WhatsApp gateway, actors, staff web client)
  bench       measure the engine under load (see BENCHMARKS.md)
  agent       run the execution agent next to the accounting system
  assistant   parse or evaluate Portuguese client messages
`

func main() {
	bench.RunBrowsersIfChild() // the harness's staff browsers run in a child process
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		tuneRuntime()
		err = runServe(os.Args[2:], os.Stdout)
	case "bench":
		tuneRuntime()
		err = runBench(os.Args[2:], os.Stdout)
	case "agent":
		err = runAgent(os.Args[2:], os.Stdout)
	case "assistant":
		err = runAssistant(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "balcao: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the flag set printed its flags
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "balcao %s: %v\n", os.Args[1], err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a command line refused before anything started (bad flag syntax, a stray
// argument, a value out of its flag's range, a missing flag): main exits 2 for it, as the flag
// package does for bad syntax, and 1 for any other error, a failure while running.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef is a usageError saying what fmt.Errorf says.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// parseFlags parses a subcommand's flags, none of them followed by an argument. Bad syntax and
// a stray argument come back as a usageError, one line for main to print (the flag package
// would print its error and then the whole list of flags); -h prints the flags to stdout and
// returns flag.ErrHelp, for main to exit 0.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printFlags(fs, "balcao "+fs.Name()+" [flags]", stdout)
		return err
	}
	if err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}

// printFlags prints the usage line and the flags of fs to w.
func printFlags(fs *flag.FlagSet, usage string, w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\nflags:\n", usage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// logLevel reads the --log-level flag.
func logLevel(s string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s)); err != nil {
		return level, usagef("--log-level %q: want debug, info, warn or error", s)
	}
	return level, nil
}
