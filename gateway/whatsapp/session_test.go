package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// dispatch hands evt to cli's event handlers as whatsmeow does after decrypting, and reports
// whether the handlers succeeded (whatsmeow then acks the message to WhatsApp).
func dispatch(cli *whatsmeow.Client, evt any) (acked bool) {
	return !cli.DangerousInternals().DispatchEvent(evt)
}

// The real whatsmeow client, its SynchronousAck handler and the session's translation, driven
// offline: a message is acked to WhatsApp only when the engine stored it.
func TestHandlerAcksOnlyStoredMessages(t *testing.T) {
	g, _ := newTestGateway(t, blockDial, WithAckTimeout(50_000_000))
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	cli := s.client()
	if !cli.SynchronousAck || !cli.EnableDecryptedEventBuffer {
		t.Fatalf("SynchronousAck %v, EnableDecryptedEventBuffer %v: want both", cli.SynchronousAck, cli.EnableDecryptedEventBuffer)
	}

	if !dispatch(cli, dm("3EB0H1", &waE2E.Message{Conversation: proto.String("quero o holerite")})) {
		t.Error("stored message not acked")
	}
	sink.ack = func(in *gateway.Inbound) { in.Ack(balcao.ErrOverloaded) }
	if dispatch(cli, dm("3EB0H2", &waE2E.Message{Conversation: proto.String("oi")})) {
		t.Error("message the engine refused was acked")
	}
	sink.ack = func(*gateway.Inbound) {} // never answers
	if dispatch(cli, dm("3EB0H3", &waE2E.Message{Conversation: proto.String("oi")})) {
		t.Error("message never acknowledged by the engine was acked")
	}
	sink.ack = nil
	group := dm("3EB0H4", &waE2E.Message{Conversation: proto.String("bom dia grupo")})
	group.Info.Chat, group.Info.IsGroup = groupJID, true
	if !dispatch(cli, group) {
		t.Error("group message not acked")
	}
	in, _, _ := sink.snapshot()
	if len(in) != 3 {
		t.Fatalf("delivered %d messages, want 3 (the group message stays out)", len(in))
	}
	if in[0].Office != "office-1" || in[0].From != "5548999990001" || in[0].ID != "3EB0H1" || in[0].Text != "quero o holerite" {
		t.Errorf("first inbound = %+v", in[0])
	}

	// LID sender mapped by whatsmeow's store: one contact.
	if err := s.store.LIDMap.PutLIDMapping(context.Background(), clientLID, clientPN); err != nil {
		t.Fatal(err)
	}
	byLID := dm("3EB0H5", &waE2E.Message{Conversation: proto.String("sou eu")})
	byLID.Info.Chat, byLID.Info.Sender = clientLID, clientLID
	if !dispatch(cli, byLID) {
		t.Error("message from a known lid not acked")
	}
	receipt := &events.Receipt{
		MessageSource: types.MessageSource{Chat: clientLID, Sender: clientLID},
		MessageIDs:    []types.MessageID{"3EB0OUT"},
		Type:          types.ReceiptTypeRead,
	}
	dispatch(cli, receipt)
	in, rc, _ := sink.snapshot()
	if in[3].From != "5548999990001" {
		t.Errorf("lid message from %q, want 5548999990001", in[3].From)
	}
	if len(rc) != 1 || rc[0].To != "5548999990001" || rc[0].ID != "3EB0OUT" || rc[0].Status != balcao.StatusRead {
		t.Errorf("receipts = %+v", rc)
	}
}

