package storage

import (
	"sync"
	"sync/atomic"
	"time"
)

// WAL sync pacing (Options.WALMinSyncInterval): under load, a WAL fsync waits walSyncGap
// after the one before, so that one fsync makes more commits durable; below walBusyCommits
// commits a second every sync goes at once, so that a quiet office's messages never wait.
//
// An fsync is ~65 µs of system CPU on this virtual disk (its profile at 1 500 msg/s: 90 µs
// per message, 1.6 fsyncs each). At 1 900 msg/s the gap made fsyncs 0.86 → 0.35 per message,
// CPU per message 7 % lower, and a second's p99 without a flush or GC cycle 7–15 → 4–8 ms;
// always on, it cost 0.7 ms of p50 at 500 msg/s, where a turn's commits follow each other
// within the gap (BENCHMARKS.md, seventh round).
const (
	walSyncGap     = 500 * time.Microsecond
	walBusyCommits = 2500 // a second, over the last walRateWindow
	walRateWindow  = 100 * time.Millisecond
)

// walPacer decides the gap after each WAL sync from the writer's recent commit rate.
type walPacer struct {
	commits atomic.Pointer[atomic.Uint64] // the writer's commit counter, once it runs
	now     func() time.Time              // time.Now; tests move it

	mu   sync.Mutex
	at   time.Time // start of the current window
	n    uint64    // commits counted at its start
	busy bool      // the last window's rate was above walBusyCommits
}

// minSyncInterval is Pebble's WALMinSyncInterval: called after each sync.
func (p *walPacer) minSyncInterval() time.Duration {
	c := p.commits.Load()
	if c == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if d := now.Sub(p.at); d >= walRateWindow {
		n := c.Load()
		p.busy = !p.at.IsZero() && float64(n-p.n) > walBusyCommits*d.Seconds()
		p.at, p.n = now, n
	}
	if p.busy {
		return walSyncGap
	}
	return 0
}
