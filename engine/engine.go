package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/gateway/whatsapp"
	"github.com/balcao/balcao/gateway/whatsim"
	"github.com/balcao/balcao/storage"
	"github.com/balcao/balcao/ui"
)

// Config configures an engine.
type Config struct {
	DataDir      string // Pebble and documents live here
	Addr         string // HTTP listen address; "127.0.0.1:0" picks a free port
	WhatsApp     string // "sim" or "whatsmeow"
	Demo         bool   // seed the demo office
	DemoPassword string // the demo users' password; random (and saved) when empty
	Log          *slog.Logger
	// WhatsAppOptions are the whatsmeow gateway's options (tests replace its dial).
	WhatsAppOptions []whatsapp.Option
	// IdleAfter is how long an idle conversation actor lives; actors' default when zero.
	IdleAfter time.Duration
	// Respond replaces the assistant (tests).
	Respond func(assistant.State, assistant.Input) assistant.Turn
	// SessionTTL is how long a staff session lasts (12 h when zero).
	SessionTTL time.Duration
	// Documents is the export tree the embedded folder source reads
	// (DIR/{cnpj}/{intent}/{competence}/*.pdf); with Demo and no Documents, generated demo
	// documents are served.
	Documents string
	// Source replaces the embedded document source (tests).
	Source agent.Source
	// FetchQueue is how many document fetches may wait for an office's agents (actors' default
	// when zero).
	FetchQueue int
	// Now is the clock of the actors (tests move it); time.Now when nil.
	Now func() time.Time
	// PublicURL is where clients reach this server (links sent on WhatsApp); http://Addr when empty.
	PublicURL string
	// Clock drives scheduled messages and reminders and times portal links (tests move it);
	// when set and Now is nil, it is also the actors' clock. The real time when nil.
	Clock Clock
	// StopBudget is how long Stop waits for the HTTP requests in flight before it stops the
	// rest under those still running (5 s when zero).
	StopBudget time.Duration
}

// Engine is a running Balcão node.
type Engine struct {
	cfg      Config
	log      *slog.Logger
	db       *storage.DB
	hub      *ui.Hub
	sim      *whatsim.Gateway
	actors   *actors.System
	srv      *http.Server
	ln       net.Listener
	cancel   context.CancelFunc // ends websocket handlers on Stop
	served   chan error
	throttle loginThrottle
	// stopOnce makes Stop idempotent; stopErr is its outcome.
	stopOnce sync.Once
	stopErr  error
	files    *storage.Files
	source   agent.Source  // the embedded document source, nil when there is none
	remote   *agent.Remote // the office's remote execution agents
	sched    *scheduler    // scheduled messages, broadcasts and reminders
	clock    Clock         // Config.Clock or the real time: the scheduler's, and portal links'
	wa       gateway.WhatsApp
	secret   []byte      // signs portal links
	spending nonceClaims // portal login links being spent
	canned   sync.Mutex  // a canned answer's shortcut checked and stored one at a time
	docLocks keyLocks    // a document's downloads recorded one at a time (recordDownload)
	// teams makes an office's settings and staff accounts, each checked against the other
	// (the carteira names accounts, accounts name departments), saved one at a time: held
	// from the check to the durable write by SaveSettings, SaveStaff and DeleteStaff.
	teams keyLocks
	// publicURL prefixes links sent to clients.
	publicURL string
	// DemoPassword is the demo users' password when the demo office is seeded.
	DemoPassword string
	// DemoCreated is whether this Start created the demo office (Config.DemoPassword applies
	// only then).
	DemoCreated bool
}

