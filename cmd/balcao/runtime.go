package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

// tuneRuntime sets the Go runtime up the way a server on a dedicated machine should; set
// GOGC, GOMEMLIMIT or GOMAXPROCS in the environment to choose otherwise.
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
// The runtime gets one more P than cores (Go's default is one per core): with one per core, a
// memtable flush or a compaction holding a P holds a core for its whole length (0.4–0.5 s of
// CPU for a flush), and the turns share the other; with one more P the kernel time-slices the
// threads over the cores, and the turns keep about two thirds of the machine. At 2 750 msg/s on
// two cores a run's reply p99 went from 25–44 to 18–33 ms in 10 pairs (staff 32–58 to 27–45),
// for ~6 % more CPU per message, the ramp's maximum unchanged (BENCHMARKS.md, ninth round).
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
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
}
