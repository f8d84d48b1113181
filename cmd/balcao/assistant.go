package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/balcao/balcao/assistant"
)

const assistantUsage = `usage:
  balcao assistant parse [--now YYYY-MM-DD] TEXT...   print what the assistant understands, as JSON
  balcao assistant eval  [--now YYYY-MM-DD] FILE.tsv  evaluate a corpus (utterance<TAB>intent<TAB>competence)`

// runAssistant runs `balcao assistant parse|eval`; args follow "assistant".
func runAssistant(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand: want parse or eval")
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, assistantUsage)
		return flag.ErrHelp // main exits 0
	case "parse", "eval":
	default:
		return usagef("unknown subcommand %q: want parse or eval", sub)
	}
	fs := flag.NewFlagSet("assistant "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // main prints the error, in one line
	nowFlag := fs.String("now", "", "reference date YYYY-MM-DD for relative dates (default: today)")
	rest, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, assistantUsage)
		return err
	}
	if err != nil {
		return usageError{err}
	}
	now, err := referenceDate(*nowFlag)
	if err != nil {
		return usageError{err}
	}
	if sub == "parse" {
		text := strings.Join(rest, " ")
		if text == "" {
			return usagef("parse: no text")
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(assistant.Parse(text, now))
	}
	if len(rest) != 1 {
		return usagef("eval: want one corpus file, got %d arguments", len(rest))
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()
	rep, err := assistant.Eval(f, now)
	if err != nil {
		return fmt.Errorf("eval %s: %w", rest[0], err)
	}
	return rep.Print(stdout)
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("parse 'oi' --now 2026-11-25").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// referenceDate is noon of day (YYYY-MM-DD) in São Paulo, or now.
func referenceDate(day string) (time.Time, error) {
	if day == "" {
		return time.Now(), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, day, assistant.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: want YYYY-MM-DD", day)
	}
	return t.Add(12 * time.Hour), nil
}