// Pairing from scratch: QR codes go to the staff, the scan links the phone, Connected shows
// the number.
func TestPairingByQR(t *testing.T) {
	g, d := newTestGateway(t, func(_ context.Context, cli *whatsmeow.Client) error {
		dispatch(cli, &events.QR{Codes: []string{"2@first", "2@second"}})
		return nil
	})
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	st := sink.waitStatus(t, "waiting for a qr", stateIs(gateway.StateWaitingQR))
	if st.QR != "2@first" {
		t.Fatalf("status = %+v, want the first code", st)
	}
	if s.Status() != st {
		t.Errorf("Status() = %+v, want %+v", s.Status(), st)
	}
	cli := <-d.ch
	// What whatsmeow does when the phone scans: store the device, then report.
	id := ownPhone
	cli.Store.ID = &id
	dispatch(cli, &events.PairSuccess{ID: id})
	dispatch(cli, &events.Connected{})
	st = sink.waitStatus(t, "connected", stateIs(gateway.StateConnected))
	if st.Phone != "+554830000001" {
		t.Errorf("status = %+v, want connected as +554830000001", st)
	}
	_, _, all := sink.snapshot()
	want := []gateway.State{gateway.StateConnecting, gateway.StateWaitingQR}
	for i, w := range want {
		if all[i].State != w {
			t.Errorf("status %d = %+v, want %s", i, all[i], w)
		}
	}
	if d.count() != 1 {
		t.Errorf("dialed %d times, want 1", d.count())
	}
}

// Codes that run out leave the session logged out until staff ask again; asking starts a new
// pairing on a fresh device.
func TestPairingExpiresAndRestarts(t *testing.T) {
	g, d := newTestGateway(t, func(_ context.Context, cli *whatsmeow.Client) error {
		dispatch(cli, &events.QR{Codes: []string{"2@a"}})
		return nil
	})
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	sink.waitStatus(t, "waiting for a qr", stateIs(gateway.StateWaitingQR))
	first := <-d.ch
	dispatch(first, &events.Disconnected{}) // the server closed the pairing socket
	st := sink.waitStatus(t, "logged out", stateIs(gateway.StateLoggedOut))
	if st.Error != errQRExpired {
		t.Errorf("status = %+v, want the expired-codes error", st)
	}
	if err := s.Connect(); err != nil {
		t.Fatal(err)
	}
	sink.waitStatus(t, "a new qr", stateIs(gateway.StateWaitingQR))
	if second := <-d.ch; second == first {
		t.Error("the second pairing reused the first attempt's client")
	}
}

