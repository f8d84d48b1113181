package storage

import (
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// StoreStats counts, since Open, what in Pebble can hold up writes: the WAL's fsyncs, write
// stalls (too many memtables or L0 files), memtable flushes and compactions. Subtract two
// readings (Sub) to see a stretch of time; the bench harness reports them per step.
type StoreStats struct {
	// Fsyncs counts the WAL's fsyncs by duration, cumulatively: Fsyncs[i] took at most
	// pebble.FsyncLatencyBuckets[i] ns (the last entry counts them all).
	Fsyncs         []uint64
	WriteStalls    uint64
	WriteStallTime time.Duration
	Flushes        uint64
	FlushTime      time.Duration
	Compactions    uint64
	CompactionTime time.Duration
	// CompactionPaused is the time compactions slept to leave the turns their share of the
	// cores (see pacedCompaction).
	CompactionPaused time.Duration
	// SingleDeleteMisuse counts the keys a flush or compaction found deleted with
	// Batch.DeleteSingle over more than one set: an older value may have come back (a bug of
	// the caller, logged as an error when found).
	SingleDeleteMisuse uint64
}

// Sub returns the counts between an earlier reading and s.
func (s StoreStats) Sub(earlier StoreStats) StoreStats {
	d := StoreStats{
		WriteStalls: s.WriteStalls - earlier.WriteStalls, WriteStallTime: s.WriteStallTime - earlier.WriteStallTime,
		Flushes: s.Flushes - earlier.Flushes, FlushTime: s.FlushTime - earlier.FlushTime,
		Compactions: s.Compactions - earlier.Compactions, CompactionTime: s.CompactionTime - earlier.CompactionTime,
		CompactionPaused:   s.CompactionPaused - earlier.CompactionPaused,
		SingleDeleteMisuse: s.SingleDeleteMisuse - earlier.SingleDeleteMisuse,
	}
	if len(s.Fsyncs) == len(earlier.Fsyncs) {
		d.Fsyncs = make([]uint64, len(s.Fsyncs))
		for i := range d.Fsyncs {
			d.Fsyncs[i] = s.Fsyncs[i] - earlier.Fsyncs[i]
		}
	}
	return d
}

// FsyncQuantile is the upper bound of the bucket holding quantile q (0–1) of the fsyncs, 0
// without any (and for the last, unbounded bucket: its lower bound).
func (s StoreStats) FsyncQuantile(q float64) time.Duration {
	n := len(s.Fsyncs)
	if n == 0 || s.Fsyncs[n-1] == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(s.Fsyncs[n-1])))
	for i, c := range s.Fsyncs[:n-1] {
		if c >= want {
			return time.Duration(pebble.FsyncLatencyBuckets[i])
		}
	}
	return time.Duration(pebble.FsyncLatencyBuckets[n-2])
}

// Stats reads the counters of Pebble's background work.
func (db *DB) Stats() StoreStats {
	e := db.events
	var m dto.Metric
	var fsyncs []uint64
	if h := e.fsync; h != nil && h.Write(&m) == nil && m.Histogram != nil {
		for _, b := range m.Histogram.Bucket {
			fsyncs = append(fsyncs, b.GetCumulativeCount())
		}
		fsyncs = append(fsyncs, m.Histogram.GetSampleCount())
	}
	return StoreStats{
		Fsyncs:      fsyncs,
		WriteStalls: e.stalls.Load(), WriteStallTime: time.Duration(e.stallNanos.Load()),
		Flushes: e.flushes.Load(), FlushTime: time.Duration(e.flushNanos.Load()),
		Compactions: e.compactions.Load(), CompactionTime: time.Duration(e.compactNanos.Load()),
		CompactionPaused:   time.Duration(db.gate.paused.Load()),
		SingleDeleteMisuse: e.misuse.Load(),
	}
}

// pebbleEvents keeps StoreStats from Pebble's event listener (its callbacks run on Pebble's
// goroutines; a write stall's end comes on the goroutine that was stalled).
type pebbleEvents struct {
	stalls, flushes, compactions         atomic.Uint64
	flushing, compacting                 atomic.Int32 // under way (Background)
	stallNanos, flushNanos, compactNanos atomic.Int64
	stallStart                           atomic.Int64         // unix ns of the stall under way
	fsync                                prometheus.Histogram // the WAL's, set at Open
	misuse                               atomic.Uint64        // StoreStats.SingleDeleteMisuse
	log                                  *slog.Logger
}

// Background is what the database (and the collector, as far as it is told) is busy with
// beside the writes at one moment.
type Background struct {
	Flushing   bool // a memtable flush
	Compacting bool // a compaction (working or in a pause, see pacedCompaction)
	Collecting bool // a garbage collection started through AnnounceCollection
}

// Background reports what is under way now.
func (db *DB) Background() Background { return db.events.background() }

func (e *pebbleEvents) background() Background {
	return Background{Flushing: e.flushing.Load() > 0, Compacting: e.compacting.Load() > 0, Collecting: collections.Load() > 0}
}

// stalled reports whether a write stall is under way.
func (e *pebbleEvents) stalled() bool { return e.stallStart.Load() != 0 }

func (e *pebbleEvents) listener() *pebble.EventListener {
	return &pebble.EventListener{
		WriteStallBegin: func(pebble.WriteStallBeginInfo) {
			e.stalls.Add(1)
			e.stallStart.Store(time.Now().UnixNano())
		},
		WriteStallEnd: func() {
			if t := e.stallStart.Swap(0); t != 0 {
				e.stallNanos.Add(time.Now().UnixNano() - t)
			}
		},
		FlushBegin: func(pebble.FlushInfo) { e.flushing.Add(1) },
		FlushEnd: func(info pebble.FlushInfo) {
			e.flushing.Add(-1)
			if info.Err == nil {
				e.flushes.Add(1)
				e.flushNanos.Add(int64(info.TotalDuration))
			}
		},
		CompactionBegin: func(pebble.CompactionInfo) { e.compacting.Add(1) },
		CompactionEnd: func(info pebble.CompactionInfo) {
			e.compacting.Add(-1)
			if info.Err == nil {
				e.compactions.Add(1)
				e.compactNanos.Add(int64(info.TotalDuration))
			}
		},
		PossibleAPIMisuse: func(info pebble.PossibleAPIMisuseInfo) {
			if info.Kind != pebble.NondeterministicSingleDelete {
				// An ineffectual single delete (nothing was set) loses nothing.
				e.log.Debug("pebble", "msg", info.String())
				return
			}
			e.misuse.Add(1)
			e.log.Error("storage: a key deleted with DeleteSingle had been set more than once; an older value may be back", "key", string(info.UserKey))
		},
	}
}
