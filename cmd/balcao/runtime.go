package main

import (
	"os"
	"runtime/debug"
)

// tuneGC trades memory for CPU the way a server on a dedicated machine should: collect less
// often (GOGC 400) but never let the heap pass a soft limit (768 MiB), where the collector
// works harder again. Under load this cut the GC's share of the CPU; set GOGC or GOMEMLIMIT
// in the environment to choose otherwise.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}
