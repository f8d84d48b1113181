// Package whatsim is the simulated WhatsApp: the same gateway.WhatsApp interface as the
// whatsmeow gateway, driven over HTTP by demos, tests and the bench harness. Phones post
// inbound messages to /sim/inbound and read what the office sent them at /sim/outbound; /sim/
// is a small phone page where a person plays a client.
package whatsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// Gateway simulates WhatsApp for every office. What offices send is kept in memory, the last
// PhoneHistory messages per phone (a phone's older messages are dropped).
type Gateway struct {
	log      *slog.Logger
	inflight chan struct{} // bounds the messages waiting for their acknowledgement
	history  atomic.Int64  // outbound messages kept per phone (PhoneHistory unless set)
	// outagesSet: FailSends was called (until then a send takes no lock of the gateway's).
	outagesSet atomic.Bool

	mu       sync.RWMutex
	sessions map[string]*session // by office; mu guards it
	outages  map[string]*outage  // by office; mu guards it
}

// outage makes an office's sends fail for a while (FailSends).
type outage struct{ skip, fail int }

// PhoneHistory is how many outbound messages the simulator keeps per phone.
const PhoneHistory = 500

// MaxInflight is how many inbound messages may wait for the office's acknowledgement at once;
// beyond it Deliver refuses with balcao.ErrOverloaded (HTTP 503) instead of queueing without
// bound in the actors' mailboxes.
const MaxInflight = 8192

var _ gateway.WhatsApp = (*Gateway)(nil)

// New returns a simulated WhatsApp.
func New(log *slog.Logger) *Gateway {
	g := &Gateway{log: log, sessions: map[string]*session{}, inflight: make(chan struct{}, MaxInflight)}
	g.history.Store(PhoneHistory)
	return g
}

// KeepPerPhone sets how many outbound messages the phones keep from now on (at least 1; a
// message beyond them sent again with its id is taken as new). The bench harness keeps few: it
// reads its phones' replies as they come, and the heap of 10 000 phones' histories lengthened
// every garbage collection of the engine in the same process.
func (g *Gateway) KeepPerPhone(n int) { g.history.Store(int64(max(n, 1))) }

// FailSends makes n of the office's sends fail, after skip more succeed, with a temporary
// error (ErrConnectionLost), as when WhatsApp's connection drops mid-send; then they succeed
// again. For tests of what the office does when WhatsApp goes away.
func (g *Gateway) FailSends(office string, skip, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.outages == nil {
		g.outages = map[string]*outage{}
	}
	g.outages[office] = &outage{skip: skip, fail: n}
	g.outagesSet.Store(true)
}

// failing reports whether the office's next send fails (see FailSends).
func (g *Gateway) failing(office string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	o := g.outages[office]
	switch {
	case o == nil:
		return false
	case o.skip > 0:
		o.skip--
		return false
	case o.fail > 0:
		if o.fail--; o.fail == 0 {
			delete(g.outages, office)
		}
		return true
	}
	return false
}

// Open starts the office's simulated session. Opening again replaces the sink.
func (g *Gateway) Open(_ context.Context, office string, sink gateway.Sink) (gateway.Session, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	phones := map[string][]Sent{}
	if old, ok := g.sessions[office]; ok {
		old.mu.Lock()
		phones, old.closed = old.phones, true // the phones keep what they received
		old.mu.Unlock()
	}
	s := &session{g: g, office: office, sink: sink, phones: phones}
	g.sessions[office] = s
	return s, nil
}

func (g *Gateway) session(office string) (*session, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s, ok := g.sessions[office]
	return s, ok
}

// Deliver hands an inbound message to the office as WhatsApp would, and waits for the
// office's acknowledgement (the message is durably stored) or ctx's end. Without an id the
// message gets a new one and is stamped now; with an id it may be a redelivery, whose first
// time the simulator does not know: it arrives unstamped (see gateway.Inbound.Stamped), and the
// office looks the id up.
func (g *Gateway) Deliver(ctx context.Context, office, from, id, text string) (string, error) {
	stamped := id == ""
	if stamped {
		id = gateway.NewMessageID()
	}
	return g.deliver(ctx, office, from, id, text, time.Now(), stamped)
}

// DeliverFile is Deliver of a document (or image, or audio) the phone sends, with text as its
// caption ("" for none), as WhatsApp hands the office a media message it downloaded.
func (g *Gateway) DeliverFile(ctx context.Context, office, from, id, text string, f *gateway.File) (string, error) {
	stamped := id == ""
	if stamped {
		id = gateway.NewMessageID()
	}
	return g.deliverMedia(ctx, office, from, id, text, f, time.Now(), stamped)
}

// DeliverAt is Deliver of a message the phone sent at the given time, as WhatsApp stamps it:
// every delivery of one id must carry the same time (a redelivery is recognised by it).
func (g *Gateway) DeliverAt(ctx context.Context, office, from, id, text string, at time.Time) (string, error) {
	if id == "" {
		id = gateway.NewMessageID()
	}
	return g.deliver(ctx, office, from, id, text, at, true)
}

// deliver posts the message and waits for its acknowledgement. Its place among the messages
// in flight is given back when the engine acknowledges it, not when the wait ends: a message
// whose wait timed out is still in the engine.
func (g *Gateway) deliver(ctx context.Context, office, from, id, text string, at time.Time, stamped bool) (string, error) {
	return g.deliverMedia(ctx, office, from, id, text, nil, at, stamped)
}

