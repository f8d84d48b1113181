package storage

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// fillAndFlush writes 2 000 values of 300 bytes (the flush writes a blob file too) and flushes,
// twice.
func fillAndFlush(t *testing.T, pdb *pebble.DB) {
	t.Helper()
	for round := range 2 {
		for i := range 2000 {
			if err := pdb.Set(fmt.Appendf(nil, "k/%05d", i), bytes.Repeat([]byte{byte(round)}, 300), pebble.NoSync); err != nil {
				t.Fatal(err)
			}
		}
		if err := pdb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFlushesYield: the writes of a flush's tables and blob files yield, those of a
// compaction do not.
func TestFlushesYield(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillAndFlush(t, db.pdb)
	flushed := db.flushes.yields.Load()
	if flushed == 0 {
		t.Fatal("two flushes wrote their files without yielding")
	}
	if err := db.pdb.Compact(t.Context(), []byte("k/"), []byte("k0"), true); err != nil {
		t.Fatal(err)
	}
	if got := db.flushes.yields.Load(); got != flushed {
		t.Errorf("a compaction yielded %d times", got-flushed)
	}
}

// createdFS tells created of every file as it is created, with its disk-write category.
type createdFS struct {
	vfs.FS
	created func(name string, category vfs.DiskWriteCategory)
}

func (fs createdFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	fs.created(name, category)
	return fs.FS.Create(name, category)
}

// TestPebbleNamesFlushFiles: Pebble creates every table and blob file of a flush with
// flushCategory, and a compaction's with another, which is how gentleFS tells them apart.
func TestPebbleNamesFlushFiles(t *testing.T) {
	opts := Options(slog.New(slog.DiscardHandler))
	defer opts.Cache.Unref()
	var mu sync.Mutex
	got := map[string]vfs.DiskWriteCategory{} // by file name
	opts.FS = createdFS{FS: vfs.Default, created: func(name string, category vfs.DiskWriteCategory) {
		mu.Lock()
		got[filepath.Base(name)] = category
		mu.Unlock()
	}}
	pdb, err := pebble.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	outputs := func() (tables, blobs map[string]vfs.DiskWriteCategory) {
		mu.Lock()
		defer mu.Unlock()
		tables, blobs = map[string]vfs.DiskWriteCategory{}, map[string]vfs.DiskWriteCategory{}
		for name, c := range got {
			switch filepath.Ext(name) {
			case ".sst":
				tables[name] = c
			case ".blob":
				blobs[name] = c
			}
		}
		clear(got)
		return tables, blobs
	}
	fillAndFlush(t, pdb)
	tables, blobs := outputs()
	if len(tables) == 0 || len(blobs) == 0 {
		t.Fatalf("two flushes created tables %v and blob files %v, want both", tables, blobs)
	}
	for name, c := range tables {
		if c != flushCategory {
			t.Errorf("flushed table %s created as %q, want %q", name, c, flushCategory)
		}
	}
	for name, c := range blobs {
		if c != flushCategory {
			t.Errorf("flushed blob file %s created as %q, want %q", name, c, flushCategory)
		}
	}
	if err := pdb.Compact(t.Context(), []byte("k/"), []byte("k0"), true); err != nil {
		t.Fatal(err)
	}
	compacted, _ := outputs()
	if len(compacted) == 0 {
		t.Fatal("the compaction created no table")
	}
	for name, c := range compacted {
		if c == flushCategory {
			t.Errorf("compacted table %s created as a flush's", name)
		}
	}
}

// TestFlushesDoNotYieldWhenStalledOrClosing: a flush's file yields on each write, except when
// the flush is behind (another full memtable waits), while a write stall is under way or once
// the database closes; a file created for anything else never does.
func TestFlushesDoNotYieldWhenStalledOrClosing(t *testing.T) {
	dir := t.TempDir()
	stalled := false
	y := &flushYield{stalled: func() bool { return stalled }}
	fs := gentleFS{FS: vfs.Default, flushes: y}
	write := func(name string, category vfs.DiskWriteCategory) uint64 {
		t.Helper()
		f, err := fs.Create(filepath.Join(dir, name), category)
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
	if n := write("1.sst", flushCategory); n != 3 {
		t.Errorf("a flush's table: %d yields for 3 writes", n)
	}
	if n := write("2.blob", flushCategory); n != 3 {
		t.Errorf("a flush's blob file: %d yields for 3 writes", n)
	}
	if n := write("other.sst", "pebble-compaction"); n != 0 {
		t.Errorf("a compaction's table: %d yields", n)
	}
	behind := true
	isBehind := func() bool { return behind }
	y.behind.Store(&isBehind)
	if n := write("5.sst", flushCategory); n != 0 {
		t.Errorf("behind: %d yields", n)
	}
	behind = false
	if n := write("6.sst", flushCategory); n != 3 {
		t.Errorf("no longer behind: %d yields for 3 writes", n)
	}
	stalled = true
	if n := write("3.sst", flushCategory); n != 0 {
		t.Errorf("during a write stall: %d yields", n)
	}
	stalled = false
	y.closing.Store(true)
	if n := write("4.sst", flushCategory); n != 0 {
		t.Errorf("closing: %d yields", n)
	}
}
