package whatsim_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"

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
