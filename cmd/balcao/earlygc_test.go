package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestEarlyGCIsDue(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		heap, live, goal uint64
		want             bool
	}{
		{heap: 500 * mb, live: 100 * mb, goal: 700 * mb, want: false}, // 400 of 600 MB grown
		{heap: 550 * mb, live: 100 * mb, goal: 700 * mb, want: true},  // three quarters
		{heap: 690 * mb, live: 100 * mb, goal: 700 * mb, want: true},
		{heap: 120 * mb, live: 100 * mb, goal: 110 * mb, want: false}, // grown by less than the minimum
		{heap: 800 * mb, live: 700 * mb, goal: 700 * mb, want: false}, // no headroom: the runtime's call
	} {
		if got := due(c.heap, c.live, c.goal, 0.25, 32*mb); got != c.want {
			t.Errorf("due(heap %d, live %d, goal %d MB) = %v, want %v", c.heap/mb, c.live/mb, c.goal/mb, got, c.want)
		}
	}
}

// TestEarlyGCStartsTheCycle: with the collector paced by a memory limit, as tuneRuntime sets
// it, earlyGC starts a cycle while the heap is still short of its goal, before the runtime
// would.
func TestEarlyGCStartsTheCycle(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(stats.Sys) + 256<<20))

	cycles := []metrics.Sample{{Name: "/gc/cycles/automatic:gc-cycles"}, {Name: "/gc/heap/goal:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(cycles)
	automatic := cycles[0].Value.Uint64()
	g := newEarlyGC(0.25, 32<<20)
	var sink [][]byte
	for i := 0; ; i++ {
		sink = append(sink[len(sink)-min(len(sink), 8):], make([]byte, 1<<20)) // garbage but the last 8 MB
		metrics.Read(cycles)
		heap, goal := cycles[2].Value.Uint64(), cycles[1].Value.Uint64()
		if g.check() {
			if heap >= goal {
				t.Fatalf("started at %d MB, the goal being %d MB: not early", heap>>20, goal>>20)
			}
			break
		}
		if i == 2048 {
			t.Fatal("no cycle started after 2 GB of garbage")
		}
	}
	metrics.Read(cycles)
	if got := cycles[0].Value.Uint64(); got != automatic {
		t.Fatalf("the runtime started %d cycles of its own first", got-automatic)
	}
	runtime.KeepAlive(sink)
}
