package whatsapp

// This file is the seam to the live whatsmeow client: the device store, the client's settings,
// the connection loop (pairing, connecting, backoff), PairPhone and Logout. What it decides is
// delegated to the tested pieces (nextStatus, connectBackoff, receiver, sender, pacer); the
// dialing itself needs WhatsApp's servers and is exercised by hand (README.md).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// dial connects cli to WhatsApp's servers; ctx bounds the connection's life.
func dial(ctx context.Context, cli *whatsmeow.Client) error { return cli.ConnectContext(ctx) }

// setDeviceName sets the name phones show for Balcão under Aparelhos conectados. whatsmeow keeps
// it process-wide: the first Gateway sets it.
func setDeviceName(name string) {
	deviceNameOnce.Do(func() { store.DeviceProps.Os = proto.String(name) })
}

var deviceNameOnce sync.Once

// dsn is the SQLite address of an office's device database.
func (g *Gateway) dsn(office string) string {
	return "file:" + filepath.Join(g.dir, office+".db") + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)"
}

func (g *Gateway) open(ctx context.Context, office string, sink gateway.Sink) (*session, error) {
	log := g.log.With("office", office)
	container, err := sqlstore.New(ctx, "sqlite", g.dsn(office), waLogger{log: log, module: "store"})
	if err != nil {
		return nil, fmt.Errorf("open whatsapp store %s: %w", office, err)
	}
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		container.Close()
		return nil, fmt.Errorf("load whatsapp device %s: %w", office, err)
	}
	s := &session{
		g:      g,
		office: office,
		sink:   sink,
		log:    log,
		store:  container,
		board:  newStatusBoard(sink.StatusChanged, log),
		ids:    newIdentities(container.LIDMap),
		pace:   newPacer(g.cfg.rate, g.cfg.burst, g.cfg.jitter),
		done:   make(chan struct{}),
		kicks:  make(chan kick, 4),
	}
	s.out = newSender(s.ids, g.cfg.maxMedia)
	s.recv = newReceiver(office, sink, s.ids, func(ctx context.Context, m whatsmeow.DownloadableMessage) ([]byte, error) {
		return s.client().Download(ctx, m)
	}, log, g.cfg)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.cli = s.newClient(device)
	s.own = ownJID(s.cli)
	s.board.apply(connecting{}, s.own)
	go s.run()
	return s, nil
}

// newClient builds a whatsmeow client on device with Balcão's settings and handler.
func (s *session) newClient(device *store.Device) *whatsmeow.Client {
	cli := whatsmeow.NewClient(device, waLogger{log: s.log, module: "client"})
	cli.SynchronousAck = true             // ack a message only once the handler returned true
	cli.EnableDecryptedEventBuffer = true // a message not acked is redelivered, not lost
	cli.EnableAutoReconnect = true
	cli.AutoReconnectHook = func(err error) bool {
		if s.ctx.Err() != nil {
			return false
		}
		s.board.apply(connectFailed{err: err}, s.linked())
		return true
	}
	cli.GetMessageForRetry = func(_, _ types.JID, id types.MessageID) *waE2E.Message {
		return s.out.sentMessage(id)
	}
	cli.SetMediaHTTPClient(&http.Client{Transport: limitTransport{
		base: http.DefaultTransport.(*http.Transport).Clone(),
		max:  s.g.cfg.maxMedia + mediaSlack,
	}})
	cli.AddEventHandlerWithSuccessStatus(func(evt any) bool { return s.handle(cli, evt) })
	return cli
}

// replaceClient swaps the client for a new one on a fresh device, for a new pairing.
func (s *session) replaceClient() *whatsmeow.Client {
	cli := s.newClient(s.store.NewDevice())
	s.mu.Lock()
	old, stop := s.cli, s.linkCancel
	s.cli, s.linkCancel, s.own = cli, nil, types.JID{}
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	old.Disconnect()
	old.RemoveEventHandlers()
	return cli
}

// How a pairing attempt ended.
type linkResult int

const (
	linkPaired      linkResult = iota + 1 // the phone scanned the code or typed the pairing code
	linkEnded                             // the codes expired or pairing failed: wait for staff
	linkUnreachable                       // WhatsApp could not be reached: retry with backoff
)

// pairGrace is how long whatsmeow gets to reconnect by itself after pairing.
const pairGrace = 30 * time.Second

// run is the connection loop, the session's one goroutine: it pairs when no phone is linked,
// connects with backoff when one is (whatsmeow reconnects by itself after a drop), and reacts
// to kicks (staff asking, logouts, permanent disconnects). It returns when ctx ends.
func (s *session) run() {
	defer close(s.done)
	var pending kick
	linkNow, failures := true, 0
	fresh := s.linked().IsEmpty() // a device never paired: its client may pair once
	for s.ctx.Err() == nil {
		if pending.kind == kickUnlinked {
			s.replaceClient()
			pending, linkNow, fresh = kick{}, false, true
		}
		cli := s.client()
		if s.linked().IsEmpty() {
			if !linkNow && pending.kind != kickLink {
				if s.board.get().State != gateway.StateLoggedOut {
					s.board.apply(unlinked{}, types.JID{})
				}
				k, ok := s.wait(-1)
				if !ok {
					return
				}
				pending = k
				continue
			}
			pending, linkNow = kick{}, false
			if !fresh {
				cli = s.replaceClient() // a pairing attempt's client is used once
			}
			fresh = false
			var wait time.Duration
			res, k := s.link(cli)
			switch res {
			case linkPaired:
				failures, wait = 0, pairGrace
			case linkUnreachable:
				wait, linkNow = s.g.backoff(failures), true
				failures++
			case linkEnded:
				pending = k
				continue
			}
			k, ok := s.wait(wait)
			if !ok {
				return
			}
			pending = k
			continue
		}
		switch pending.kind {
		case kickStopped:
			d := pending.after
			if d == 0 {
				d = -1
			}
			k, ok := s.wait(d)
			if !ok {
				return
			}
			if k.kind == kickUnlinked {
				pending = k
				continue
			}
			cli.Disconnect()
		}
		pending = kick{}
		if !cli.IsConnected() {
			s.board.apply(connecting{}, s.linked())
			err := s.g.connect(s.ctx, cli)
			if err != nil && !errors.Is(err, whatsmeow.ErrAlreadyConnected) {
				if s.ctx.Err() != nil {
					return
				}
				s.board.apply(connectFailed{err: err}, s.linked())
				k, ok := s.wait(s.g.backoff(failures))
				if !ok {
					return
				}
				failures++
				pending = k
				continue
			}
		}
		failures = 0
		k, ok := s.wait(-1)
		if !ok {
			return
		}
		pending = k
	}
}