// Start opens everything and serves HTTP on cfg.Addr.
func Start(cfg Config) (*Engine, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Clock != nil && cfg.Now == nil {
		cfg.Now = cfg.Clock.Now
	}
	e := &Engine{cfg: cfg, log: cfg.Log, hub: ui.NewHub(), served: make(chan error, 1), clock: cfg.Clock}
	if e.clock == nil {
		e.clock = realClock{now: time.Now}
	}
	var wa gateway.WhatsApp
	switch cfg.WhatsApp {
	case "", "sim":
		e.sim = whatsim.New(cfg.Log.With("component", "whatsim"))
		wa = e.sim
	case "whatsmeow":
		g, err := whatsapp.New(cfg.DataDir, cfg.Log.With("component", "whatsmeow"), cfg.WhatsAppOptions...)
		if err != nil {
			return nil, fmt.Errorf("whatsmeow gateway: %w", err)
		}
		wa = g
	default:
		return nil, fmt.Errorf("unknown whatsapp gateway %q: use sim or whatsmeow", cfg.WhatsApp)
	}
	db, err := storage.Open(PebbleDir(cfg.DataDir), cfg.Log.With("component", "pebble"))
	if err != nil {
		return nil, err
	}
	e.db = db
	fail := func(err error) (*Engine, error) {
		db.Close()
		return nil, err
	}
	if cfg.Demo {
		if e.DemoPassword, e.DemoCreated, err = seedDemo(context.Background(), db, cfg.DataDir, cfg.DemoPassword); err != nil {
			return fail(fmt.Errorf("seed demo: %w", err))
		}
	}
	if e.secret, err = loadSecret(context.Background(), db); err != nil {
		return fail(fmt.Errorf("load secret: %w", err))
	}
	if e.files, err = storage.OpenFiles(filepath.Join(cfg.DataDir, "files")); err != nil {
		return fail(err)
	}
	source := cfg.Source
	switch {
	case source != nil:
	case cfg.Documents != "":
		source = agent.Folder{Dir: cfg.Documents}
	case cfg.Demo:
		dir := filepath.Join(cfg.DataDir, "demo-documents")
		if err := writeDemoDocuments(dir, time.Now()); err != nil {
			return fail(fmt.Errorf("write demo documents: %w", err))
		}
		source = agent.Folder{Dir: dir}
	}
	e.source, e.wa = source, wa
	e.remote = agent.NewRemote(e.verifyAgentToken, cfg.Log.With("component", "agents"), func(office string, online int) {
		e.hub.Publish(office, balcao.EventAgentsOnline, balcao.AgentsOnline{Remote: online, Embedded: e.source != nil})
		if online > 0 && e.actors != nil {
			e.actors.AgentsConnected(office)
		}
	})
	e.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(fmt.Errorf("listen %s: %w", cfg.Addr, err))
	}
	e.publicURL = strings.TrimRight(cfg.PublicURL, "/")
	if e.publicURL == "" {
		e.publicURL = "http://" + e.ln.Addr().String()
	}
	e.actors, err = actors.Start(actors.Config{
		DB: db, WhatsApp: wa, Publisher: e.hub, Log: cfg.Log.With("component", "actors"),
		Respond: cfg.Respond, IdleAfter: cfg.IdleAfter, Files: e.files, Sources: e.sourceFor, Now: cfg.Now, FetchQueue: cfg.FetchQueue,
		AgentsOnline: func(office string) bool { return e.source != nil || e.remote.Online(office) > 0 },
		PortalLink:   e.portalLink, PortalLogin: e.portalLogin,
	})
	if err != nil {
		e.ln.Close()
		return fail(err)
	}
	if offices, err := db.Offices(); err == nil {
		for _, o := range offices {
			e.awaitSimSession(context.Background(), o.ID)
		}
	}
	e.sched = startScheduler(e, e.clock)
	var sim http.Handler
	if e.sim != nil {
		sim = e.sim.Handler()
	}
	base, cancel := context.WithCancel(context.Background()) // canceled first at Stop
	e.cancel = cancel
	server := ui.New(ui.Config{
		Backend: e, Hub: e.hub, Log: cfg.Log.With("component", "http"), Sim: sim, Agent: e.remote.Handler(),
		SecureCookies: strings.HasPrefix(e.publicURL, "https://"), // served behind TLS
		Context:       base,
	})
	e.srv = &http.Server{
		Handler:           server,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
	go func() { e.served <- e.srv.Serve(e.ln) }()
	return e, nil
}

