package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// TestWALPacerFollowsTheCommitRate: no gap before the writer runs or while commits are below
// walBusyCommits a second; the gap once a window's rate is above it, until a window is quiet.
func TestWALPacerFollowsTheCommitRate(t *testing.T) {
	clock := time.Unix(1_700_000_000, 0)
	p := &walPacer{now: func() time.Time { return clock }}
	if got := p.minSyncInterval(); got != 0 {
		t.Fatalf("before the writer runs: %v, want 0", got)
	}
	var commits atomic.Uint64
	p.commits.Store(&commits)
	window := func(n uint64) time.Duration { // n commits in one window, then a sync
		commits.Add(n)
		clock = clock.Add(walRateWindow)
		return p.minSyncInterval()
	}
	perWindow := uint64(walBusyCommits * walRateWindow.Seconds())
	steps := []struct {
		commits uint64
		want    time.Duration
	}{
		{0, 0},                      // the first reading starts the count
		{perWindow / 2, 0},          // half the busy rate
		{perWindow * 2, walSyncGap}, // twice it
		{perWindow * 2, walSyncGap},
		{perWindow - 1, 0}, // just below it
		{perWindow * 3, walSyncGap},
		{0, 0}, // quiet
	}
	for i, s := range steps {
		if got := window(s.commits); got != s.want {
			t.Fatalf("window %d (%d commits): %v, want %v", i, s.commits, got, s.want)
		}
	}
	// Within a window the decision stands: syncs in quick succession are not re-judged.
	window(perWindow * 2)
	clock = clock.Add(walRateWindow / 10)
	if got := p.minSyncInterval(); got != walSyncGap {
		t.Fatalf("a sync within a busy window: %v, want %v", got, walSyncGap)
	}
}

// TestOpenPacesTheWAL: the database Open returns asks the pacer after its WAL syncs, with the
// writer's commits to go by.
func TestOpenPacesTheWAL(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var asked atomic.Int32
	db.wal.mu.Lock()
	db.wal.now = func() time.Time { asked.Add(1); return time.Now() }
	db.wal.mu.Unlock()
	for i := range 3 {
		b := &Batch{}
		b.Set([]byte(fmt.Sprintf("k%d", i)), []byte("v"))
		if err := db.Writer.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	if asked.Load() == 0 || db.wal.commits.Load() != &db.Writer.groups {
		t.Fatalf("pacer asked %d times after 3 synced commits, counting the writer's commits: %v", asked.Load(), db.wal.commits.Load() == &db.Writer.groups)
	}
}