// wait waits d (forever when d < 0) or for a kick, which it returns. ok is false when the
// session is closing.
func (s *session) wait(d time.Duration) (k kick, ok bool) {
	var timeout <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-s.ctx.Done():
		return kick{}, false
	case k := <-s.kicks:
		return k, true
	case <-timeout:
		return kick{}, true
	}
}

// link runs one pairing attempt on cli: QR codes go to the status until the phone pairs, the
// codes run out, pairing fails or Logout stops it (the kick it returns).
func (s *session) link(cli *whatsmeow.Client) (linkResult, kick) {
	// The attempt's context outlives it when the phone pairs: whatsmeow keeps the connection it
	// opened. replaceClient, Logout and Close end it.
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.linkCancel = cancel
	s.mu.Unlock()
	// Logout queues its kick before it cancels: one of the two stops this attempt.
	select {
	case k := <-s.kicks:
		if k.kind == kickUnlinked {
			return linkEnded, k
		}
	default:
	}
	ch, err := cli.GetQRChannel(ctx)
	if err != nil {
		s.board.apply(connectFailed{err: fmt.Errorf("start pairing: %w", err)}, types.JID{})
		return linkUnreachable, kick{}
	}
	s.board.apply(connecting{}, types.JID{})
	if err := s.g.connect(ctx, cli); err != nil {
		if ctx.Err() != nil {
			return linkEnded, kick{}
		}
		s.board.apply(connectFailed{err: err}, types.JID{})
		return linkUnreachable, kick{}
	}
	for {
		select {
		case <-ctx.Done():
			return linkEnded, kick{}
		case k := <-s.kicks:
			if k.kind == kickUnlinked {
				return linkEnded, k
			} // already pairing: a kickLink has nothing more to do
		case item, ok := <-ch:
			if !ok {
				return linkEnded, kick{}
			}
			s.board.apply(item, s.linked())
			switch item.Event {
			case whatsmeow.QRChannelSuccess.Event:
				return linkPaired, kick{}
			case whatsmeow.QRChannelTimeout.Event, whatsmeow.QRChannelEventError, whatsmeow.QRChannelClientOutdated.Event,
				whatsmeow.QRChannelErrUnexpectedEvent.Event:
				return linkEnded, kick{}
			}
		}
	}
}

// pairTimeout bounds how long PairPhone waits for a pairing attempt to be ready.
const pairTimeout = 30 * time.Second

// PairPhone returns a code to type on the phone (WhatsApp → Aparelhos conectados → Conectar
// com número de telefone) instead of scanning the QR code. It starts a pairing attempt when none
// is running.
func (s *session) PairPhone(ctx context.Context, phone string) (string, error) {
	if s.isClosed() {
		return "", ErrSessionClosed
	}
	p, err := balcao.NormalizePhone(phone)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidPhone, err)
	}
	if !s.linked().IsEmpty() {
		return "", ErrAlreadyLinked
	}
	if s.board.get().State != gateway.StateWaitingQR {
		s.kick(kick{kind: kickLink})
	}
	wctx, cancel := context.WithTimeout(ctx, pairTimeout)
	defer cancel()
	if err := s.board.waitFor(wctx, func(st gateway.Status) bool { return st.State == gateway.StateWaitingQR }); err != nil {
		return "", fmt.Errorf("wait for pairing to start: %w", err)
	}
	code, err := s.client().PairPhone(ctx, p, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
	if err != nil {
		return "", fmt.Errorf("ask pairing code: %w", err)
	}
	return code, nil
}

// Logout unlinks the phone and deletes the device keys. When WhatsApp cannot be told, the keys
// are deleted all the same (the phone drops the stale device later, or staff remove it under
// Aparelhos conectados).
func (s *session) Logout(ctx context.Context) error {
	if s.isClosed() {
		return ErrSessionClosed
	}
	cli := s.client()
	if s.linked().IsEmpty() { // stop pairing, if it runs
		s.kick(kick{kind: kickUnlinked})
		s.mu.Lock()
		stop := s.linkCancel
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		return nil
	}
	if err := cli.Logout(ctx); err != nil {
		cli.Disconnect()
		if derr := cli.Store.Delete(ctx); derr != nil {
			return fmt.Errorf("delete whatsapp device: %w", errors.Join(err, derr))
		}
		s.log.Warn("whatsapp logout not confirmed by whatsapp, device deleted here", "err", err)
	}
	s.setLinked(types.JID{})
	s.board.apply(unlinked{}, types.JID{})
	s.kick(kick{kind: kickUnlinked})
	return nil
}
