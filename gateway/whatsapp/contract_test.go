package whatsapp

import (
	"context"
	"errors"
	"testing"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/gateway/whatsim"
)

// implementation is one gateway.WhatsApp under the contract, with a way to make a phone write
// to an office (which differs per implementation) that reports the office's acknowledgement.
type implementation struct {
	name    string
	open    func(t *testing.T) gateway.WhatsApp
	deliver func(t *testing.T, wa gateway.WhatsApp, s gateway.Session, office, from, id, text string) (acked bool)
}

func implementations() []implementation {
	return []implementation{
		{
			name: "whatsim",
			open: func(*testing.T) gateway.WhatsApp { return whatsim.New(discardLog()) },
			deliver: func(t *testing.T, wa gateway.WhatsApp, _ gateway.Session, office, from, id, text string) bool {
				_, err := wa.(*whatsim.Gateway).Deliver(context.Background(), office, from, id, text)
				return err == nil
			},
		},
		{
			name: "whatsmeow offline",
			open: func(t *testing.T) gateway.WhatsApp {
				g, _ := newTestGateway(t, blockDial)
				return g
			},
			deliver: func(t *testing.T, _ gateway.WhatsApp, s gateway.Session, _, from, id, text string) bool {
				e := dm(id, &waE2E.Message{Conversation: proto.String(text)})
				e.Info.Chat.User, e.Info.Sender.User = from, from
				return dispatch(s.(*session).client(), e)
			},
		},
	}
}

var states = map[gateway.State]bool{
	gateway.StateConnecting: true, gateway.StateWaitingQR: true, gateway.StateConnected: true,
	gateway.StateLoggedOut: true, gateway.StateUnreachable: true,
}

// TestContract runs the gateway contract, as far as it holds without WhatsApp's servers, against
// the simulated gateway and this one.
func TestContract(t *testing.T) {
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			t.Run("inbound is delivered and acknowledged", func(t *testing.T) {
				wa := impl.open(t)
				sink := newFakeSink()
				s, err := wa.Open(context.Background(), "office-1", sink)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if !impl.deliver(t, wa, s, "office-1", "5548999990001", "3EB0C1", "me manda a guia") {
					t.Fatal("stored message not acknowledged")
				}
				in, _, _ := sink.snapshot()
				if len(in) != 1 || in[0].Office != "office-1" || in[0].From != "5548999990001" || in[0].ID != "3EB0C1" || in[0].Text != "me manda a guia" {
					t.Fatalf("delivered %d messages, want the one sent", len(in))
				}
				sink.ack = func(in *gateway.Inbound) { in.Ack(errors.New("disk full")) }
				if impl.deliver(t, wa, s, "office-1", "5548999990001", "3EB0C2", "oi") {
					t.Error("message the office failed to store was acknowledged")
				}
			})
			t.Run("status is a known state", func(t *testing.T) {
				wa := impl.open(t)
				s, err := wa.Open(context.Background(), "office-1", newFakeSink())
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if st := s.Status(); !states[st.State] {
					t.Errorf("Status() = %+v, want a known state", st)
				}
			})
			t.Run("pairing an invalid phone fails", func(t *testing.T) {
				wa := impl.open(t)
				s, err := wa.Open(context.Background(), "office-1", newFakeSink())
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if code, err := s.PairPhone(context.Background(), "12"); err == nil {
					t.Errorf("PairPhone(12) = %q, want an error", code)
				}
			})
			t.Run("reopening replaces the session", func(t *testing.T) {
				wa := impl.open(t)
				first, err := wa.Open(context.Background(), "office-1", newFakeSink())
				if err != nil {
					t.Fatal(err)
				}
				sink := newFakeSink()
				second, err := wa.Open(context.Background(), "office-1", sink)
				if err != nil {
					t.Fatal(err)
				}
				defer second.Close()
				if err := first.Send(context.Background(), &gateway.Outbound{Office: "office-1", To: "5548999990001", ID: "3EB0C3", Text: "oi"}); err == nil {
					t.Error("Send on the replaced session succeeded")
				}
				if !impl.deliver(t, wa, second, "office-1", "5548999990001", "3EB0C4", "oi") {
					t.Error("the new session does not receive")
				}
			})
			t.Run("close", func(t *testing.T) {
				wa := impl.open(t)
				s, err := wa.Open(context.Background(), "office-1", newFakeSink())
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatalf("Close = %v", err)
				}
				if err := s.Close(); err != nil {
					t.Errorf("second Close = %v", err)
				}
				if err := s.Send(context.Background(), &gateway.Outbound{Office: "office-1", To: "5548999990001", ID: "3EB0C5", Text: "oi"}); err == nil {
					t.Error("Send after Close succeeded")
				}
			})
		})
	}
}
