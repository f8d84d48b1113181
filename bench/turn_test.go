package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTurn measures the engine's inbound path alone: greetings delivered closed loop by 256
// senders to 10 offices × 200 linked phones (round robin, every phone's conversation already
// running), durably stored and answered by the assistant, with one in-process hub subscriber
// per office (no websocket, no HTTP, no staff socket). It reports the process's CPU per message
// (cpu-µs/msg) beside the wall time: on a shared machine the CPU figure moves far less.
func BenchmarkTurn(b *testing.B) {
	cfg := Config{Offices: 10, Phones: 200, Staff: 0, PebbleDuration: -1, ResultsDir: "-"}
	cfg.fill()
	h := &harness{cfg: cfg, dataDir: b.TempDir()}
	h.names()
	if err := h.start(); err != nil {
		b.Fatal(err)
	}
	defer h.stopEngine()
	ctx := context.Background()
	if err := h.createOffices(ctx, true); err != nil {
		b.Fatal(err)
	}
	drainHubs(b, h)
	var n atomic.Uint64
	send := func(count uint64) { deliverClosedLoop(b, h, &n, count, "oi") }
	send(uint64(cfg.Offices * cfg.Phones)) // every conversation spawned and greeted once
	measureCPU(b, &n, send)
}

// measureCPU times b.N more messages sent by send (numbered on from n), reporting the process's
// CPU per message beside the wall time.
func measureCPU(b *testing.B, n *atomic.Uint64, send func(count uint64)) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	send(n.Load() + uint64(b.N))
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/msg")
}

// drainHubs gives every office one in-process hub subscriber that discards what it reads, so
// that the hub fans out as it would to a staff socket.
func drainHubs(b *testing.B, h *harness) {
	hub := h.e.Hub()
	for _, office := range h.offices {
		sub, _, _ := hub.Subscribe(office, "", "", nil, "", 0)
		b.Cleanup(func() { hub.Unsubscribe(office, sub) })
		go func() {
			for range sub.C {
			}
		}()
	}
}

// deliverClosedLoop has 256 senders deliver text, each waiting for its acknowledgement before
// the next, round robin over every phone of every office, numbering the messages from n up to
// count; n is count afterwards.
func deliverClosedLoop(b *testing.B, h *harness, n *atomic.Uint64, count uint64, text string) {
	ctx, sim := context.Background(), h.e.Sim()
	var wg sync.WaitGroup
	for range 256 {
		wg.Go(func() {
			for {
				i := n.Add(1) - 1
				if i >= count {
					return
				}
				o, p := int(i)%h.cfg.Offices, int(i)/h.cfg.Offices%h.cfg.Phones
				if _, err := sim.DeliverAt(ctx, h.offices[o], h.phone(o, p), benchID(i), text, time.Now()); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	n.Store(count) // each sender took one number past the end
}
