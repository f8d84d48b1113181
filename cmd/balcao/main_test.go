package main

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
)

// runBinary runs the balcao binary with args (and no agent token in its environment) for 10 s
// at most, and returns its exit code, stdout and stderr.
func runBinary(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "BALCAO_AGENT_TOKEN=")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("balcao %q still ran after 10 s; stdout:\n%s\nstderr:\n%s", args, out.String(), errOut.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("balcao %q: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// TestRefusedCommandLineExitsTwo: every subcommand refuses a bad command line (bad flag
// syntax, a stray argument, a missing flag, a value out of its range) before starting anything,
// with exit 2, as the flag package does, and one line on stderr naming what is wrong, not the
// whole list of flags. serve and bench would start (a data dir created, a banner printed) and
// the agent would retry its connection until killed if the command line were taken.
func TestRefusedCommandLineExitsTwo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data") // must not be created
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	used := filepath.Join(tmp, "used") // an earlier run's data dir: its store is there
	if err := os.MkdirAll(engine.PebbleDir(used), 0o755); err != nil {
		t.Fatal(err)
	}
	serve := []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "warn"}
	agent := []string{"agent", "--server", "http://127.0.0.1:1", "--token", "t", "--dir", tmp}
	bench := []string{"bench", "--data", data, "--rate", "50", "--duration", "1s", "--pebble-duration=-1s", "--staff", "0", "--out", "-"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{append(serve, "--bogus"), "balcao serve: flag provided but not defined: -bogus"},
		{append(serve, "--demo=talvez"), `balcao serve: invalid boolean value "talvez" for -demo: parse error`},
		{append(serve, "--public-url"), "balcao serve: flag needs an argument: -public-url"},
		{append(serve, "--demo", "true", "--log-level", "debug"), `balcao serve: unexpected arguments ["true" "--log-level" "debug"]`},
		{append(serve, "--log-level", "verbose"), `balcao serve: --log-level "verbose": want debug, info, warn or error`},
		{append(serve, "--whatsapp", "telegram"), `balcao serve: --whatsapp "telegram": want sim or whatsmeow`},
		{append(serve, "--public-url", "balcao.example.com"), `balcao serve: --public-url "balcao.example.com": want an http:// or https:// address with a host, as clients open it (https://balcao.example.com)`},
		{append(serve, "--public-url", "ftp://balcao.example.com"), `balcao serve: --public-url "ftp://balcao.example.com": want an http:// or https:// address with a host, as clients open it (https://balcao.example.com)`},
		{append(serve, "--public-url", "https://balcao.example.com/?x=1"), `balcao serve: --public-url "https://balcao.example.com/?x=1": want an http:// or https:// address with a host, as clients open it (https://balcao.example.com)`},
		{append(serve, "--public-url", "https://eu:senha@balcao.example.com"), `balcao serve: --public-url "https://eu:senha@balcao.example.com": want an http:// or https:// address with a host, as clients open it (https://balcao.example.com)`},

		{append(agent, "--jobs", "0"), "balcao agent: --jobs 0: want 1..32"},
		{append(agent, "--jobs", "33"), "balcao agent: --jobs 33: want 1..32"},
		{append(agent, "--jobs", "x"), `balcao agent: invalid value "x" for flag -jobs: parse error`},
		{append(agent, "--log-level", "x"), `balcao agent: --log-level "x": want debug, info, warn or error`},
		{append(agent, "stray"), `balcao agent: unexpected arguments ["stray"]`},
		{append(agent, "--bogus"), "balcao agent: flag provided but not defined: -bogus"},
		{[]string{"agent", "--token", "t", "--dir", tmp}, "balcao agent: --server is required"},
		{[]string{"agent", "--server", "http://127.0.0.1:1", "--dir", tmp}, "balcao agent: --token (or BALCAO_AGENT_TOKEN) is required"},
		{[]string{"agent", "--server", "http://127.0.0.1:1", "--token", "t"}, "balcao agent: --dir is required"},
		{append(agent, "--dir", file), "balcao agent: --dir " + file + ": not a directory"},
		{append(agent, "--server", "127.0.0.1:1"), `balcao agent: server address "127.0.0.1:1": want http(s)://host[:port]`},

		{append(bench, "--rate=x"), `balcao bench: invalid value "x" for flag -rate: parse error`},
		{append(bench, "--max-in-flight", "0"), "balcao bench: --max-in-flight 0: want 1 or more"},
		{append(bench, "stray"), `balcao bench: unexpected arguments ["stray"]`},
		{append(bench, "--data", used), "balcao bench: --data " + used + ": holds a Balcão store already (an earlier run's?): want a new or empty directory"},

		{[]string{"assistant"}, "balcao assistant: missing subcommand: want parse or eval"},
		{[]string{"assistant", "talk"}, `balcao assistant: unknown subcommand "talk": want parse or eval`},
		{[]string{"assistant", "parse"}, "balcao assistant: parse: no text"},
		{[]string{"assistant", "parse", "--now", "25/11/2026", "oi"}, `balcao assistant: --now "25/11/2026": want YYYY-MM-DD`},
		{[]string{"assistant", "parse", "oi", "--bogus"}, "balcao assistant: flag provided but not defined: -bogus"},
		{[]string{"assistant", "eval"}, "balcao assistant: eval: want one corpus file, got 0 arguments"},
		{[]string{"assistant", "eval", file, file}, "balcao assistant: eval: want one corpus file, got 2 arguments"},
	} {
		code, stdout, stderr := runBinary(t, bin, c.args...)
		if code != 2 || stderr != c.want+"\n" || stdout != "" {
			t.Errorf("balcao %q = exit %d, stdout %q, stderr:\n%s\nwant exit 2, nothing on stdout and one line on stderr: %q", c.args, code, stdout, stderr, c.want)
		}
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("balcao %q started: the data dir exists (%v)", c.args, err)
		}
	}
}

// TestFailureWhileRunningExitsOne: a command line taken, then a failure while running (the
// address in use, a corpus that cannot be opened) exits 1, not 2.
func TestFailureWhileRunningExitsOne(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	missing := filepath.Join(t.TempDir(), "missing.tsv")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--data", t.TempDir(), "--addr", busy.Addr().String(), "--log-level", "error"}, "address already in use"},
		{[]string{"assistant", "eval", missing}, "balcao assistant: open corpus: open " + missing + ": no such file or directory\n"},
	} {
		code, _, stderr := runBinary(t, bin, c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("balcao %q = exit %d, stderr:\n%s\nwant exit 1 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestPublicURLsTaken: the addresses clients can open are taken as given, a proxy's path
// prefix and a port included.
func TestPublicURLsTaken(t *testing.T) {
	for _, u := range []string{"", "http://127.0.0.1:8080", "https://balcao.example.com", "https://escritorio.example.com/balcao/"} {
		if err := checkPublicURL(u); err != nil {
			t.Errorf("checkPublicURL(%q) = %v, want it taken", u, err)
		}
	}
}
