package storage

import "sync/atomic"

// collections counts the garbage collections under way that their starter announced through
// HoldingCompactions.
var collections atomic.Int32

// HoldingCompactions runs collect, a garbage collection (cmd/balcao's earlyGC runs runtime.GC
// in it), while the compactions of every open database hold still at their next pause, as they
// do while a memtable flushes (pacedCompaction.holdStill): the collector takes a quarter of the
// processors for 50–80 ms and sweeps after, and a compaction beside it left the turns too little.
// The runtime gives no signal of its own cycles, so only those started here are known.
func HoldingCompactions(collect func()) {
	collections.Add(1)
	defer collections.Add(-1)
	collect()
}
