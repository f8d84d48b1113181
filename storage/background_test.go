package storage

import (
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestBackground: the events count a flush from FlushBegin to FlushEnd and a compaction from
// CompactionBegin to CompactionEnd, and a collection while AnnounceCollection runs it.
func TestBackground(t *testing.T) {
	opts := Options(slog.New(slog.DiscardHandler))
	defer opts.Cache.Unref()
	ev := &pebbleEvents{log: slog.New(slog.DiscardHandler)}
	opts.EventListener = ev.listener()
	// What was under way as each flush's file and each compaction's table was created.
	var mu sync.Mutex
	var flushes, compactions []Background
	opts.FS = createdFS{FS: vfs.Default, created: func(name string, category vfs.DiskWriteCategory) {
		mu.Lock()
		defer mu.Unlock()
		if category == flushCategory {
			flushes = append(flushes, ev.background())
		} else if filepath.Ext(name) == ".sst" {
			compactions = append(compactions, ev.background())
		}
	}}
	pdb, err := pebble.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	fillAndFlush(t, pdb)
	if err := pdb.Compact(t.Context(), []byte("k/"), []byte("k0"), true); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	flush, compaction := slices.Clone(flushes), slices.Clone(compactions)
	mu.Unlock()
	if len(flush) == 0 || len(compaction) == 0 {
		t.Fatalf("%d flush files and %d compacted tables created, want both", len(flush), len(compaction))
	}
	for i, got := range flush {
		if want := (Background{Flushing: true}); got != want {
			t.Errorf("flush file %d created during %+v, want %+v", i, got, want)
		}
	}
	for i, got := range compaction {
		if want := (Background{Compacting: true}); got != want {
			t.Errorf("compacted table %d created during %+v, want %+v", i, got, want)
		}
	}
	if got := ev.background(); got != (Background{}) {
		t.Errorf("with nothing under way: %+v", got)
	}
	AnnounceCollection(func() {
		if got, want := ev.background(), (Background{Collecting: true}); got != want {
			t.Errorf("during a collection: %+v, want %+v", got, want)
		}
	})
	if got := ev.background(); got != (Background{}) {
		t.Errorf("after the collection: %+v", got)
	}
}