// awaitSimSession waits until the office's gateway actor opened its simulated WhatsApp
// session: the simulator refuses a message for an office without one as for an unknown office,
// and a message delivered right after Start or CreateOffice must be taken. A simulated session
// opens at once; the real WhatsApp connects in its own time and is not waited for.
func (e *Engine) awaitSimSession(ctx context.Context, office string) {
	if e.sim == nil {
		return
	}
	// The office forwards the question to its gateway actor, which answers after opening.
	if _, err := e.actors.Session(ctx, office); err != nil {
		e.log.Warn("simulated whatsapp session not open", "office", office, "err", err)
	}
}

// sourceFor is an office's document source: its remote agents when one is online, else the
// embedded folder source.
func (e *Engine) sourceFor(office string) agent.Source {
	if e.source == nil {
		return e.remote.Source(office)
	}
	return agent.Fallback{Primary: e.remote.Source(office), Secondary: e.source}
}

// Addr is the address the HTTP server listens on.
func (e *Engine) Addr() string { return e.ln.Addr().String() }

// DataDir is where the engine keeps its data.
func (e *Engine) DataDir() string { return e.cfg.DataDir }

// PebbleDir is where the store of a data directory lives.
func PebbleDir(dataDir string) string { return filepath.Join(dataDir, "pebble") }

// Hub is the engine's event hub (bench and tests subscribe to it directly).
func (e *Engine) Hub() *ui.Hub { return e.hub }

// Sim is the simulated WhatsApp, nil with another gateway.
func (e *Engine) Sim() *whatsim.Gateway { return e.sim }

// Actors is the engine's actor system.
func (e *Engine) Actors() *actors.System { return e.actors }

// DB is the engine's storage.
func (e *Engine) DB() *storage.DB { return e.db }

// Stop shuts down in order: HTTP (no new work), actors, then storage (after every submitted
// write is durable). Calling it again returns the first call's outcome.
func (e *Engine) Stop(ctx context.Context) error {
	e.stopOnce.Do(func() { e.stopErr = e.stop(ctx) })
	return e.stopErr
}

// defaultStopBudget is how long Stop waits for HTTP requests in flight (Config.StopBudget).
const defaultStopBudget = 5 * time.Second

func (e *Engine) stop(ctx context.Context) error {
	var errs []error
	e.cancel()
	// Requests in flight get the stop budget (websockets end with e.cancel). Those still
	// running then (a client that stopped sending its body, a long read) do not hold up the
	// rest, which stops under them: one that reaches the actors or storage after they stopped
	// gets balcao.ErrClosed, answered 503. Their connections are closed only once storage is,
	// so that a request that got that far hears its outcome (a write it made is durable and
	// answered) instead of a connection cut while its write may still land.
	budget := cmp.Or(e.cfg.StopBudget, defaultStopBudget)
	hctx, hcancel := context.WithTimeout(ctx, budget)
	err := e.srv.Shutdown(hctx)
	hcancel()
	cut := err != nil
	if cut {
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("shut down http: %w", err))
		} else {
			e.log.Warn("requests still in flight at stop", "after", budget)
		}
	}
	if err := <-e.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, fmt.Errorf("serve http: %w", err))
	}
	e.remote.Close() // agents' sockets are not tracked by Shutdown; jobs in flight are retried later
	e.sched.close()  // before the actors: it waits for its send in progress
	if err := e.actors.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stop actors: %w", err))
	}
	if c, ok := e.wa.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close whatsapp: %w", err))
		}
	}
	// Storage refuses what comes after (a request past the budget, a staff socket, an actor
	// that outlived the actors' stop) and waits for the reads under way.
	if err := e.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close storage: %w", err))
	}
	if cut {
		_ = e.srv.Close() // the listener is closed already; this closes the connections left
	}
	return errors.Join(errs...)
}

var _ ui.Backend = (*Engine)(nil)

// Healthy reports whether storage answers and the actors run.
func (e *Engine) Healthy(context.Context) error {
	if _, err := e.db.Offices(); err != nil {
		return fmt.Errorf("read storage: %w", err)
	}
	return e.actors.Alive()
}

func conversationNotFound() error {
	return balcao.NewError(balcao.ErrNotFound, "unknown_conversation", "Conversa não encontrada.")
}
