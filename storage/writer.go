package storage

import (
	"bytes"
	"cmp"
	"context"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

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
	// free holds, by capacity class, the Pebble batches of synced groups, reset, for the next
	// groups: their buffers, grown to a group's size, are reused rather than allocated again
	// (Pebble's own pool is emptied by every garbage collection).
	free [freeClasses]chan *pebble.Batch
	// freeBytes is the sum of the capacities in free (commitLoop and syncLoop both change it).
	freeBytes atomic.Int64
	stopped   chan struct{}

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
	class   int           // capacity class of b's buffer (see classCap)
	cbs     []func(error)
	err     error
	applied time.Time
}

const (
	queueSize   = 16384
	maxInflight = 256
	// Capacity classes of the Pebble batches kept in free: 4 KB to 1 MB (what Pebble's Reset
	// keeps), at most freePerClass each and maxFreeBytes in all.
	freeClasses   = 9
	freePerClass  = 64
	maxFreeBytes  = 4 << 20
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
	for i := range w.free {
		w.free[i] = make(chan *pebble.Batch, freePerClass)
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

// CommitSettled submits b and returns once it is durable or has failed. Commit returns when
// its context ends while the batch may still land: a caller that keeps something in step with
// the write (a cache, a claim, a check after it) waits for its outcome instead.
func (w *Writer) CommitSettled(b *Batch) error {
	return w.Commit(context.Background(), b)
}

// Commit submits b and waits until it is durable, or until ctx ends (the batch may still
// land then: see CommitSettled).
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
	var reqs []request // the group being gathered, reused
	var ops []op       // its changes in key order, reused
	for r := range w.reqs {
		// Gather what is queued, then build the Pebble batch at its final size, in a reused
		// buffer: growing a new one change by change was 4–6 % of the engine's allocations.
		reqs = append(reqs[:0], r)
		size := r.b.reprSize()
		more := true
		for more && len(reqs) < maxGroupSize && size < maxGroupBytes {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					more = false
					break
				}
				reqs = append(reqs, r)
				size += r.b.reprSize()
			default:
				more = false
			}
		}
		g := group{cbs: make([]func(error), len(reqs))}
		ops = ops[:0]
		for i, r := range reqs {
			g.cbs[i] = r.done
			ops = append(ops, r.b.ops()...)
		}
		var pb *pebble.Batch
		if len(ops) > 0 {
			pb, g.class = w.batch(size)
			// Pebble inserts a batch's keys into its memtable (a skiplist of 64 MB) in batch
			// order, each search starting from where the previous insert ended when the key
			// follows it, else from the top: in key order, most of a group's inserts are a few
			// steps from the last one, not a walk of cache misses down every level. A key changed
			// twice in a group keeps its changes in order, so that the last one holds: each change
			// is numbered by its place, and equal keys sort by it (pdqsort and a number are
			// cheaper than a stable sort, whose merges rotate the 56-byte changes: 3 % of the
			// engine's CPU, in its one commit goroutine; BENCHMARKS.md, nineteenth round).
			for i := range ops {
				ops[i].n = uint32(i)
			}
			slices.SortFunc(ops, compareOps)
			for _, o := range ops {
				switch o.kind {
				case opDelete:
					_ = pb.Delete(o.key, nil)
				case opDeleteSingle:
					_ = pb.SingleDelete(o.key, nil)
				default:
					_ = pb.Set(o.key, o.value, nil)
				}
			}
		}
		// Pebble's batch holds copies: the batches' memory goes back to the pool.
		clear(ops)
		for _, r := range reqs {
			r.b.release()
		}
		clear(reqs) // drop the batches and callbacks
		if pb != nil {
			g.b, g.applied = pb, time.Now()
			g.err = w.pdb.ApplyNoSyncWait(pb, pebble.Sync)
		}
		w.inflight <- g
	}
}

// compareOps orders a group's changes by key, then by their place in the group.
func compareOps(a, b op) int {
	if c := bytes.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.n, b.n)
}

// batch returns an empty Pebble batch with room for size bytes and its capacity class, reused
// when one is free.
func (w *Writer) batch(size int) (*pebble.Batch, int) {
	c := sizeClass(size)
	for k := c; k < freeClasses; k++ {
		select {
		case pb := <-w.free[k]:
			w.freeBytes.Add(-int64(classCap(k)))
			return pb, k
		default:
		}
	}
	return w.pdb.NewBatchWithSize(classCap(c)), c
}

// recycle keeps a synced group's Pebble batch for a later group, or closes it. Reset is what
// Pebble offers for reuse (it drops the buffer if the commit pipeline could still read it:
// not with our WAL); a batch whose commit failed is not reused (Pebble refuses it too), nor
// one past the largest class.
func (w *Writer) recycle(pb *pebble.Batch, class int, err error) {
	n := int64(classCap(class))
	if err == nil && class < freeClasses && w.freeBytes.Load()+n <= maxFreeBytes {
		pb.Reset()
		select {
		case w.free[class] <- pb:
			w.freeBytes.Add(n)
			return
		default:
		}
	}
	pb.Close()
}

// sizeClass is the capacity class for size bytes of changes: class k holds 4 KB << k.
func sizeClass(size int) int {
	k := 0
	for classCap(k) < size {
		k++
	}
	return k
}

func classCap(k int) int { return 4 << 10 << k }

func (w *Writer) syncLoop() {
	defer close(w.stopped)
	for g := range w.inflight {
		err := g.err
		if g.b != nil {
			if err == nil {
				err = g.b.SyncWait()
			}
			w.durable[durableBucket(time.Since(g.applied))].Add(1)
			w.recycle(g.b, g.class, err)
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
