package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/balcao/balcao/engine"
)

// runServe runs the server until SIGINT or SIGTERM: `balcao serve [flags]`.
func runServe(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory (Pebble, documents)")
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP listen address")
	wa := fs.String("whatsapp", "sim", "WhatsApp gateway: sim or whatsmeow")
	demo := fs.Bool("demo", false, "seed the demo office (idempotent)")
	demoPassword := fs.String("demo-password", "", "password of the demo users (random and saved in the data dir when empty)")
	documents := fs.String("documents", "", "export tree of the accounting system served by the embedded agent (DIR/{cnpj}/{intent}/{competence}/*.pdf)")
	publicURL := fs.String("public-url", "", "URL where clients reach this server, for links sent on WhatsApp (default http://ADDR)")
	logLevelFlag := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	level, err := logLevel(*logLevelFlag)
	if err != nil {
		return err
	}
	if *wa != "sim" && *wa != "whatsmeow" {
		return usagef("--whatsapp %q: want sim or whatsmeow", *wa)
	}
	if err := checkPublicURL(*publicURL); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := os.MkdirAll(*data, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}

	// Signals are caught before the engine starts: one sent as soon as the address is printed
	// (or during the start) stops it cleanly instead of killing the process.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	e, err := engine.Start(engine.Config{
		DataDir: *data, Addr: *addr, WhatsApp: *wa, Demo: *demo, DemoPassword: *demoPassword, Log: log,
		Documents: *documents, PublicURL: *publicURL,
	})
	if err != nil {
		return err
	}
	url := "http://" + e.Addr()
	fmt.Fprintf(stdout, "Balcão is running at %s\n", url)
	fmt.Fprintf(stdout, "  staff inbox:        %s/\n", url)
	if e.Sim() != nil { // the real WhatsApp serves no phone page
		fmt.Fprintf(stdout, "  simulated WhatsApp: %s/sim/\n", url)
	}
	if *demo {
		fmt.Fprintf(stdout, "  demo login:         office %q, users admin, ana, bruno", engine.DemoOffice)
		if e.DemoPassword != "" {
			fmt.Fprintf(stdout, ", password %s", e.DemoPassword)
		}
		fmt.Fprintln(stdout)
		if *demoPassword != "" && !e.DemoCreated {
			fmt.Fprintln(stdout, "  --demo-password not applied: the demo office exists in this data dir, and its users keep their passwords")
		}
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	log.Info("serving", "addr", e.Addr(), "data", *data, "whatsapp", *wa)

	<-sigs
	fmt.Fprintln(stdout, "\nStopping… (press Ctrl-C again to stop at once)")
	// A second signal ends the process without waiting for the stop (requests in flight, the
	// actors): every acknowledged message is already synced, so nothing acknowledged is lost.
	go func() {
		<-sigs
		log.Warn("second signal: exiting without a clean stop")
		os.Exit(1)
	}()
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := e.Stop(sctx); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	log.Info("stopped")
	return nil
}

// checkPublicURL refuses a --public-url that cannot start the links sent to clients: an
// absolute http or https URL with a host, and no query or fragment (a path is kept: a server
// behind a proxy's prefix).
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return usagef("--public-url %q: want an http:// or https:// address with a host, as clients open it (https://balcao.example.com)", s)
	}
	return nil
}
