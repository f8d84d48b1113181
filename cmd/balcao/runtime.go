package main

import (
	"os"
	"runtime/debug"
	"time"
)

// tuneRuntime sets the Go runtime up the way a server on a dedicated machine should; set
// GOGC or GOMEMLIMIT in the environment to choose otherwise.
//
// The collector runs when the heap reaches a soft limit (768 MiB), not each time it has grown
// by a share of the live heap (GOGC off). Each cycle is a second whose p99 is several times the
// others' (BENCHMARKS.md, seventh round, where the bench's timelines show them): with a small
// live heap, GOGC 400 collected every 5–6 s at 1 900–2 500 msg/s, the limit alone every 20–30
// s, and the runs' reply p99 fell by a fifth. With a large live heap (100 000 live
// conversations hold ~500 MiB) the limit already set the pace, and it is what keeps the
// resident memory under 1 GB; a limit of half the machine's memory halved the GC cycles at
// 2 500 msg/s (third round) but breaks that target, so it stays fixed; GOMEMLIMIT raises it
// where memory is plentiful.
//
// The runtime keeps Go's one P per core (GOMAXPROCS). Sessions 8–12 gave it one more: a
// memtable flush or a compaction holding a P held a core, and a third P let the kernel
// time-slice the turns in. Since compactions are paced (storage.pacedCompaction) the third P
// costs more than it gives: its idle-priority mark worker takes a real core during every GC
// cycle. In 10 alternated pairs of fixed-rate runs (15 000–30 000 msg/s with 40 sockets, 5 500
// with 2 000) one P per core had the lower reply p99 in 9 and an equal one in the last, and
// 5–10 % less CPU per message; only at 3 000 msg/s was the third P ~0.3 ms better (BENCHMARKS.md,
// fourteenth round).
//
// With the collector paced by the limit, earlyGC starts the cycles a little before the runtime
// would, so that the background workers do the marking rather than the turns.
func tuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
		go newEarlyGC(0.25, 32<<20).run(50 * time.Millisecond)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}
