package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/balcao/balcao/gateway"
)

func TestNextStatus(t *testing.T) {
	own := types.JID{User: "554830000001", Device: 12, Server: types.DefaultUserServer}.ToNonAD()
	connected := gateway.Status{State: gateway.StateConnected, Phone: "+554830000001"}
	waiting := gateway.Status{State: gateway.StateWaitingQR, QR: "2@abc"}
	start := gateway.Status{State: gateway.StateConnecting}
	tests := []struct {
		name   string
		cur    gateway.Status
		evt    any
		own    types.JID
		want   gateway.Status
		change bool
	}{
		{"dialing", gateway.Status{State: gateway.StateLoggedOut}, connecting{}, types.JID{}, start, true},
		{"qr code", start, whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@abc", Timeout: time.Minute}, types.JID{}, waiting, true},
		{"next qr code", waiting, whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@def"}, types.JID{}, gateway.Status{State: gateway.StateWaitingQR, QR: "2@def"}, true},
		{"scanned", waiting, &events.PairSuccess{ID: types.JID{User: "554830000001", Device: 12, Server: types.DefaultUserServer}}, types.JID{}, gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, true},
		{"qr success after pair success", gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, whatsmeow.QRChannelSuccess, own, gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, true},
		{"qr success after connected", connected, whatsmeow.QRChannelSuccess, own, connected, false},
		{"connected", gateway.Status{State: gateway.StateConnecting}, &events.Connected{}, own, connected, true},
		{"codes ran out", waiting, whatsmeow.QRChannelTimeout, types.JID{}, gateway.Status{State: gateway.StateLoggedOut, Error: errQRExpired}, true},
		{"pairing failed", waiting, whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventError, Error: errors.New("bad signature")}, types.JID{}, gateway.Status{State: gateway.StateLoggedOut, Error: errPairingFailed}, true},
		{"scanned by an old phone", waiting, whatsmeow.QRChannelScannedWithoutMultidevice, types.JID{}, gateway.Status{State: gateway.StateWaitingQR, QR: "2@abc", Error: errNoMultidevice}, true},
		{"unexpected state is left to the events", waiting, whatsmeow.QRChannelErrUnexpectedEvent, types.JID{}, waiting, false},
		{"disconnect while pairing is left to the qr channel", waiting, &events.Disconnected{}, types.JID{}, waiting, false},
		{"dropped connection", connected, &events.Disconnected{}, own, gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, true},
		{"reconnect failed", gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, connectFailed{err: errors.New("dial tcp: no route to host")}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errConnectFailed}, true},
		{"keepalive lost", connected, &events.KeepAliveTimeout{ErrorCount: 1}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errKeepAlive}, true},
		{"keepalive back", gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errKeepAlive}, &events.KeepAliveRestored{}, own, connected, true},
		{"unlinked on the phone", connected, &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, types.JID{}, gateway.Status{State: gateway.StateLoggedOut, Error: errLoggedOut}, true},
		{"unlinked here", connected, unlinked{}, types.JID{}, gateway.Status{State: gateway.StateLoggedOut}, true},
		{"replaced", connected, &events.StreamReplaced{}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errStreamReplaced}, true},
		{"banned", connected, &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errTemporaryBan}, true},
		{"outdated", connected, &events.ClientOutdated{}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errClientOutdated}, true},
		{"connect failure", connected, &events.ConnectFailure{Reason: events.ConnectFailureGeneric}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errRefused}, true},
		{"message is no state", connected, &events.Message{}, own, connected, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, change := nextStatus(tt.cur, tt.evt, tt.own)
			if got != tt.want || change != tt.change {
				t.Errorf("nextStatus(%+v, %T) = %+v, %v, want %+v, %v", tt.cur, tt.evt, got, change, tt.want, tt.change)
			}
		})
	}
}

