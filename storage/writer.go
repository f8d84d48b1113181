package storage

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// Batch is a set of changes committed atomically. Build it with Put, Set and Delete and hand it
// to Writer.Submit; it must not be touched afterwards.
type Batch struct {
	ops  []op
	size int
}

type op struct {
	key, value []byte
	del        bool
}

// Put stores a record encoded with msgpack.
func (b *Batch) Put(key []byte, record any) { b.Set(key, Encode(record)) }

// Set stores raw bytes.
func (b *Batch) Set(key, value []byte) {
	if b.ops == nil {
		b.ops = make([]op, 0, 16) // a turn's usual size: one allocation rather than five
	}
	b.ops = append(b.ops, op{key: key, value: value})
	b.size += len(key) + len(value)
}

// Delete removes a key.
func (b *Batch) Delete(key []byte) {
	if b.ops == nil {
		b.ops = make([]op, 0, 16)
	}
	b.ops = append(b.ops, op{key: key, del: true})
	b.size += len(key)
}

// Truncate drops the changes after the first n.
func (b *Batch) Truncate(n int) {
	for _, o := range b.ops[n:] {
		b.size -= len(o.key) + len(o.value)
	}
	b.ops = b.ops[:n]
}

// Len is the number of changes in the batch.
func (b *Batch) Len() int { return len(b.ops) }

// Writer is the one path by which actors persist: it merges the batches of every conversation
// into groups, applies each group to Pebble without waiting (pipelining up to maxInflight
// groups), and calls each batch's callback once its group is synced to disk. Callbacks run in
// commit order on the writer's sync goroutine: they must be quick and must not block (send an
// actor message, complete a channel).
//
// The submit queue holds queueSize batches; when it is full, Submit waits. Edges (HTTP,
// WhatsApp handlers) bound the work in flight so that this only happens when the disk stalls.
type Writer struct {
	pdb      *pebble.DB
	log      *slog.Logger
	reqs     chan request
	inflight chan group
	stopped  chan struct{}

	mu     sync.RWMutex // guards closed against sends on a closed reqs channel
	closed bool

	commits atomic.Uint64 // batches made durable
	groups  atomic.Uint64 // pebble commits
	// durable counts groups by the time from their apply to the end of their SyncWait: the
	// WAL write and fsync as the acknowledgements see them (see WriterStats).
	durable [DurableBuckets]atomic.Uint64
}

type request struct {
	b    *Batch
	done func(error)
}

type group struct {
	b       *pebble.Batch // nil when the group had no changes
	cbs     []func(error)
	err     error
	applied time.Time
}

const (
	queueSize     = 16384
	maxInflight   = 256
	maxGroupBytes = 4 << 20
	maxGroupSize  = 4096
)

func newWriter(pdb *pebble.DB, log *slog.Logger) *Writer {
	w := &Writer{
		pdb:      pdb,
		log:      log,
		reqs:     make(chan request, queueSize),
		inflight: make(chan group, maxInflight),
		stopped:  make(chan struct{}),
	}
	go w.commitLoop()
	go w.syncLoop()
	return w
}

// Submit queues b for a synced commit and calls done (if not nil) with the outcome once it is
// durable. A nil or empty b is a barrier: done runs after everything submitted before it is
// durable. It returns balcao.ErrClosed after Close began, and then done is never called.
func (w *Writer) Submit(b *Batch, done func(error)) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return balcao.ErrClosed
	}
	w.reqs <- request{b: b, done: done}
	return nil
}

// Commit submits b and waits until it is durable.
func (w *Writer) Commit(ctx context.Context, b *Batch) error {
	ch := make(chan error, 1)
	if err := w.Submit(b, func(err error) { ch <- err }); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DurableBuckets is the number of buckets of WriterStats.Durable.
const DurableBuckets = 16

// DurableBound is the upper bound of bucket i of WriterStats.Durable: 64 µs × 2^i (the last
// bucket has none: it counts everything from 1 s up).
func DurableBound(i int) time.Duration { return 64 * time.Microsecond << i }

// WriterStats are the writer's counters since it started; subtract two readings (Sub) to see
// a stretch of time.
type WriterStats struct {
	Batches uint64 // batches made durable
	Commits uint64 // synced Pebble commits (one WAL fsync may cover several pipelined ones)
	// Durable counts commits by how long they took from ApplyNoSyncWait to the end of their
	// SyncWait: bucket i below DurableBound(i), above the bound of i−1.
	Durable [DurableBuckets]uint64
}

// Stats reads the writer's counters.
func (w *Writer) Stats() WriterStats {
	s := WriterStats{Batches: w.commits.Load(), Commits: w.groups.Load()}
	for i := range s.Durable {
		s.Durable[i] = w.durable[i].Load()
	}
	return s
}

// Sub returns the counts between an earlier reading and s.
func (s WriterStats) Sub(earlier WriterStats) WriterStats {
	d := WriterStats{Batches: s.Batches - earlier.Batches, Commits: s.Commits - earlier.Commits}
	for i := range d.Durable {
		d.Durable[i] = s.Durable[i] - earlier.Durable[i]
	}
	return d
}

// DurableQuantile is the upper bound of the bucket holding quantile q (0–1) of the commits'
// durable times (the last bucket reports its lower bound), 0 without commits.
func (s WriterStats) DurableQuantile(q float64) time.Duration {
	var total uint64
	for _, n := range s.Durable {
		total += n
	}
	if total == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, n := range s.Durable {
		seen += n
		if seen >= want && n > 0 {
			if i == DurableBuckets-1 {
				break
			}
			return DurableBound(i)
		}
	}
	return DurableBound(DurableBuckets - 2)
}

func durableBucket(d time.Duration) int {
	i := 0
	for i < DurableBuckets-1 && d >= DurableBound(i) {
		i++
	}
	return i
}

func (w *Writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.stopped
}

func (w *Writer) commitLoop() {
	defer close(w.inflight)
	for r := range w.reqs {
		g := group{cbs: make([]func(error), 0, 8)}
		var pb *pebble.Batch
		add := func(r request) {
			g.cbs = append(g.cbs, r.done)
			if r.b == nil || len(r.b.ops) == 0 {
				return
			}
			if pb == nil {
				pb = w.pdb.NewBatch()
			}
			for _, o := range r.b.ops {
				if o.del {
					_ = pb.Delete(o.key, nil)
				} else {
					_ = pb.Set(o.key, o.value, nil)
				}
			}
		}
		add(r)
		more := true
		for more && len(g.cbs) < maxGroupSize && (pb == nil || pb.Len() < maxGroupBytes) {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					more = false
					break
				}
				add(r)
			default:
				more = false
			}
		}
		if pb != nil {
			g.b, g.applied = pb, time.Now()
			g.err = w.pdb.ApplyNoSyncWait(pb, pebble.Sync)
		}
		w.inflight <- g
	}
}

func (w *Writer) syncLoop() {
	defer close(w.stopped)
	for g := range w.inflight {
		err := g.err
		if g.b != nil {
			if err == nil {
				err = g.b.SyncWait()
			}
			w.durable[durableBucket(time.Since(g.applied))].Add(1)
			g.b.Close()
			w.groups.Add(1)
		}
		if err != nil {
			w.log.Error("commit batch group", "err", err, "batches", len(g.cbs))
		} else {
			w.commits.Add(uint64(len(g.cbs)))
		}
		for _, cb := range g.cbs {
			if cb != nil {
				cb(err)
			}
		}
	}
}
