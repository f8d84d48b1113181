package storage

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestFlushesYield: the writes of a flush's tables and blob files yield, those of a
// compaction do not, and every file a flush named is claimed by its first write.
func TestFlushesYield(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for round := range 2 {
		for i := range 2000 { // values of 300 bytes: the flush writes a blob file too
			key := fmt.Appendf(nil, "k/%05d", i)
			if err := db.pdb.Set(key, bytes.Repeat([]byte{byte(round)}, 300), pebble.NoSync); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.pdb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	flushed := db.flushes.yields.Load()
	if flushed == 0 {
		t.Fatal("two flushes wrote their files without yielding")
	}
	db.flushes.mu.Lock()
	left := len(db.flushes.outputs)
	db.flushes.mu.Unlock()
	if left != 0 {
		t.Errorf("%d files a flush named were never claimed", left)
	}
	if err := db.pdb.Compact(t.Context(), []byte("k/"), []byte("k0"), true); err != nil {
		t.Fatal(err)
	}
	if got := db.flushes.yields.Load(); got != flushed {
		t.Errorf("a compaction yielded %d times", got-flushed)
	}
}

// TestFlushesDoNotYieldWhenStalledOrClosing: a flush's file yields on each write, except when
// the flush is behind (another full memtable waits), while a write stall is under way or once
// the database closes; a file no flush named never does.
func TestFlushesDoNotYieldWhenStalledOrClosing(t *testing.T) {
	dir := t.TempDir()
	stalled := false
	y := newFlushYield(func() bool { return stalled })
	fs := gentleFS{FS: vfs.Default, flushes: y}
	write := func(name string) uint64 {
		t.Helper()
		path := filepath.Join(dir, name)
		if name != "other.sst" {
			y.created(path, "flushing")
		} else {
			y.created(path, "compacting")
		}
		f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		before := y.yields.Load()
		for range 3 {
			if _, err := f.Write([]byte("block")); err != nil {
				t.Fatal(err)
			}
		}
		return y.yields.Load() - before
	}
	if n := write("1.sst"); n != 3 {
		t.Errorf("a flush's table: %d yields for 3 writes", n)
	}
	if n := write("2.blob"); n != 3 {
		t.Errorf("a flush's blob file: %d yields for 3 writes", n)
	}
	if n := write("other.sst"); n != 0 {
		t.Errorf("a compaction's table: %d yields", n)
	}
	behind := true
	isBehind := func() bool { return behind }
	y.behind.Store(&isBehind)
	if n := write("5.sst"); n != 0 {
		t.Errorf("behind: %d yields", n)
	}
	behind = false
	if n := write("6.sst"); n != 3 {
		t.Errorf("no longer behind: %d yields for 3 writes", n)
	}
	stalled = true
	if n := write("3.sst"); n != 0 {
		t.Errorf("during a write stall: %d yields", n)
	}
	stalled = false
	y.closing.Store(true)
	if n := write("4.sst"); n != 0 {
		t.Errorf("closing: %d yields", n)
	}
}