// A linked device connects at Open without pairing, across restarts.
func TestRestartReconnectsWithoutQR(t *testing.T) {
	g, d := newTestGateway(t, nil)
	linkDevice(t, g, "office-1")
	for round := range 2 {
		sink := newFakeSink()
		sess, err := g.Open(context.Background(), "office-1", sink)
		if err != nil {
			t.Fatal(err)
		}
		s := sess.(*session)
		cli := <-d.ch
		if got := ownJID(cli); got != ownPhone.ToNonAD() {
			t.Fatalf("round %d: device %s, want %s", round, got, ownPhone)
		}
		dispatch(cli, &events.Connected{})
		sink.waitStatus(t, "connected", stateIs(gateway.StateConnected))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		_, _, all := sink.snapshot()
		for _, st := range all {
			if st.State == gateway.StateWaitingQR || st.State == gateway.StateLoggedOut {
				t.Errorf("round %d: status %+v, want no pairing", round, st)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(g.dir, "office-1.db")); err != nil {
		t.Errorf("device database: %v", err)
	}
}

// Failing to connect shows the staff a Portuguese reason (the English detail goes to the log)
// and retries with backoff.
func TestConnectRetries(t *testing.T) {
	g, d := newTestGateway(t, func(context.Context, *whatsmeow.Client) error {
		return errors.New("dial tcp: lookup web.whatsapp.com: no such host")
	})
	linkDevice(t, g, "office-1")
	sink := newFakeSink()
	openSession(t, g, "office-1", sink)
	st := sink.waitStatus(t, "unreachable", stateIs(gateway.StateUnreachable))
	if st.Error != errConnectFailed || st.Phone != "+554830000001" {
		t.Errorf("status = %+v", st)
	}
	eventually(t, "three attempts", func() bool { return d.count() >= 3 })
}

// Unlinked on the phone: logged out, the device is replaced, and no pairing starts by itself.
func TestLoggedOutOnPhone(t *testing.T) {
	g, d := newTestGateway(t, nil)
	linkDevice(t, g, "office-1")
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	cli := <-d.ch
	dispatch(cli, &events.Connected{})
	sink.waitStatus(t, "connected", stateIs(gateway.StateConnected))

	if err := cli.Store.Delete(context.Background()); err != nil { // as whatsmeow does
		t.Fatal(err)
	}
	dispatch(cli, &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut})
	st := sink.waitStatus(t, "logged out", stateIs(gateway.StateLoggedOut))
	if st.Error == "" || st.Phone != "" {
		t.Errorf("status = %+v, want the reason and no phone", st)
	}
	eventually(t, "a fresh device", func() bool { return s.client() != cli })
	if !ownJID(s.client()).IsEmpty() || d.count() != 1 {
		t.Errorf("after logout: device %s, %d dials; want none new", ownJID(s.client()), d.count())
	}
	err := s.Send(context.Background(), &gateway.Outbound{To: "5548999990001", ID: "3EB0L", Text: "oi"})
	if !errors.Is(err, ErrTransient) || !errors.Is(err, ErrNotLinked) {
		t.Errorf("Send while logged out = %v, want transient ErrNotLinked (kept for later)", err)
	}
}

func TestSessionMethods(t *testing.T) {
	g, d := newTestGateway(t, nil)
	linkDevice(t, g, "office-1")
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	<-d.ch

	// Linked but not logged in (nothing answers offline): Send fails fast and transiently.
	err := s.Send(context.Background(), &gateway.Outbound{To: "5548999990001", ID: "3EB0S1", Text: "oi"})
	if !errors.Is(err, ErrTransient) {
		t.Errorf("Send offline = %v, want transient", err)
	}
	err = s.Send(context.Background(), &gateway.Outbound{To: "5548999990001", ID: "3EB0S2", File: &gateway.File{Name: "guia.pdf", Data: nil}})
	if !errors.Is(err, ErrPermanent) || !errors.Is(err, ErrEmptyFile) {
		t.Errorf("Send empty pdf = %v, want permanent ErrEmptyFile", err)
	}
	if _, err := s.PairPhone(context.Background(), "5548999990001"); !errors.Is(err, ErrAlreadyLinked) {
		t.Errorf("PairPhone when linked = %v, want ErrAlreadyLinked", err)
	}
	if _, err := s.PairPhone(context.Background(), "12"); !errors.Is(err, ErrInvalidPhone) {
		t.Errorf("PairPhone(12) = %v, want ErrInvalidPhone", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := s.Send(context.Background(), &gateway.Outbound{To: "5548999990001", ID: "3EB0S3", Text: "oi"}); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Send after Close = %v, want ErrSessionClosed", err)
	}
	if err := s.Logout(context.Background()); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Logout after Close = %v, want ErrSessionClosed", err)
	}
}

// Logout of a session that was never linked just reports logged out.
func TestLogoutUnlinked(t *testing.T) {
	g, _ := newTestGateway(t, blockDial)
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	if err := s.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	sink.waitStatus(t, "logged out", stateIs(gateway.StateLoggedOut))
}

func TestOpenInvalidOffice(t *testing.T) {
	g, _ := newTestGateway(t, nil)
	for _, office := range []string{"", "../x", "a/b", ".hidden", "a?b"} {
		if _, err := g.Open(context.Background(), office, newFakeSink()); !errors.Is(err, ErrInvalidOffice) {
			t.Errorf("Open(%q) = %v, want ErrInvalidOffice", office, err)
		}
	}
}

// Unlinking from the staff UI while the gateway actor sends: Logout removes the device (its
// Store.ID) on the HTTP request's goroutine while Send checks the link on the actor's. Under
// -race this was a data race on whatsmeow's Store.ID.
func TestLogoutWhileSending(t *testing.T) {
	g, d := newTestGateway(t, nil)
	linkDevice(t, g, "office-1")
	sink := newFakeSink()
	s := openSession(t, g, "office-1", sink)
	<-d.ch
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := s.Send(context.Background(), &gateway.Outbound{To: "5548999990001", ID: fmt.Sprintf("3EB0W%d", i), Text: "oi"})
			if !errors.Is(err, ErrTransient) {
				t.Errorf("Send = %v, want transient (kept for later)", err)
				return
			}
		}
	}()
	if err := s.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	sink.waitStatus(t, "logged out", stateIs(gateway.StateLoggedOut))
	close(stop)
	<-done
	if err := s.Send(context.Background(), &gateway.Outbound{To: "5548999990001", ID: "3EB0WEND", Text: "oi"}); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Send after Logout = %v, want ErrNotLinked", err)
	}
}
