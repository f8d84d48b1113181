package storage

import (
	"runtime"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// flushYield makes memtable flushes give way to the turns: each write of a file a flush
// creates yields the processor (runtime.Gosched), so that whatever was waiting for it runs
// before the flush goes on. The Go scheduler has no priorities: a flush (~90 ms of CPU for a
// 64 MB memtable, every second at 30 000 msg/s) otherwise keeps its processor until it is
// preempted, and the sstable writer's goroutine and the flush's hand each block to the other
// as the processor's next goroutine, ahead of every turn queued there. Its writes come every
// block (4 KB), so the turns wait for at most one block's work.
//
// Pebble gives a flush no grant handle to pace it by (compactions have one, pacedCompaction),
// so the yields are taken where it writes its files: Pebble creates a flush's tables and blob
// files with the disk-write category flushCategory, and gentleFS wraps those. Sleeping there
// instead, as compactions do, failed: a flush woken from each pause waited behind the turns for
// a core, took ten times as long and stalled the writes. A flush's file does not yield when
// the flush is behind, another full memtable waiting after it (read once, as the file is
// created: a bulk load must not queue memtables up to the stall), while a write stall is
// under way, or once the database closes.
//
// 30 000 msg/s, 40 sockets, 5 alternated pairs: reply p99 11.9–28.0 → 14.7–18.4 ms, staff
// 18.9–40.0 → 19.1–27.3 ms (BENCHMARKS.md, fourteenth round).
type flushYield struct {
	stalled func() bool                 // a write stall is under way (pebbleEvents)
	behind  atomic.Pointer[func() bool] // a full memtable waits after the one being flushed (set once open)
	closing atomic.Bool
	yields  atomic.Uint64 // for the tests
}

// flushCategory is the disk-write category Pebble creates a memtable flush's files with
// (getDiskWriteCategoryForCompaction; TestFlushesYield fails if it changes).
const flushCategory vfs.DiskWriteCategory = "pebble-memtable-flush"

// open gives y the database, once opened: a flush is behind when it holds more than the mutable
// memtable and the one being flushed (Pebble's metrics, read once per flushed file).
func (y *flushYield) open(pdb *pebble.DB) {
	behind := func() bool { return pdb.Metrics().MemTable.Count > 2 }
	y.behind.Store(&behind)
}

// wrap returns f, created with category, as it should be written: a flush's file that yields
// unless the flush is behind, or f itself.
func (y *flushYield) wrap(f vfs.File, category vfs.DiskWriteCategory) vfs.File {
	if category != flushCategory {
		return f
	}
	if behind := y.behind.Load(); behind != nil && (*behind)() {
		return f
	}
	return &flushFile{File: f, y: y}
}

// flushFile is a file a flush writes: each write yields.
type flushFile struct {
	vfs.File
	y *flushYield
}

// Write writes b, then yields unless a write stall is under way or the database closes.
func (f *flushFile) Write(b []byte) (int, error) {
	n, err := f.File.Write(b)
	if !f.y.stalled() && !f.y.closing.Load() {
		f.y.yields.Add(1)
		runtime.Gosched()
	}
	return n, err
}
