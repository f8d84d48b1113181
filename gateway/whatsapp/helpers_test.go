package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"

	"github.com/balcao/balcao/gateway"
)

// fakeSink stands in for the engine: it records what the gateway hands it and acknowledges
// inbound messages as ack says (nil: stored at once).
type fakeSink struct {
	ack func(in *gateway.Inbound)

	mu       sync.Mutex
	inbound  []*gateway.Inbound
	receipts []*gateway.Receipt
	statuses []gateway.Status
	changed  chan struct{} // closed and replaced at every call
}

var _ gateway.Sink = (*fakeSink)(nil)

func newFakeSink() *fakeSink { return &fakeSink{changed: make(chan struct{})} }

func (f *fakeSink) bump() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeSink) Deliver(in *gateway.Inbound) {
	f.mu.Lock()
	f.inbound = append(f.inbound, in)
	f.bump()
	ack := f.ack
	f.mu.Unlock()
	if ack == nil {
		in.Ack(nil)
		return
	}
	ack(in)
}

func (f *fakeSink) Receipt(r *gateway.Receipt) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.receipts = append(f.receipts, r)
	f.bump()
}

func (f *fakeSink) StatusChanged(s gateway.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, s)
	f.bump()
}

func (f *fakeSink) snapshot() (in []*gateway.Inbound, rc []*gateway.Receipt, st []gateway.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*gateway.Inbound(nil), f.inbound...), append([]*gateway.Receipt(nil), f.receipts...), append([]gateway.Status(nil), f.statuses...)
}

// waitStatus waits until the last status reported satisfies ok, and returns it.
func (f *fakeSink) waitStatus(t *testing.T, what string, ok func(gateway.Status) bool) gateway.Status {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		ch := f.changed
		var last gateway.Status
		if n := len(f.statuses); n > 0 {
			last = f.statuses[n-1]
		}
		f.mu.Unlock()
		if ok(last) {
			return last
		}
		select {
		case <-ch:
		case <-deadline:
			_, _, all := f.snapshot()
			t.Fatalf("no status %s; got %+v", what, all)
		}
	}
}

func stateIs(s gateway.State) func(gateway.Status) bool {
	return func(st gateway.Status) bool { return st.State == s }
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testGateway returns a gateway on a temporary dir whose connect never leaves the machine: it
// calls dial, counted, instead.
type dialer struct {
	mu    sync.Mutex
	calls int
	dial  func(ctx context.Context, cli *whatsmeow.Client) error
	ch    chan *whatsmeow.Client // every client dialed, in order
}

func (d *dialer) connect(ctx context.Context, cli *whatsmeow.Client) error {
	d.mu.Lock()
	d.calls++
	dial := d.dial
	d.mu.Unlock()
	select {
	case d.ch <- cli:
	default:
	}
	if dial == nil {
		return nil
	}
	return dial(ctx, cli)
}

func (d *dialer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls
}

func newTestGateway(t *testing.T, dial func(ctx context.Context, cli *whatsmeow.Client) error, opts ...Option) (*Gateway, *dialer) {
	t.Helper()
	g, err := New(t.TempDir(), discardLog(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	d := &dialer{dial: dial, ch: make(chan *whatsmeow.Client, 16)}
	g.connect = d.connect
	g.backoff = func(int) time.Duration { return time.Millisecond }
	t.Cleanup(func() { _ = g.Close() })
	return g, d
}

// ownPhone is the office's own number in the tests.
var ownPhone = types.JID{User: "554830000001", Device: 12, Server: types.DefaultUserServer}

// linkDevice stores a paired device for office, as pairing would have.
func linkDevice(t *testing.T, g *Gateway, office string) {
	t.Helper()
	ctx := context.Background()
	c, err := sqlstore.New(ctx, "sqlite", g.dsn(office), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := c.NewDevice()
	id := ownPhone
	d.ID = &id
	d.Account = &waAdv.ADVSignedDeviceIdentity{
		Details:             []byte{1},
		AccountSignature:    make([]byte, 64),
		AccountSignatureKey: make([]byte, 32),
		DeviceSignature:     make([]byte, 64),
	}
	if err := d.Save(ctx); err != nil {
		t.Fatal(err)
	}
}

func openSession(t *testing.T, g *Gateway, office string, sink gateway.Sink) *session {
	t.Helper()
	s, err := g.Open(context.Background(), office, sink)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s.(*session)
}

// blockDial never connects: it holds the attempt until the session closes.
func blockDial(ctx context.Context, _ *whatsmeow.Client) error {
	<-ctx.Done()
	return ctx.Err()
}

// eventually polls cond until it holds, failing after 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
