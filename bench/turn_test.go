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
	for _, office := range h.offices {
		sub, _, _ := h.e.Hub().Subscribe(office, "", "", nil, "", 0)
		defer h.e.Hub().Unsubscribe(office, sub)
		go func() {
			for range sub.C {
			}
		}()
	}
	sim := h.e.Sim()
	phones := cfg.Offices * cfg.Phones
	var n atomic.Uint64
	send := func(count uint64) {
		var wg sync.WaitGroup
		for range 256 {
			wg.Go(func() {
				for {
					i := n.Add(1) - 1
					if i >= count {
						return
					}
					o, p := int(i)%cfg.Offices, int(i)/cfg.Offices%cfg.Phones
					if _, err := sim.DeliverAt(ctx, h.offices[o], h.phone(o, p), benchID(i), "oi", time.Now()); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	send(uint64(phones)) // every conversation spawned and greeted once
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	start := n.Load()
	send(start + uint64(b.N))
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/msg")
}
