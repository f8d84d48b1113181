package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// fakeCompactor is a database with compactions waiting and room for two at a time.
type fakeCompactor struct{ scheduled int }

func (f *fakeCompactor) GetAllowedWithoutPermission() int { return 2 }
func (f *fakeCompactor) GetWaitingCompaction() (bool, pebble.WaitingCompaction) {
	return true, pebble.WaitingCompaction{}
}
func (f *fakeCompactor) Schedule(pebble.CompactionGrantHandle) bool { f.scheduled++; return true }

// TestCompactionGateWaitsForOpen: nothing is granted before open; then up to what the
// database allows, and again once a compaction is done; nothing after Unregister.
func TestCompactionGateWaitsForOpen(t *testing.T) {
	g := newCompactionGate()
	db := &fakeCompactor{}
	g.Register(2, db)
	if ok, _ := g.TrySchedule(); ok {
		t.Fatal("a compaction was granted before Open returned")
	}
	g.grant()
	if db.scheduled != 0 {
		t.Fatalf("%d compactions scheduled before Open returned", db.scheduled)
	}
	g.opened = true // open, without the granter goroutine: grants are made by hand here
	if ok, _ := g.TrySchedule(); !ok {
		t.Fatal("no compaction granted once open")
	}
	g.grant() // one running, two allowed: one more
	if db.scheduled != 1 || g.running != 2 {
		t.Fatalf("scheduled %d, running %d; want 1 and 2", db.scheduled, g.running)
	}
	if ok, _ := g.TrySchedule(); ok {
		t.Fatal("a third compaction was granted with two allowed")
	}
	g.ended()
	g.grant()
	if db.scheduled != 2 || g.running != 2 {
		t.Fatalf("after one was done: scheduled %d, running %d; want 2 and 2", db.scheduled, g.running)
	}
	g.ended()
	g.Unregister()
	if ok, _ := g.TrySchedule(); ok {
		t.Fatal("a compaction was granted after Unregister")
	}
	g.grant()
	if db.scheduled != 2 {
		t.Fatalf("%d compactions scheduled after Unregister", db.scheduled)
	}
}

// TestCompactionsRunAfterOpen: with the gate, a real database still compacts once open.
func TestCompactionsRunAfterOpen(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for round := range 4 {
		b := &Batch{}
		for i := range 500 {
			b.Put(MessageKey("o1", fmt.Sprint(i), uint64(round+1)), &balcao.Message{Text: "compact me"})
		}
		if err := db.Writer.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := db.pdb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for db.Stats().Compactions == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no compaction after 4 flushes: %+v", db.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCompactionsArePaced: a compaction that reports its progress sleeps as long as it worked
// (share 0.5), in pauses after each chunk of work, and yields at the reports between them;
// none of either while L0 is behind, once the database closes, or unpaced.
func TestCompactionsArePaced(t *testing.T) {
	for _, tc := range []struct {
		name    string
		share   float64
		behind  bool
		closing bool
		want    time.Duration // elapsed for 10 ms of work
		yields  uint64        // of its 20 reports
	}{
		{"paced", 0.5, false, false, 20 * time.Millisecond, 15}, // 5 chunks of 4 reports: 3 yield
		{"a third", 1.0 / 3, false, false, 30 * time.Millisecond, 15},
		{"behind", 0.5, true, false, 10 * time.Millisecond, 0},
		{"closing", 0.5, false, true, 10 * time.Millisecond, 0},
		{"unpaced", 1, false, false, 10 * time.Millisecond, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newCompactionGate()
				g.pace.share = tc.share
				g.behind.Store(tc.behind)
				g.closing.Store(tc.closing)
				h := &pacedCompaction{g: g}
				start := time.Now()
				h.Started()
				for range 20 { // 128 keys written in 0.5 ms each time
					time.Sleep(500 * time.Microsecond)
					h.CumulativeStats(pebble.CompactionGrantHandleStats{})
				}
				if got := time.Since(start); got != tc.want {
					t.Errorf("10 ms of work took %v, want %v", got, tc.want)
				}
				if got := g.yields.Load(); got != tc.yields {
					t.Errorf("%d yields, want %d", got, tc.yields)
				}
			})
		})
	}
}

// TestUnstartedCompactionIsNotPaced: a handle whose Started was not called measures its work
// from its first report, not from the zero time (which would put it to sleep for ages).
func TestUnstartedCompactionIsNotPaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &pacedCompaction{g: newCompactionGate()}
		start := time.Now()
		h.CumulativeStats(pebble.CompactionGrantHandleStats{})
		if slept := time.Since(start); slept != 0 {
			t.Fatalf("slept %v on its first report", slept)
		}
	})
}

// TestGateKnowsWhenL0IsBehind: the granter reads L0's sublevels once it granted a compaction,
// and every 100 ms while one runs; not while none does.
func TestGateKnowsWhenL0IsBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newCompactionGate()
		g.Register(2, &fakeCompactor{})
		var sublevels atomic.Int64
		sublevels.Store(int64(g.pace.behind))
		g.open(func() int { return int(sublevels.Load()) })
		defer g.Unregister()
		synctest.Wait()
		if !g.behind.Load() {
			t.Fatalf("%d sublevels: not behind", g.pace.behind)
		}
		sublevels.Store(int64(g.pace.behind - 1))
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if g.behind.Load() {
			t.Fatalf("%d sublevels: still behind", g.pace.behind-1)
		}
		g.ended()
		g.ended() // the fake's two compactions are done
		g.mu.Lock()
		g.stopped = true // and no more are granted
		g.mu.Unlock()
		sublevels.Store(int64(g.pace.behind))
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if g.behind.Load() {
			t.Fatal("L0 read with no compaction running")
		}
	})
}

// TestUnregisterWaitsForTheMetricsReading: Pebble's Close goes on once Unregister returns, so
// the granter's reading of L0 (DB.Metrics) must be over by then, and none may start after.
func TestUnregisterWaitsForTheMetricsReading(t *testing.T) {
	g := newCompactionGate()
	g.Register(2, &fakeCompactor{}) // two compactions granted at open: the granter reads L0
	entered, release := make(chan struct{}), make(chan struct{})
	var reading, readings atomic.Int64
	g.open(func() int {
		if readings.Add(1) == 1 {
			close(entered)
		}
		reading.Store(1)
		defer reading.Store(0)
		<-release
		return 0
	})
	<-entered
	unregistered := make(chan int64)
	go func() { g.Unregister(); unregistered <- reading.Load() }()
	select {
	case r := <-unregistered:
		t.Fatalf("Unregister returned during a reading of L0 (reading %d)", r)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if r := <-unregistered; r != 0 {
		t.Fatal("a reading of L0 under way after Unregister returned")
	}
	n := readings.Load()
	time.Sleep(250 * time.Millisecond) // the granter's ticks (100 ms) would read again
	if readings.Load() != n {
		t.Fatal("L0 read after Unregister")
	}
}
