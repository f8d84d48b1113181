package bench

import (
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/balcao/balcao/storage"
)

// stallSnapshot reads, at a step's start and end, the counters of what besides the CPU can
// hold up every message at once: the Go garbage collector (whose mark phase takes a quarter of
// the CPUs plus assists from allocating goroutines), the WAL's fsyncs, and Pebble's write
// stalls, flushes and compactions.
type stallSnapshot struct {
	gcCycles, allocs uint64
	gcCPU, assists   float64 // seconds
	writer           storage.WriterStats
	store            storage.StoreStats
}

var gcSamples = []string{"/gc/cycles/total:gc-cycles", "/cpu/classes/gc/total:cpu-seconds", "/cpu/classes/gc/mark/assist:cpu-seconds", "/gc/heap/allocs:bytes"}

func (h *harness) readStalls() stallSnapshot {
	s := make([]metrics.Sample, len(gcSamples))
	for i, name := range gcSamples {
		s[i].Name = name
	}
	metrics.Read(s)
	var r stallSnapshot
	if s[0].Value.Kind() == metrics.KindUint64 {
		r.gcCycles = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindFloat64 {
		r.gcCPU = s[1].Value.Float64()
	}
	if s[2].Value.Kind() == metrics.KindFloat64 {
		r.assists = s[2].Value.Float64()
	}
	if s[3].Value.Kind() == metrics.KindUint64 {
		r.allocs = s[3].Value.Uint64()
	}
	r.writer, r.store = h.e.DB().Writer.Stats(), h.e.DB().Stats()
	return r
}

// GCResult is the garbage collector's work during a step, and the allocation that drives it
// (the harness's included: it shares the process).
type GCResult struct {
	AllocMB  float64 `json:"alloc_mb"` // heap allocated during the step
	Cycles   uint64  `json:"cycles"`
	CPUMs    float64 `json:"cpu_ms"`    // all GC work, of every CPU
	AssistMs float64 `json:"assist_ms"` // of which done by goroutines that allocated during a mark
}

// StorageResult is the storage writer's group commit and Pebble's background work during a
// step. Durable is per Pebble commit, from ApplyNoSyncWait to the end of its SyncWait (the WAL
// write and fsync as the acknowledgements wait for them), as the upper bound of a power-of-two
// bucket from 64 µs.
type StorageResult struct {
	Batches            uint64  `json:"batches"` // turns and other batches made durable
	Commits            uint64  `json:"commits"` // synced Pebble commits (one fsync may cover several)
	BatchesPerCommit   float64 `json:"batches_per_commit"`
	DurableP50Ms       float64 `json:"durable_p50_ms"`
	DurableP99Ms       float64 `json:"durable_p99_ms"`
	DurableMaxMs       float64 `json:"durable_max_ms"`
	Fsyncs             uint64  `json:"fsyncs"` // the WAL's fsyncs (Pebble's histogram, its buckets' upper bounds)
	FsyncP50Ms         float64 `json:"fsync_p50_ms"`
	FsyncP99Ms         float64 `json:"fsync_p99_ms"`
	FsyncMaxMs         float64 `json:"fsync_max_ms"`
	WriteStalls        uint64  `json:"write_stalls"`
	WriteStallMs       float64 `json:"write_stall_ms"`
	Flushes            uint64  `json:"flushes"`
	FlushMs            float64 `json:"flush_ms"`
	Compactions        uint64  `json:"compactions"`
	CompactionMs       float64 `json:"compaction_ms"`
	CompactionPausedMs float64 `json:"compaction_paused_ms"` // slept to leave the turns their share of the cores
}

func stallsBetween(a, b stallSnapshot) (GCResult, StorageResult) {
	g := GCResult{AllocMB: float64(b.allocs-a.allocs) / (1 << 20), Cycles: b.gcCycles - a.gcCycles, CPUMs: (b.gcCPU - a.gcCPU) * 1000, AssistMs: (b.assists - a.assists) * 1000}
	w, st := b.writer.Sub(a.writer), b.store.Sub(a.store)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	s := StorageResult{
		Batches: w.Batches, Commits: w.Commits,
		DurableP50Ms: ms(w.DurableQuantile(0.5)), DurableP99Ms: ms(w.DurableQuantile(0.99)), DurableMaxMs: ms(w.DurableQuantile(1)),
		FsyncP50Ms: ms(st.FsyncQuantile(0.5)), FsyncP99Ms: ms(st.FsyncQuantile(0.99)), FsyncMaxMs: ms(st.FsyncQuantile(1)),
		WriteStalls: st.WriteStalls, WriteStallMs: ms(st.WriteStallTime),
		Flushes: st.Flushes, FlushMs: ms(st.FlushTime), Compactions: st.Compactions, CompactionMs: ms(st.CompactionTime),
		CompactionPausedMs: ms(st.CompactionPaused),
	}
	if n := len(st.Fsyncs); n > 0 {
		s.Fsyncs = st.Fsyncs[n-1]
	}
	if w.Commits > 0 {
		s.BatchesPerCommit = float64(w.Batches) / float64(w.Commits)
	}
	return g, s
}

// stalls is the progress line's account of them.
func (r StepResult) stalls() string {
	g, s := r.GC, r.Storage
	return fmt.Sprintf("allocated %.0f MB, GC %d cycles, %.0f ms CPU (assists %.0f ms); %d commits, durable p99 ≤ %.1f ms max ≤ %.0f ms, fsync p99 ≤ %.1f ms max ≤ %.0f ms; Pebble %d write stalls (%.0f ms), %d flushes, %d compactions (paused %.0f ms)",
		g.AllocMB, g.Cycles, g.CPUMs, g.AssistMs, s.Commits, s.DurableP99Ms, s.DurableMaxMs, s.FsyncP99Ms, s.FsyncMaxMs, s.WriteStalls, s.WriteStallMs, s.Flushes, s.Compactions, s.CompactionPausedMs)
}
