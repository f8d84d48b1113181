package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// session is one office's linked WhatsApp account.
type session struct {
	g      *Gateway
	office string
	sink   gateway.Sink
	log    *slog.Logger
	store  *sqlstore.Container
	board  *statusBoard
	ids    *identities
	recv   *receiver
	out    *sender
	pace   *pacer

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	done   chan struct{} // closed when the connection loop returned
	kicks  chan kick     // to the connection loop; see kick

	mu         sync.Mutex
	cli        *whatsmeow.Client  // replaced by the connection loop only; mu guards it
	own        types.JID          // the linked account, empty while none; mu guards it
	linkCancel context.CancelFunc // ends the current pairing attempt's connection; mu guards it
	closed     bool               // mu guards it
}

var _ gateway.Session = (*session)(nil)

// kick asks the connection loop to act. The channel is bounded: when full the kick is dropped,
// which is safe because the loop looks at the device again whenever it wakes.
type kick struct {
	kind  kickKind
	after time.Duration // for kickStopped: wait before connecting again, 0 to wait for kickLink
}

type kickKind int

const (
	kickLink     kickKind = iota + 1 // staff asked to pair or to reconnect now
	kickUnlinked                     // the device was removed (logged out here or on the phone)
	kickStopped                      // whatsmeow will not reconnect by itself (ban, replaced…)
)

func (s *session) kick(k kick) {
	select {
	case s.kicks <- k:
	default:
	}
}

func (s *session) client() *whatsmeow.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cli
}

// linked returns the linked account, empty while none. Balcão keeps its own copy: whatsmeow
// writes the device's Store.ID (pairing, logout) on its goroutines and on Logout's caller,
// without a lock, so reading it from the actor's or the loop's goroutine was a data race.
func (s *session) linked() types.JID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.own
}

func (s *session) setLinked(own types.JID) {
	s.mu.Lock()
	s.own = own.ToNonAD()
	s.mu.Unlock()
}

// newReceiver builds the session's receiver; download is the client's Download.
func newReceiver(office string, sink gateway.Sink, ids *identities, download downloadFunc, log *slog.Logger, cfg config) *receiver {
	return &receiver{office: office, sink: sink, ids: ids, download: download, log: log, ackTimeout: cfg.ackTimeout, maxMedia: cfg.maxMedia, now: time.Now}
}

// handle is the whatsmeow event handler of cli, registered with
// AddEventHandlerWithSuccessStatus: returning false leaves a message unacknowledged.
func (s *session) handle(cli *whatsmeow.Client, evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		return s.recv.message(s.ctx, e)
	case *events.Receipt:
		return s.recv.receipt(s.ctx, e)
	}
	if cli != s.client() {
		return true // a replaced client's last words
	}
	switch e := evt.(type) {
	case *events.PairSuccess:
		s.setLinked(e.ID) // whatsmeow stored the device before reporting it
	case *events.LoggedOut:
		s.setLinked(types.JID{}) // whatsmeow deleted the device
	}
	s.board.apply(evt, s.linked())
	switch e := evt.(type) {
	case *events.LoggedOut:
		s.kick(kick{kind: kickUnlinked})
	case *events.TemporaryBan:
		s.kick(kick{kind: kickStopped, after: max(e.Expire, time.Minute)})
	case *events.ConnectFailure, *events.CATRefreshError:
		s.kick(kick{kind: kickStopped, after: 5 * time.Minute})
	case *events.StreamReplaced, *events.ClientOutdated:
		s.kick(kick{kind: kickStopped}) // reconnecting would only repeat it: wait for staff
	}
	return true
}

// ownJID is the account cli's device is linked to; read only where nothing else uses cli yet
// (see session.linked).
func ownJID(cli *whatsmeow.Client) types.JID {
	if cli == nil || cli.Store == nil || cli.Store.ID == nil {
		return types.JID{}
	}
	return cli.Store.ID.ToNonAD()
}

// Send paces, then sends m with m.ID. Errors wrap ErrTransient or ErrPermanent.
func (s *session) Send(ctx context.Context, m *gateway.Outbound) error {
	if s.isClosed() {
		return transient(ErrSessionClosed)
	}
	o, err := s.out.prepare(m)
	if err != nil {
		return err
	}
	cli := s.client()
	if s.linked().IsEmpty() {
		return transient(ErrNotLinked)
	}
	if !cli.IsLoggedIn() {
		return transient(whatsmeow.ErrNotConnected)
	}
	if err := s.pace.wait(ctx); err != nil {
		return transient(fmt.Errorf("wait for pacing: %w", err))
	}
	if err := s.out.send(ctx, cli, o); err != nil {
		return fmt.Errorf("send %s to %s: %w", o.id, balcao.MaskPhone(o.phone), err)
	}
	return nil
}

// Status reports the connection state.
func (s *session) Status() gateway.Status { return s.board.get() }

func (s *session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Connector is implemented by this gateway's sessions, beside gateway.Session: the staff UI's
// "conectar" button (a new QR code after the codes expired or a logout, or reconnect now).
type Connector interface {
	Connect() error
}

var _ Connector = (*session)(nil)

// Connect starts pairing (new QR codes) when no phone is linked, or reconnects at once when a
// linked session is disconnected. It returns without waiting: the outcome arrives as status.
// The staff UI calls it for "gerar novo QR code" after the codes expired or a logout.
func (s *session) Connect() error {
	if s.isClosed() {
		return ErrSessionClosed
	}
	s.kick(kick{kind: kickLink})
	return nil
}

// Close ends the session and waits for its connection loop; the phone stays linked.
func (s *session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	<-s.done
	cli := s.client()
	cli.Disconnect()
	cli.RemoveEventHandlers() // waits for a handler still running
	s.g.forget(s)
	if err := s.store.Close(); err != nil {
		return fmt.Errorf("close whatsapp store %s: %w", s.office, err)
	}
	return nil
}
