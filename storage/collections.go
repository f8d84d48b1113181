package storage

import "sync/atomic"

// collections counts the garbage collections under way that their starter announced.
var collections atomic.Int32

// AnnounceCollection runs collect, a garbage collection (cmd/balcao's earlyGC runs runtime.GC
// in it), with Background reporting it: the runtime gives no signal of its own cycles, and the
// bench harness counts its slow replies under what ran beside them (bench.Tail). For
// runtime.GC that is the mark and the sweep it finishes before it returns (100–230 ms at
// 26 000 msg/s, the mark alone 50–80).
func AnnounceCollection(collect func()) {
	collections.Add(1)
	defer collections.Add(-1)
	collect()
}
