package storage

import (
	"runtime"
	"sync"
	"sync/atomic"
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
	done     *sync.Cond // on mu: a grant round or a metrics reading ended
	db       pebble.DBForCompaction
	opened   bool // Open returned: grants may start
	stopped  bool // Unregister was called: no more grants
	granting bool // a grant round is under way (one at a time)
	sampling bool // the granter is reading the database's metrics (l0)
	running  int  // granted compactions not yet done

	poke chan struct{} // a grant round, soon
	quit chan struct{} // closed by Unregister: the granter ends

	pace    paceConfig
	l0      func() int    // L0's sublevels now (set by open)
	behind  atomic.Bool   // L0 has pace.behind sublevels or more: compactions run unpaced
	closing atomic.Bool   // Unregister was called: what runs finishes unpaced (Close waits for it)
	paused  atomic.Int64  // ns compactions slept (StoreStats.CompactionPaused)
	yields  atomic.Uint64 // between pauses (for the tests)
}

var _ pebble.CompactionScheduler = (*compactionGate)(nil)
var _ pebble.CompactionGrantHandle = (*pacedCompaction)(nil)

func newCompactionGate() *compactionGate {
	g := &compactionGate{poke: make(chan struct{}, 1), quit: make(chan struct{}), pace: defaultPace}
	g.done = sync.NewCond(&g.mu)
	return g
}

// open lets compactions run: at once, then whenever the database asks, and every 100 ms (as
// Pebble's default scheduler samples what it allows).
func (g *compactionGate) open(l0Sublevels func() int) {
	g.mu.Lock()
	g.opened, g.l0 = true, l0Sublevels
	g.mu.Unlock()
	go g.granter()
}

func (g *compactionGate) granter() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		g.grant()
		g.mu.Lock()
		// Pebble's metrics only while there is a compaction to pace, and never once the
		// database is closing (Unregister waits for a reading under way).
		g.sampling = g.running > 0 && !g.stopped
		sample := g.sampling
		g.mu.Unlock()
		if sample {
			g.behind.Store(g.l0() >= g.pace.behind)
			g.mu.Lock()
			g.sampling = false
			g.done.Broadcast()
			g.mu.Unlock()
		}
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
		if waiting, _ := g.db.GetWaitingCompaction(); !waiting || !g.db.Schedule(&pacedCompaction{g: g}) {
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

// Unregister is called when the database closes (without its lock): no grant and no metrics
// reading after it returns.
func (g *compactionGate) Unregister() {
	g.closing.Store(true)
	g.mu.Lock()
	g.stopped = true
	for g.granting || g.sampling {
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
	return true, &pacedCompaction{g: g}
}

// UpdateGetAllowedWithoutPermission: what the database allows may have grown (a flush).
func (g *compactionGate) UpdateGetAllowedWithoutPermission() {
	select {
	case g.poke <- struct{}{}:
	default:
	}
}

// ended counts a compaction that ended and lets the next be granted.
func (g *compactionGate) ended() {
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	g.UpdateGetAllowedWithoutPermission()
}

// paceConfig is how compactions share the CPU with the turns.
type paceConfig struct {
	share  float64       // of one core's time a compaction takes while it runs (1: unpaced)
	chunk  time.Duration // of work between its pauses
	behind int           // L0 sublevels from which compactions run unpaced
}

// defaultPace: a compaction works at most half the time, in 2 ms stretches, while L0 holds
// fewer than 12 sublevels (it is compacted from 4, see L0CompactionThreshold).
var defaultPace = paceConfig{share: 0.5, chunk: 2 * time.Millisecond, behind: 12}

// pacedCompaction is the grant handle of one compaction. Pebble calls CumulativeStats every
// 128 keys the compaction writes, from the compaction's goroutine, and lets it block there to
// pace the compaction: after each chunk of work (wall time since the last pause) the
// compaction sleeps long enough to keep its share of the time, so that a compaction takes at
// most that share of a core instead of a whole one for as long as it runs. On two cores a
// compaction at full speed left the turns one core for a few hundred milliseconds: at half the
// ramp's maximum those seconds' reply p99 was 45-55 ms against 3-6 ms in quiet ones. Between
// pauses it yields the processor at each report, as flushes do at each write (flushYield): the
// turns queued behind it run first. 30 000 msg/s, 3 pairs: reply p99 16.4–23.9 → 14.7–19.7
// ms; 24 000 with faults, 2 pairs: 12.1 / 15.0 → 13.6 / 12.6 (BENCHMARKS.md, fourteenth round).
type pacedCompaction struct {
	g    *compactionGate
	last time.Time // end of the last pause (or the start): the work since is what it paces
}

func (h *pacedCompaction) Started() { h.last = time.Now() }

func (h *pacedCompaction) MeasureCPU(pebble.CompactionGoroutineKind) {}

func (h *pacedCompaction) CumulativeStats(pebble.CompactionGrantHandleStats) {
	p := h.g.pace
	if p.share >= 1 {
		return
	}
	now := time.Now()
	if h.last.IsZero() { // not Started: no work to measure yet
		h.last = now
		return
	}
	unpaced := h.g.behind.Load() || h.g.closing.Load()
	if now.Sub(h.last) < p.chunk {
		if !unpaced {
			h.g.yields.Add(1)
			runtime.Gosched()
		}
		return
	}
	if unpaced {
		h.last = now
		return
	}
	work := now.Sub(h.last)
	rest := time.Duration(float64(work) * (1 - p.share) / p.share)
	time.Sleep(rest)
	h.g.paused.Add(int64(rest))
	h.last = time.Now()
}

func (h *pacedCompaction) Done() { h.g.ended() }
