package main

import (
	"os"
	"runtime/debug"
)

// tuneGC trades memory for latency the way a server on a dedicated machine should: the
// collector runs when the heap reaches a soft limit (768 MiB), not each time it has grown by a
// share of the live heap (GOGC off); set GOGC or GOMEMLIMIT in the environment to choose
// otherwise.
//
// Each cycle is a second whose p99 is several times the others' (BENCHMARKS.md, seventh round,
// where the bench's timelines show them): with a small live heap, GOGC 400 collected every
// 5–6 s at 1 900–2 500 msg/s, the limit alone every 20–30 s, and the runs' reply p99 fell by a
// fifth. With a large live heap (100 000 live conversations hold ~500 MiB) the limit already
// set the pace, and it is what keeps the resident memory under 1 GB; a limit of half the
// machine's memory halved the GC cycles at 2 500 msg/s (third round) but breaks that target,
// so it stays fixed; GOMEMLIMIT raises it where memory is plentiful.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}
