package storage

import (
	"path/filepath"
	"runtime"
	"sync"
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
// so the yields are taken where it writes its files: gentleFS wraps every table and blob file
// it creates, and the event listener names those a flush creates before their first write.
// Sleeping there instead, as compactions do, failed: a flush woken from each pause waited
// behind the turns for a core, took ten times as long and stalled the writes. A flush does not
// yield when it is behind: when another full memtable waits after it (read once per file, as
// its first write claims it; a bulk load of 1M conversations otherwise queued memtables up to
// the stall and peaked 130 MiB higher), while a write stall is under way, and once the database
// closes.
//
// 30 000 msg/s, 40 sockets, 5 alternated pairs: reply p99 11.9–28.0 → 14.7–18.4 ms, staff
// 18.9–40.0 → 19.1–27.3 ms (BENCHMARKS.md, fourteenth round).
type flushYield struct {
	stalled func() bool                 // a write stall is under way (pebbleEvents)
	behind  atomic.Pointer[func() bool] // a full memtable waits after the one being flushed (set once open)
	closing atomic.Bool
	yields  atomic.Uint64 // for the tests

	mu      sync.Mutex
	outputs map[string]struct{} // files a flush created and has not written yet
}

func newFlushYield(stalled func() bool) *flushYield {
	return &flushYield{stalled: stalled, outputs: map[string]struct{}{}}
}

// open gives y the database, once opened: a flush is behind when it holds more than the mutable
// memtable and the one being flushed (Pebble's metrics, read once per flushed file).
func (y *flushYield) open(pdb *pebble.DB) {
	behind := func() bool { return pdb.Metrics().MemTable.Count > 2 }
	y.behind.Store(&behind)
}

// created is told of every table and blob file Pebble creates, with why ("flushing",
// "compacting", "ingesting").
func (y *flushYield) created(path, reason string) {
	if reason != "flushing" {
		return
	}
	y.mu.Lock()
	y.outputs[path] = struct{}{}
	y.mu.Unlock()
}

// claim reports whether a flush created the file name and should yield as it writes it (it is
// not behind), and forgets the name.
func (y *flushYield) claim(name string) bool {
	y.mu.Lock()
	_, ok := y.outputs[name]
	delete(y.outputs, name)
	y.mu.Unlock()
	if !ok {
		return false
	}
	behind := y.behind.Load()
	return behind == nil || !(*behind)()
}

// yielding reports whether Pebble may write name as a flush's output: a table or blob file.
func yielding(name string) bool {
	switch filepath.Ext(name) {
	case ".sst", ".blob":
		return true
	}
	return false
}

// flushFile is a table or blob file; once its first write finds it is a flush's that may yield
// (claim), each write yields.
type flushFile struct {
	vfs.File
	name             string
	y                *flushYield
	checked, flushed bool
}

// Write writes b, then yields if a flush writes the file. Pebble writes a file from one
// goroutine at a time.
func (f *flushFile) Write(b []byte) (int, error) {
	n, err := f.File.Write(b)
	if !f.checked {
		f.checked, f.flushed = true, f.y.claim(f.name)
	}
	if f.flushed && !f.y.stalled() && !f.y.closing.Load() {
		f.y.yields.Add(1)
		runtime.Gosched()
	}
	return n, err
}
