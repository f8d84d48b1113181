package main

import (
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/balcao/balcao/storage"
)

// earlyGC starts each collection itself while a share of the heap's headroom is still left.
// With the collector paced by the memory limit (GOGC off, see tuneRuntime) the runtime starts
// a cycle only 3–9 MB short of its goal ("668->673->160 MB, 671 MB goal" in GODEBUG=gctrace=1
// at 1 500–3 000 msg/s): that runway is gone long before the mark ends, and the goroutines that
// allocate meanwhile (turns, socket writers) do the rest of the marking as assists, 130–145 ms
// of CPU per cycle taken from the work whose latency is measured. Started with a quarter of
// the headroom left, the background workers mark while the turns go on: at 1 500–3 000 msg/s
// assists 2–113 ms and the cycle's second at reply p99 20–78 ms instead of 57–147, for cycles
// a quarter more frequent at the same CPU per message. At 5 000 msg/s and more the goroutines
// allocating during the mark still assist (50–60 ms a cycle, as before): each one that runs
// out of credit marks at least 64 KB (BENCHMARKS.md, eleventh round).
type earlyGC struct {
	share   float64 // of the headroom (goal - live) left when a cycle starts
	minimum uint64  // of heap grown since the last cycle before one starts
	samples []metrics.Sample
}

func newEarlyGC(share float64, minimum uint64) *earlyGC {
	return &earlyGC{share: share, minimum: minimum, samples: []metrics.Sample{
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}}
}

// run checks the heap every interval, forever.
func (g *earlyGC) run(every time.Duration) {
	for range time.Tick(every) {
		g.check()
	}
}

// check starts a collection (and waits for it) when the heap is due one, announced through
// storage.AnnounceCollection (DB.Background reports it); it reports whether it did.
func (g *earlyGC) check() bool {
	metrics.Read(g.samples)
	goal, live, heap := g.samples[0].Value.Uint64(), g.samples[1].Value.Uint64(), g.samples[2].Value.Uint64()
	if !due(heap, live, goal, g.share, g.minimum) {
		return false
	}
	storage.AnnounceCollection(runtime.GC)
	return true
}

// due reports whether a heap of heap bytes, live after the last cycle and heading for goal,
// should be collected now: it has grown past all but share of its headroom, and by minimum.
func due(heap, live, goal uint64, share float64, minimum uint64) bool {
	if goal <= live || heap < live+minimum {
		return false
	}
	return float64(heap-live) >= (1-share)*float64(goal-live)
}
