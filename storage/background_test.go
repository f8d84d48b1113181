package storage

import (
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// backgroundFS records, as each table or blob file is created, what the events said was under
// way.
type backgroundFS struct {
	vfs.FS
	ev                *pebbleEvents
	mu                sync.Mutex
	flush, compaction []Background // for the files of flushes, and the tables of anything else
}

func (fs *backgroundFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	fs.mu.Lock()
	now := fs.ev.background()
	if category == flushCategory {
		fs.flush = append(fs.flush, now)
	} else if filepath.Ext(name) == ".sst" {
		fs.compaction = append(fs.compaction, now)
	}
	fs.mu.Unlock()
	return fs.FS.Create(name, category)
}

// TestBackground: the events count a flush from FlushBegin to FlushEnd and a compaction from
// CompactionBegin to CompactionEnd, and a collection while AnnounceCollection runs it.
func TestBackground(t *testing.T) {
	opts := Options(slog.New(slog.DiscardHandler))
	defer opts.Cache.Unref()
	ev := &pebbleEvents{log: slog.New(slog.DiscardHandler)}
	opts.EventListener = ev.listener()
	fs := &backgroundFS{FS: vfs.Default, ev: ev}
	opts.FS = fs
	pdb, err := pebble.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	fillAndFlush(t, pdb)
	if err := pdb.Compact(t.Context(), []byte("k/"), []byte("k0"), true); err != nil {
		t.Fatal(err)
	}
	fs.mu.Lock()
	flush, compaction := fs.flush, fs.compaction
	fs.mu.Unlock()
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
