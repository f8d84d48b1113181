package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/balcao/balcao/gateway/agent"
)

// runAgent runs the remote execution agent next to the office's accounting system: it serves
// the server's document jobs from an export tree until SIGINT or SIGTERM.
func runAgent(args []string, stdout io.Writer) error {
	host, _ := os.Hostname()
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	server := fs.String("server", "", "address of the Balcão server, e.g. https://balcao.example.com")
	token := fs.String("token", "", "the office's agent token (default $BALCAO_AGENT_TOKEN)")
	dir := fs.String("dir", "", "export tree: DIR/{cnpj}/{intent}/{competence}/*.pdf")
	name := fs.String("name", host, "name of this agent, shown to the office")
	jobs := fs.Int("jobs", 4, fmt.Sprintf("jobs run at once (1..%d)", agent.MaxConcurrency))
	logLevelFlag := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *token == "" {
		*token = os.Getenv("BALCAO_AGENT_TOKEN")
	}
	switch {
	case *server == "":
		return usagef("--server is required")
	case *token == "":
		return usagef("--token (or BALCAO_AGENT_TOKEN) is required")
	case *dir == "":
		return usagef("--dir is required")
	case *jobs < 1 || *jobs > agent.MaxConcurrency:
		return usagef("--jobs %d: want 1..%d", *jobs, agent.MaxConcurrency)
	}
	if _, err := agent.Endpoint(*server); err != nil {
		return usageError{err}
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return usagef("--dir %s: not a directory", *dir)
	}
	level, err := logLevel(*logLevelFlag)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &agent.Client{
		Server: *server, Token: *token, Source: agent.Folder{Dir: *dir},
		Name: *name, Version: buildVersion(), Concurrency: *jobs, Log: log,
		OnConnect: func(endpoint string) { fmt.Fprintf(stdout, "agent connected to %s\n", endpoint) },
	}
	log.Info("agent starting", "dir", *dir, "name", *name)
	if err := c.Run(ctx); errors.Is(err, agent.ErrInvalidToken) {
		return fmt.Errorf("%w: check --token (the office's agent token)", err)
	} else if err != nil {
		return err
	}
	log.Info("agent stopped")
	return nil
}

// buildVersion is the module version the binary was built from, or "dev".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
