package whatsapp

import (
	"context"
	"errors"
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
		{"pairing failed", waiting, whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventError, Error: errors.New("bad signature")}, types.JID{}, gateway.Status{State: gateway.StateLoggedOut, Error: "pairing failed: bad signature"}, true},
		{"scanned by an old phone", waiting, whatsmeow.QRChannelScannedWithoutMultidevice, types.JID{}, gateway.Status{State: gateway.StateWaitingQR, QR: "2@abc", Error: errNoMultidevice}, true},
		{"unexpected state is left to the events", waiting, whatsmeow.QRChannelErrUnexpectedEvent, types.JID{}, waiting, false},
		{"disconnect while pairing is left to the qr channel", waiting, &events.Disconnected{}, types.JID{}, waiting, false},
		{"dropped connection", connected, &events.Disconnected{}, own, gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, true},
		{"reconnect failed", gateway.Status{State: gateway.StateConnecting, Phone: "+554830000001"}, connectFailed{err: errors.New("dial tcp: no route to host")}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: "dial tcp: no route to host"}, true},
		{"keepalive lost", connected, &events.KeepAliveTimeout{ErrorCount: 1}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errKeepAlive}, true},
		{"keepalive back", gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errKeepAlive}, &events.KeepAliveRestored{}, own, connected, true},
		{"unlinked on the phone", connected, &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, types.JID{}, gateway.Status{State: gateway.StateLoggedOut, Error: "unlinked: 401: logged out from another device"}, true},
		{"unlinked here", connected, unlinked{}, types.JID{}, gateway.Status{State: gateway.StateLoggedOut}, true},
		{"replaced", connected, &events.StreamReplaced{}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errStreamReplaced}, true},
		{"banned", connected, &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: (&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}).String()}, true},
		{"outdated", connected, &events.ClientOutdated{}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: errClientOutdated}, true},
		{"connect failure", connected, &events.ConnectFailure{Reason: events.ConnectFailureGeneric}, own, gateway.Status{State: gateway.StateUnreachable, Phone: "+554830000001", Error: "connect failure: 400: unknown error"}, true},
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
	b := newStatusBoard(func(s gateway.Status) { got = append(got, s) })
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
	b := newStatusBoard(func(gateway.Status) {})
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
