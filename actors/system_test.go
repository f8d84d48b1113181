package actors

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/storage"
)

// fakeWhatsApp is WhatsApp where the simulator (whatsim) does not behave as the real one: it
// sends no receipt of its own, so that a message is reported sent (by the gateway actor,
// after Send) before any receipt, as whatsmeow reports it (the simulator reports a message
// delivered from within Send); and it can be down. It sends while allowed: allow < 0 without
// limit, 0 none (every send fails), n > 0 n more.
type fakeWhatsApp struct {
	mu    sync.Mutex
	sink  gateway.Sink
	sent  []gateway.Outbound
	allow int
}

var (
	_ gateway.WhatsApp = (*fakeWhatsApp)(nil)
	_ gateway.Session  = (*fakeWhatsApp)(nil)
)

var errWhatsAppDown = errors.New("whatsapp down (fake)")

func (w *fakeWhatsApp) Open(_ context.Context, _ string, sink gateway.Sink) (gateway.Session, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sink = sink
	return w, nil
}

func (w *fakeWhatsApp) Send(_ context.Context, m *gateway.Outbound) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.allow == 0 {
		return errWhatsAppDown
	}
	if w.allow > 0 {
		w.allow--
	}
	w.sent = append(w.sent, *m)
	return nil
}

func (w *fakeWhatsApp) Status() gateway.Status                            { return gateway.Status{} }
func (w *fakeWhatsApp) PairPhone(context.Context, string) (string, error) { return "", nil }
func (w *fakeWhatsApp) Logout(context.Context) error                      { return nil }
func (w *fakeWhatsApp) Close() error                                      { return nil }

// setAllow sets how many more sends succeed (see fakeWhatsApp).
func (w *fakeWhatsApp) setAllow(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.allow = n
}

// sentTo returns what was sent to phone, oldest first.
func (w *fakeWhatsApp) sentTo(phone string) []gateway.Outbound {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []gateway.Outbound
	for _, m := range w.sent {
		if m.To == phone {
			out = append(out, m)
		}
	}
	return out
}

// receipt reports a message's status to the office, as WhatsApp does.
func (w *fakeWhatsApp) receipt(office, phone, id, status string) {
	w.mu.Lock()
	sink := w.sink
	w.mu.Unlock()
	sink.Receipt(&gateway.Receipt{Office: office, To: phone, ID: id, Status: status, At: time.Now()})
}

// statusPublisher hands the test each message.status event the conversations publish (once the
// write that stored it is durable); the rest it drops.
type statusPublisher struct {
	statuses chan balcao.MessageStatusChanged
}

func (p statusPublisher) Publish(string, string, any) {}

func (p statusPublisher) PublishAll(_ string, events []balcao.Outgoing) {
	for _, e := range events {
		if e.Type != balcao.EventMessageStatus {
			continue
		}
		raw, err := json.Marshal(e.Data)
		var s balcao.MessageStatusChanged
		if err == nil {
			err = json.Unmarshal(raw, &s)
		}
		if err != nil {
			panic(err) // on the writer's goroutine: the test's process fails
		}
		select {
		case p.statuses <- s:
		default: // nobody is waiting for so many: the test reads only those it expects
		}
	}
}

// panicLog is the actors' log handler: it counts the panics of actors, which protoactor logs
// as "Recovering" with their reason before their supervisor decides, and drops the rest.
type panicLog struct {
	n       atomic.Int64
	mu      sync.Mutex
	reasons []string
}

func (p *panicLog) Enabled(context.Context, slog.Level) bool { return true }

func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "Recovering") {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "reason" {
			p.mu.Lock()
			p.reasons = append(p.reasons, a.Value.String())
			p.mu.Unlock()
		}
		return true
	})
	p.n.Add(1)
	return nil
}

func (p *panicLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *panicLog) WithGroup(string) slog.Handler      { return p }

// String lists the reasons of the panics so far.
func (p *panicLog) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.reasons, "; ")
}

// systemUnderTest is the actors of office o1 on a real store, with a fake WhatsApp.
type systemUnderTest struct {
	db       *storage.DB
	wa       *fakeWhatsApp
	sys      *System
	panics   *panicLog
	statuses <-chan balcao.MessageStatusChanged // see statusPublisher
}

// startSystem stores office o1, and what prepare puts in the same batch, on a new store, and
// starts the actors with wa as WhatsApp and the config as configure leaves it.
func startSystem(t *testing.T, wa *fakeWhatsApp, configure func(*Config), prepare func(b *storage.Batch)) *systemUnderTest {
	t.Helper()
	db, err := storage.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b := &storage.Batch{}
	b.Put(storage.OfficeKey("o1"), &balcao.Office{ID: "o1", Name: "Escritório", CreatedAt: time.Now()})
	if prepare != nil {
		prepare(b)
	}
	if err := db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	statuses := make(chan balcao.MessageStatusChanged, 64)
	panics := &panicLog{}
	cfg := Config{DB: db, WhatsApp: wa, Publisher: statusPublisher{statuses}, Log: slog.New(panics)}
	if configure != nil {
		configure(&cfg)
	}
	sys, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("stop actors: %v", err)
		}
		db.Close()
	})
	return &systemUnderTest{db: db, wa: wa, sys: sys, panics: panics, statuses: statuses}
}

// deliver hands the office an inbound message from phone and waits until it is stored.
func (s *systemUnderTest) deliver(t *testing.T, phone, id, text string) {
	t.Helper()
	acked := make(chan error, 1)
	s.sys.Deliver(gateway.NewInbound("o1", phone, id, text, time.Now(), func(err error) { acked <- err }))
	if err := await(t, acked, "acknowledgement of "+id); err != nil {
		t.Fatalf("deliver %s: %v", id, err)
	}
}

// running is how many conversation actors office o1 runs.
func (s *systemUnderTest) running(t *testing.T) int {
	t.Helper()
	st, err := s.sys.OfficeStats(t.Context(), "o1")
	if err != nil {
		t.Fatal(err)
	}
	return st.Conversations
}

// eventually polls cond until it holds, failing the test after 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