// The board reports each change once, in order, and never a repeat.
func TestStatusBoard(t *testing.T) {
	var got []gateway.Status
	b := newStatusBoard(func(s gateway.Status) { got = append(got, s) }, slog.New(slog.DiscardHandler))
	own := types.JID{User: "554830000001", Server: types.DefaultUserServer}
	b.apply(connecting{}, types.JID{})
	b.apply(connecting{}, types.JID{}) // already connecting: no report
	b.apply(whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "c1"}, types.JID{})
	b.apply(whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "c1"}, types.JID{})
	b.apply(&events.PairSuccess{ID: own}, types.JID{})
	b.apply(&events.Connected{}, own)
	b.apply(&events.Connected{}, own)
	b.apply(&events.Message{}, own)
	want := []gateway.Status{
		{State: gateway.StateConnecting},
		{State: gateway.StateWaitingQR, QR: "c1"},
		{State: gateway.StateConnecting, Phone: "+554830000001"},
		{State: gateway.StateConnected, Phone: "+554830000001"},
	}
	if len(got) != len(want) {
		t.Fatalf("reported %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("report %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if s := b.get(); s != want[3] {
		t.Errorf("get() = %+v, want %+v", s, want[3])
	}
}

func TestStatusBoardWaitFor(t *testing.T) {
	b := newStatusBoard(func(gateway.Status) {}, slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() {
		done <- b.waitFor(context.Background(), func(s gateway.Status) bool { return s.State == gateway.StateWaitingQR })
	}()
	b.apply(whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "c1"}, types.JID{})
	if err := <-done; err != nil {
		t.Fatalf("waitFor = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.waitFor(ctx, func(s gateway.Status) bool { return s.State == gateway.StateConnected }); !errors.Is(err, context.Canceled) {
		t.Errorf("waitFor after cancel = %v, want context.Canceled", err)
	}
}

// TestStatusErrorForStaff: what Conexão WhatsApp shows next to the state is Portuguese, never
// whatsmeow's English error or reason code; that detail goes to the log.
func TestStatusErrorForStaff(t *testing.T) {
	own := types.JID{User: "554830000001", Server: types.DefaultUserServer}
	connected := gateway.Status{State: gateway.StateConnected, Phone: "+554830000001"}
	waiting := gateway.Status{State: gateway.StateWaitingQR, QR: "2@abc"}
	for _, tc := range []struct {
		name   string
		cur    gateway.Status
		evt    any
		detail string // in the log, not on the screen
	}{
		{"dial failed", connected, connectFailed{err: errors.New("dial tcp 157.240.0.1:443: connect: no route to host")}, "no route to host"},
		{"context canceled", connected, connectFailed{err: errors.New("start pairing: context canceled")}, "context canceled"},
		{"pairing error", waiting, &events.PairError{Error: errors.New("bad signature")}, "bad signature"},
		{"qr channel error", waiting, whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventError, Error: errors.New("EOF")}, "EOF"},
		{"logged out", connected, &events.LoggedOut{Reason: events.ConnectFailureLoggedOut}, "logged out from another device"},
		{"banned", connected, &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, "temporarily banned"},
		{"connect failure", connected, &events.ConnectFailure{Reason: events.ConnectFailureGeneric}, "unknown error"},
		{"auth refresh", connected, &events.CATRefreshError{Error: errors.New("invalid character 'x'")}, "invalid character"},
		{"keepalive", connected, &events.KeepAliveTimeout{ErrorCount: 3}, "keepalive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged bytes.Buffer
			var shown []gateway.Status
			b := newStatusBoard(func(s gateway.Status) { shown = append(shown, s) }, slog.New(slog.NewTextHandler(&logged, nil)))
			b.cur = tc.cur
			b.apply(tc.evt, own)
			if len(shown) != 1 || shown[0].Error == "" {
				t.Fatalf("apply(%T) reported %+v, want one status with an error", tc.evt, shown)
			}
			msg := shown[0].Error
			if strings.Contains(msg, tc.detail) || !portuguese(msg) {
				t.Errorf("apply(%T): staff read %q, want a Portuguese text without %q", tc.evt, msg, tc.detail)
			}
			if !strings.Contains(logged.String(), tc.detail) {
				t.Errorf("apply(%T) logged %q, want the detail %q", tc.evt, logged.String(), tc.detail)
			}
		})
	}
}

// portuguese reports whether s is one of the texts staff may read on Conexão WhatsApp.
func portuguese(s string) bool {
	switch s {
	case errQRExpired, errPairingFailed, errConnectFailed, errStreamReplaced, errClientOutdated,
		errKeepAlive, errNoMultidevice, errLoggedOut, errTemporaryBan, errRefused:
		return true
	}
	return false
}
