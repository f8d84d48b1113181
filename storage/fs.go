package storage

import (
	"os"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// gentleFS is the operating system's file system with two changes: the writes of a memtable
// flush's files yield the processor (flushYield, when flushes is set), and a large file is
// removed a chunk at a time (truncated by removeChunk, a pause, again) before it is unlinked, as
// RocksDB's delete scheduler does with bytes_max_delete_chunk.
//
// Freeing tens of megabytes at once stalls the disk for whoever syncs next, and the next to
// sync is the WAL, with every turn's commit waiting on it. On this project's machine (ext4,
// mounted with discard) unlinking a 28 MB file took 36–50 ms, and a WAL-like fdatasync loop
// saw 30–45 ms at that moment; truncating the file 2 MB at a time kept it under 10 ms. Pebble
// removes such files after the first memtable flush that follows a start (the WALs of its
// first, growing memtables, 7–28 MB, which it does not keep for recycling) and blob files it
// rewrote; in the bench, the slowest WAL fsync of that second went from 38–44 ms to 8–17 ms
// (BENCHMARKS.md, eighth round). Its sstables (about 1 MB here) are unlinked at once.
//
// Pebble removes only obsolete files, from its cleanup goroutine (and leftovers in Open), so
// the pauses hold up nothing but that goroutine; a crash half-way leaves a shorter obsolete
// file, which the next Open removes as it removes any other.
type gentleFS struct {
	vfs.FS
	flushes *flushYield
}

const removeChunk = 2 << 20

var (
	removePause  = 5 * time.Millisecond
	truncateFile = os.Truncate // a test counts the steps
)

// Create creates the named file; a memtable flush's file is wrapped so that its writes yield.
func (fs gentleFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, category)
	if err != nil || fs.flushes == nil {
		return f, err
	}
	return fs.flushes.wrap(f, category), nil
}

// Remove removes the named file, a chunk at a time when it is larger than two chunks.
func (fs gentleFS) Remove(name string) error {
	if fi, err := fs.Stat(name); err == nil && fi.Mode().IsRegular() && fi.Size() > 2*removeChunk {
		for size := fi.Size() - removeChunk; size > 0; size -= removeChunk {
			if truncateFile(name, size) != nil {
				break // the unlink below still removes it, at once
			}
			time.Sleep(removePause)
		}
	}
	return fs.FS.Remove(name)
}
