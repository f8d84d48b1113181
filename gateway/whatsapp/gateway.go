package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/balcao/balcao/gateway"
)

// Gateway is WhatsApp through whatsmeow, one linked device per office.
type Gateway struct {
	dir string // dataDir/whatsapp: one device database per office
	log *slog.Logger
	cfg config

	// connect dials WhatsApp; tests replace it so that nothing leaves the machine.
	connect func(ctx context.Context, cli *whatsmeow.Client) error
	// backoff is the wait before the attempt-th (from 0) new try to connect.
	backoff func(attempt int) time.Duration

	openMu   sync.Mutex // serializes Open: one session per device
	mu       sync.Mutex
	sessions map[string]*session // open sessions by office; mu guards it
}

var _ gateway.WhatsApp = (*Gateway)(nil)

// validOffice is what an office id may look like to name its device database.
var validOffice = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// Open starts the office's session: it loads the office's device from dataDir/whatsapp/{office}.db
// and connects, or, when no phone is linked yet, starts pairing and reports QR codes through
// sink.StatusChanged. Opening an office again closes its previous session first (two clients
// with the same keys would knock each other off).
func (g *Gateway) Open(ctx context.Context, office string, sink gateway.Sink) (gateway.Session, error) {
	if !validOffice.MatchString(office) {
		return nil, fmt.Errorf("open whatsapp %q: %w", office, ErrInvalidOffice)
	}
	g.openMu.Lock()
	defer g.openMu.Unlock()
	g.mu.Lock()
	old := g.sessions[office]
	g.mu.Unlock()
	if old != nil {
		if err := old.Close(); err != nil {
			return nil, fmt.Errorf("close previous whatsapp session %s: %w", office, err)
		}
	}
	s, err := g.open(ctx, office, sink)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.sessions[office] = s
	g.mu.Unlock()
	return s, nil
}

// Close closes the sessions still open, for a shutdown. Each session is normally closed by its
// owner (the engine's gateway actor).
func (g *Gateway) Close() error {
	g.mu.Lock()
	list := make([]*session, 0, len(g.sessions))
	for _, s := range g.sessions {
		list = append(list, s)
	}
	g.mu.Unlock()
	var errs []error
	for _, s := range list {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

func (g *Gateway) forget(s *session) {
	g.mu.Lock()
	if g.sessions[s.office] == s {
		delete(g.sessions, s.office)
	}
	g.mu.Unlock()
}

// New returns the whatsmeow gateway. Each office's device keys live in
// dataDir/whatsapp/{office}.db. The device name the phones show is process-wide: the first
// Gateway sets it.
func New(dataDir string, log *slog.Logger, opts ...Option) (*Gateway, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	dir := filepath.Join(dataDir, "whatsapp")
	if strings.ContainsAny(dir, "?#") {
		return nil, fmt.Errorf("whatsapp data dir %q: must not hold ? or #", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create whatsapp dir: %w", err)
	}
	setDeviceName(cfg.deviceName)
	connect := dial
	if cfg.dial != nil {
		connect = cfg.dial
	}
	return &Gateway{
		dir:      dir,
		log:      log,
		cfg:      cfg,
		connect:  connect,
		backoff:  connectBackoff,
		sessions: map[string]*session{},
	}, nil
}