// deliverMedia is deliver of a message that may carry a file (nil for none).
func (g *Gateway) deliverMedia(ctx context.Context, office, from, id, text string, f *gateway.File, at time.Time, stamped bool) (string, error) {
	done := make(chan error, 1)
	if err := g.post(office, from, id, text, f, at, stamped, func(err error) { done <- err }); err != nil {
		return "", err
	}
	select {
	case err := <-done:
		return id, err
	case <-ctx.Done():
		return "", fmt.Errorf("wait for ack: %w", ctx.Err())
	}
}

// Post delivers a message stamped at as DeliverAt does, without waiting for its
// acknowledgement: ack is called once, with nil when the message is durably stored (or was
// before) or with the reason it was not, on one of the engine's goroutines, and must not
// block. When Post returns an error (the office is unknown, or MaxInflight messages wait for
// theirs) ack is not called. The bench harness posts its offered load from one goroutine, as
// the whatsmeow gateway hands an office's messages over from one: a goroutine blocked in
// DeliverAt per message in flight made hundreds of them, each doing the GC's minimum assist
// (64 KB of marking) on its first allocation in a cycle.
func (g *Gateway) Post(office, from, id, text string, at time.Time, ack func(error)) error {
	return g.post(office, from, id, text, nil, at, true, ack)
}

// post hands the message (with its file, if not nil) to the office's session, taking a place
// among the messages in flight until ack is called.
func (g *Gateway) post(office, from, id, text string, f *gateway.File, at time.Time, stamped bool, ack func(error)) error {
	s, ok := g.session(office)
	if !ok {
		return fmt.Errorf("office %s: %w", office, balcao.ErrNotFound)
	}
	select {
	case g.inflight <- struct{}{}:
	default:
		return fmt.Errorf("deliver to %s: %w", office, balcao.ErrOverloaded)
	}
	in := gateway.NewInbound(office, from, id, text, at, func(err error) {
		<-g.inflight
		ack(err)
	})
	in.Stamped = stamped
	in.Media = f
	s.sink.Deliver(in)
	return nil
}

// Read reports that a phone read the office's message of WhatsApp id id: a read receipt, as
// WhatsApp sends when the client opens the chat. The id is not checked against what the phone
// got (WhatsApp only reports its own): tests use it to send the engine ids it must ignore.
func (g *Gateway) Read(office, phone, id string) error {
	s, ok := g.session(office)
	if !ok {
		return fmt.Errorf("office %s: %w", office, balcao.ErrNotFound)
	}
	s.sink.Receipt(&gateway.Receipt{Office: office, To: phone, ID: id, Status: balcao.StatusRead, At: time.Now()})
	return nil
}

// Sent is a message the office sent to a phone, as the phone sees it.
type Sent struct {
	ID       string           `json:"id"`
	Text     string           `json:"text"`
	Document *balcao.Document `json:"document"`
	At       time.Time        `json:"at"`
}

// Outbound returns the messages the office sent to a phone, oldest first, after the message
// with id after ("" for all that are kept).
func (g *Gateway) Outbound(office, phone, after string) ([]Sent, error) {
	s, ok := g.session(office)
	if !ok {
		return nil, fmt.Errorf("office %s: %w", office, balcao.ErrNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.phones[phone]
	start := 0
	if after != "" {
		for i := len(list) - 1; i >= 0; i-- {
			if list[i].ID == after {
				start = i + 1
				break
			}
		}
	}
	return append([]Sent{}, list[start:]...), nil
}

type session struct {
	g      *Gateway
	office string
	sink   gateway.Sink

	mu     sync.Mutex
	phones map[string][]Sent // mu guards it
	closed bool
}

// Errors of the simulated session.
var (
	// ErrSessionClosed is returned by Send after Close.
	ErrSessionClosed = errors.New("whatsapp session closed")
	// ErrAlreadyPaired is returned by PairPhone: a simulated session is always linked.
	ErrAlreadyPaired = errors.New("simulated whatsapp is always paired")
	// ErrConnectionLost is returned by the sends FailSends makes fail.
	ErrConnectionLost = errors.New("whatsapp connection lost (simulated)")
)

func (s *session) Send(_ context.Context, m *gateway.Outbound) error {
	if s.g.outagesSet.Load() && s.g.failing(s.office) {
		return ErrConnectionLost
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrSessionClosed
	}
	list := s.phones[m.To]
	for _, old := range list {
		if old.ID == m.ID {
			s.mu.Unlock()
			return nil // a retry of a message WhatsApp already has
		}
	}
	if keep := int(s.g.history.Load()); len(list) >= keep {
		list = append(list[:0], list[len(list)-keep+1:]...)
	}
	s.phones[m.To] = append(list, Sent{ID: m.ID, Text: m.Text, Document: m.Document, At: time.Now()})
	s.mu.Unlock()
	s.sink.Receipt(&gateway.Receipt{Office: s.office, To: m.To, ID: m.ID, Status: balcao.StatusDelivered, At: time.Now()})
	return nil
}

func (s *session) Status() gateway.Status {
	return gateway.Status{State: gateway.StateConnected, Phone: "simulado"}
}

func (s *session) PairPhone(context.Context, string) (string, error) {
	return "", ErrAlreadyPaired
}

// Logout of the simulator only closes the session: there is nothing to unlink.
func (s *session) Logout(context.Context) error { return s.Close() }

func (s *session) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.g.mu.Lock()
	if s.g.sessions[s.office] == s {
		delete(s.g.sessions, s.office)
	}
	s.g.mu.Unlock()
	return nil
}
