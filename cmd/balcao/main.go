// Command balcao runs Balcão: `balcao serve` (the server), `balcao assistant` (try the
// assistant from the shell). One file per subcommand; no logic lives here.
package main

import (
	"errors"
	"flag"
	"fmt"
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
		err = runServe(os.Args[2:])
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

// usageError is a command line refused before anything started (bad flag syntax, a value out
// of its flag's range): main exits 2 for it, as the flag package does for bad syntax.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }
