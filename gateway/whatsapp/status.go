package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/balcao/balcao/gateway"
)

// Signals of the session's own connection loop, fed to nextStatus beside whatsmeow's events.
type (
	// connecting is emitted when the session dials WhatsApp.
	connecting struct{}
	// connectFailed is emitted when dialing WhatsApp failed; the loop retries with backoff.
	connectFailed struct{ err error }
	// unlinked is emitted when the session removed its device (Logout) or found none.
	unlinked struct{}
)

// nextStatus returns the connection state after evt, given the current one and the linked
// account (own, empty before pairing). ok is false when evt does not change the state.
func nextStatus(cur gateway.Status, evt any, own types.JID) (next gateway.Status, ok bool) {
	phone := cur.Phone
	if !own.IsEmpty() {
		phone = "+" + own.User
	}
	switch e := evt.(type) {
	case connecting:
		return gateway.Status{State: gateway.StateConnecting, Phone: phone}, true
	case connectFailed:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errConnectFailed}, true
	case unlinked:
		return gateway.Status{State: gateway.StateLoggedOut}, true
	case whatsmeow.QRChannelItem:
		return qrStatus(cur, e)
	case *events.PairSuccess:
		return gateway.Status{State: gateway.StateConnecting, Phone: "+" + e.ID.User}, true
	case *events.PairError:
		return gateway.Status{State: gateway.StateLoggedOut, Error: errPairingFailed}, true
	case *events.Connected, *events.KeepAliveRestored:
		return gateway.Status{State: gateway.StateConnected, Phone: phone}, true
	case *events.Disconnected:
		if cur.State == gateway.StateWaitingQR || cur.State == gateway.StateLoggedOut {
			return cur, false // the QR channel reports the end of a pairing attempt
		}
		return gateway.Status{State: gateway.StateConnecting, Phone: phone}, true // whatsmeow reconnects
	case *events.KeepAliveTimeout:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errKeepAlive}, true
	case *events.LoggedOut:
		return gateway.Status{State: gateway.StateLoggedOut, Error: errLoggedOut}, true
	case *events.StreamReplaced:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errStreamReplaced}, true
	case *events.TemporaryBan:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errTemporaryBan}, true
	case *events.ClientOutdated:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errClientOutdated}, true
	case *events.ConnectFailure:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errRefused}, true
	case *events.CATRefreshError:
		return gateway.Status{State: gateway.StateUnreachable, Phone: phone, Error: errRefused}, true
	}
	return cur, false
}

// qrStatus is nextStatus for one item of whatsmeow's QR channel.
func qrStatus(cur gateway.Status, item whatsmeow.QRChannelItem) (gateway.Status, bool) {
	switch item.Event {
	case whatsmeow.QRChannelEventCode:
		return gateway.Status{State: gateway.StateWaitingQR, QR: item.Code}, true
	case whatsmeow.QRChannelSuccess.Event:
		if cur.State == gateway.StateConnected {
			return cur, false // Connected came first
		}
		return gateway.Status{State: gateway.StateConnecting, Phone: cur.Phone}, true
	case whatsmeow.QRChannelTimeout.Event:
		return gateway.Status{State: gateway.StateLoggedOut, Error: errQRExpired}, true
	case whatsmeow.QRChannelEventError:
		return gateway.Status{State: gateway.StateLoggedOut, Error: errPairingFailed}, true
	case whatsmeow.QRChannelClientOutdated.Event:
		return gateway.Status{State: gateway.StateUnreachable, Error: errClientOutdated}, true
	case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
		return gateway.Status{State: gateway.StateWaitingQR, QR: cur.QR, Error: errNoMultidevice}, true
	}
	return cur, false // err-unexpected-state: the connection's own events tell the state
}

// statusDetail is the technical detail of an event that sets Status.Error, for the log: staff
// read the Portuguese text instead.
func statusDetail(evt any) string {
	switch e := evt.(type) {
	case connectFailed:
		return e.err.Error()
	case *events.PairError:
		return fmt.Sprintf("pairing failed: %v", e.Error)
	case *events.LoggedOut:
		return "unlinked: " + e.Reason.String()
	case *events.TemporaryBan:
		return e.String()
	case *events.ConnectFailure:
		return "connect failure: " + e.Reason.String()
	case *events.CATRefreshError:
		return fmt.Sprintf("auth refresh failed: %v", e.Error)
	case *events.KeepAliveTimeout:
		return fmt.Sprintf("keepalive timeout (%d errors)", e.ErrorCount)
	case *events.StreamReplaced:
		return "stream replaced"
	case *events.ClientOutdated:
		return "client outdated"
	case whatsmeow.QRChannelItem:
		if e.Error != nil {
			return fmt.Sprintf("qr channel %s: %v", e.Event, e.Error)
		}
		return "qr channel " + e.Event
	}
	return fmt.Sprintf("%T", evt)
}

// statusBoard holds an office's connection state and reports every change to the sink, in
// order.
type statusBoard struct {
	notify func(gateway.Status)
	log    *slog.Logger // the technical detail of a failure, which staff are not shown

	mu      sync.Mutex
	cur     gateway.Status // mu guards it
	changed chan struct{}  // closed and replaced at every change; mu guards it
}

func newStatusBoard(notify func(gateway.Status), log *slog.Logger) *statusBoard {
	return &statusBoard{notify: notify, log: log, changed: make(chan struct{})}
}

func (b *statusBoard) get() gateway.Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur
}

// apply moves the state by evt and reports a change. The sink is called with mu held so that
// changes arrive in order; Sink.StatusChanged never blocks for long.
func (b *statusBoard) apply(evt any, own types.JID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	next, ok := nextStatus(b.cur, evt, own)
	if ok && next.Error != "" {
		b.log.Warn("whatsapp connection problem", "state", next.State, "detail", statusDetail(evt))
	}
	if !ok || next == b.cur {
		return
	}
	b.cur = next
	close(b.changed)
	b.changed = make(chan struct{})
	b.notify(next)
}

// waitFor waits until the state satisfies ok, or ctx ends.
func (b *statusBoard) waitFor(ctx context.Context, ok func(gateway.Status) bool) error {
	for {
		b.mu.Lock()
		cur, changed := b.cur, b.changed
		b.mu.Unlock()
		if ok(cur) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
