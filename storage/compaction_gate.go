package storage

import (
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// compactionGate is Pebble's compaction scheduler (Options.Experimental.CompactionScheduler).
// It grants the compactions the database allows, as Pebble's default scheduler does, but none
// before Open returned: pebble.Open waits for running compactions before it lists obsolete
// files, and the default scheduler starts granting as soon as the database registers, early
// in Open. After a burst of writes (1M conversations seeded, or a crash under load) a restart
// then waited 7–8 s for one large compaction instead of 0.3 s (BENCHMARKS.md, sixth round).
type compactionGate struct {
	mu       sync.Mutex
	done     *sync.Cond // on mu: a grant round ended
	db       pebble.DBForCompaction
	opened   bool // Open returned: grants may start
	stopped  bool // Unregister was called: no more grants
	granting bool // a grant round is under way (one at a time)
	running  int  // granted compactions not yet done

	poke chan struct{} // a grant round, soon
	quit chan struct{} // closed by Unregister: the granter ends
}

var _ pebble.CompactionScheduler = (*compactionGate)(nil)
var _ pebble.CompactionGrantHandle = (*compactionGate)(nil)

func newCompactionGate() *compactionGate {
	g := &compactionGate{poke: make(chan struct{}, 1), quit: make(chan struct{})}
	g.done = sync.NewCond(&g.mu)
	return g
}

// open lets compactions run: at once, then whenever the database asks, and every 100 ms (as
// Pebble's default scheduler samples what it allows).
func (g *compactionGate) open() {
	g.mu.Lock()
	g.opened = true
	g.mu.Unlock()
	go g.granter()
}

func (g *compactionGate) granter() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		g.grant()
		select {
		case <-g.quit:
			return
		case <-t.C:
		case <-g.poke:
		}
	}
}

// grant starts as many waiting compactions as the database allows beyond those running.
func (g *compactionGate) grant() {
	g.mu.Lock()
	for g.granting {
		g.done.Wait()
	}
	if !g.opened || g.stopped {
		g.mu.Unlock()
		return
	}
	n := g.db.GetAllowedWithoutPermission() - g.running
	if n <= 0 {
		g.mu.Unlock()
		return
	}
	g.granting = true
	g.mu.Unlock()
	for ; n > 0; n-- {
		if waiting, _ := g.db.GetWaitingCompaction(); !waiting || !g.db.Schedule(g) {
			break
		}
		g.mu.Lock()
		g.running++
		g.mu.Unlock()
	}
	g.mu.Lock()
	g.granting = false
	g.done.Broadcast()
	g.mu.Unlock()
}

// Register is called by pebble.Open.
func (g *compactionGate) Register(_ int, db pebble.DBForCompaction) {
	g.mu.Lock()
	g.db = db
	g.mu.Unlock()
}

// Unregister is called when the database closes: no grant after it returns.
func (g *compactionGate) Unregister() {
	g.mu.Lock()
	g.stopped = true
	for g.granting {
		g.done.Wait()
	}
	g.mu.Unlock()
	close(g.quit)
}

// TrySchedule is the database asking to run a compaction now.
func (g *compactionGate) TrySchedule() (bool, pebble.CompactionGrantHandle) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened || g.stopped || g.db.GetAllowedWithoutPermission() <= g.running {
		return false, nil
	}
	g.running++
	return true, g
}

// UpdateGetAllowedWithoutPermission: what the database allows may have grown (a flush).
func (g *compactionGate) UpdateGetAllowedWithoutPermission() {
	select {
	case g.poke <- struct{}{}:
	default:
	}
}

// The grant handle: one for every compaction, counting them.

func (g *compactionGate) Started()                                          {}
func (g *compactionGate) MeasureCPU(pebble.CompactionGoroutineKind)         {}
func (g *compactionGate) CumulativeStats(pebble.CompactionGrantHandleStats) {}

func (g *compactionGate) Done() {
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	g.UpdateGetAllowedWithoutPermission()
}
