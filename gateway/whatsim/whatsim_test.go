package whatsim_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/gateway/whatsim"
)

// receipts is a gateway.Sink that records the receipts it gets.
type receipts struct {
	mu  sync.Mutex
	ids []string
}

func (r *receipts) Deliver(*gateway.Inbound)     {}
func (r *receipts) StatusChanged(gateway.Status) {}
func (r *receipts) Receipt(rc *gateway.Receipt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, rc.ID)
}

// TestPhonesKeepTheirLatestMessages: a phone keeps the last KeepPerPhone messages, oldest
// first; a message sent again with an id it still keeps is not received twice.
func TestPhonesKeepTheirLatestMessages(t *testing.T) {
	g := whatsim.New(slog.New(slog.DiscardHandler))
	g.KeepPerPhone(3)
	sink := &receipts{}
	s, err := g.Open(context.Background(), "o1", sink)
	if err != nil {
		t.Fatal(err)
	}
	const phone = "5548999990001"
	for i := range 10 {
		if err := s.Send(context.Background(), &gateway.Outbound{Office: "o1", To: phone, ID: fmt.Sprint("M", i), Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Send(context.Background(), &gateway.Outbound{Office: "o1", To: phone, ID: "M9", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	sent, err := g.Outbound("o1", phone, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range sent {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{"M7", "M8", "M9"}) {
		t.Fatalf("phone keeps %v, want the last 3", ids)
	}
	if len(sink.ids) != 10 {
		t.Fatalf("%d delivery receipts, want 10 (the repeated M9 is not delivered again)", len(sink.ids))
	}
}

// inbounds is a gateway.Sink that keeps the inbound messages it gets, unacknowledged.
type inbounds struct {
	receipts
	in []*gateway.Inbound
}

func (s *inbounds) Deliver(in *gateway.Inbound) { s.in = append(s.in, in) }

// TestPostDoesNotWait: Post hands the message over stamped and returns before its
// acknowledgement, which reaches ack once; MaxInflight unacknowledged messages refuse the next
// until one is acknowledged; an unknown office is refused without ack.
func TestPostDoesNotWait(t *testing.T) {
	g := whatsim.New(slog.New(slog.DiscardHandler))
	sink := &inbounds{}
	if _, err := g.Open(context.Background(), "o1", sink); err != nil {
		t.Fatal(err)
	}
	var acks []error
	ack := func(err error) { acks = append(acks, err) }
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	if err := g.Post("o1", "5548999990001", "M1", "oi", at, ack); err != nil {
		t.Fatal(err)
	}
	if len(sink.in) != 1 || len(acks) != 0 {
		t.Fatalf("%d delivered, %d acks; want 1 delivered and no ack yet", len(sink.in), len(acks))
	}
	if in := sink.in[0]; !in.Stamped || !in.At.Equal(at) || in.ID != "M1" || in.Text != "oi" {
		t.Errorf("delivered %+v", in)
	}
	sink.in[0].Ack(balcao.ErrOverloaded)
	sink.in[0].Ack(nil)
	if len(acks) != 1 || !errors.Is(acks[0], balcao.ErrOverloaded) {
		t.Errorf("acks %v, want the first one only", acks)
	}

	for i := range whatsim.MaxInflight {
		if err := g.Post("o1", "5548999990001", fmt.Sprint("N", i), "oi", at, ack); err != nil {
			t.Fatalf("message %d of %d: %v", i, whatsim.MaxInflight, err)
		}
	}
	if err := g.Post("o1", "5548999990001", "X", "oi", at, ack); !errors.Is(err, balcao.ErrOverloaded) {
		t.Fatalf("with %d waiting: %v, want overloaded", whatsim.MaxInflight, err)
	}
	sink.in[1].Ack(nil)
	if err := g.Post("o1", "5548999990001", "X", "oi", at, ack); err != nil {
		t.Fatalf("once one is acknowledged: %v", err)
	}
	if err := g.Post("nope", "5548999990001", "Y", "oi", at, ack); !errors.Is(err, balcao.ErrNotFound) {
		t.Errorf("unknown office: %v, want not found", err)
	}
	if len(acks) != 2 {
		t.Errorf("%d acks, want 2 (refused posts are not acknowledged)", len(acks))
	}

	// A DeliverAt whose wait ends keeps its place until the engine acknowledges the message.
	sink.in[2].Ack(nil)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.DeliverAt(gone, "o1", "5548999990001", "W", "oi", at); !errors.Is(err, context.Canceled) {
		t.Fatalf("a wait whose context ended: %v", err)
	}
	if err := g.Post("o1", "5548999990001", "Z", "oi", at, ack); !errors.Is(err, balcao.ErrOverloaded) {
		t.Fatalf("with the timed-out message still in the engine: %v, want overloaded", err)
	}
	sink.in[len(sink.in)-1].Ack(nil)
	if err := g.Post("o1", "5548999990001", "Z", "oi", at, ack); err != nil {
		t.Fatalf("once the timed-out message is acknowledged: %v", err)
	}
}

// TestFailSends: after skip sends go through, the next n are refused with ErrConnectionLost
// (nothing received, no receipt), then sends go through again; other offices are not touched.
func TestFailSends(t *testing.T) {
	g := whatsim.New(slog.New(slog.DiscardHandler))
	sink := &receipts{}
	s, err := g.Open(context.Background(), "o1", sink)
	if err != nil {
		t.Fatal(err)
	}
	other, err := g.Open(context.Background(), "o2", &receipts{})
	if err != nil {
		t.Fatal(err)
	}
	g.FailSends("o1", 1, 2)
	var errs []error
	for i := range 4 {
		errs = append(errs, s.Send(context.Background(), &gateway.Outbound{Office: "o1", To: "5548999990001", ID: fmt.Sprint("M", i), Text: "oi"}))
		if err := other.Send(context.Background(), &gateway.Outbound{Office: "o2", To: "5548999990001", ID: fmt.Sprint("M", i), Text: "oi"}); err != nil {
			t.Fatalf("another office's send %d: %v", i, err)
		}
	}
	want := []error{nil, whatsim.ErrConnectionLost, whatsim.ErrConnectionLost, nil}
	for i := range want {
		if !errors.Is(errs[i], want[i]) {
			t.Fatalf("sends = %v, want %v", errs, want)
		}
	}
	got, _ := g.Outbound("o1", "5548999990001", "")
	if len(got) != 2 || got[0].ID != "M0" || got[1].ID != "M3" || !slices.Equal(sink.ids, []string{"M0", "M3"}) {
		t.Fatalf("received %+v, receipts %v; want M0 and M3", got, sink.ids)
	}
}
