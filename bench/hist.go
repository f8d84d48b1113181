package bench

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds, 1 µs to 60 s, 3 significant digits.
const (
	histMin    = 1
	histMax    = 60_000_000
	histDigits = 3
	shards     = 16
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histDigits) }

// recorder is a few histograms each behind its own lock: every recording goroutine uses one
// shard (by its index), so that the locks are practically never contended. The progress line
// reads its p99 from coarse counters kept alongside (see roughP99): merging the shards every
// second held a CPU of the engine's process for up to 10 ms at a time (80 ms a second, found
// in a runtime trace), which the engine's own latencies paid for.
type recorder struct {
	shard [shards]struct {
		mu sync.Mutex
		h  *hdrhistogram.Histogram
		_  [40]byte // keep shards on separate cache lines
	}
	coarse [coarseBuckets]atomic.Int64
}

// Coarse buckets: values below 16 exactly, then 16 per power of two (within 6 %).
const coarseBuckets = 28 * 16

func coarseBucket(us int64) int {
	if us < 16 {
		return int(us)
	}
	shift := bits.Len64(uint64(us)) - 5
	return (shift+1)*16 + int(us>>shift)&15
}

// coarseTop is the highest value counted in bucket i.
func coarseTop(i int) int64 {
	if i < 16 {
		return int64(i)
	}
	shift := i/16 - 1
	return (int64(16+i%16+1) << shift) - 1
}

// coarseCounts is a reading of a recorder's coarse counters.
type coarseCounts [coarseBuckets]int64

// counts reads the coarse counters (values recorded so far).
func (r *recorder) counts() (c coarseCounts) {
	for i := range r.coarse {
		c[i] = r.coarse[i].Load()
	}
	return c
}

// roughP99 is the 99th percentile so far, in milliseconds, rounded up to its coarse bucket.
func (r *recorder) roughP99() float64 { c := r.counts(); return c.p99() }

// since returns the values counted in c and not in the earlier reading.
func (c coarseCounts) since(earlier *coarseCounts) coarseCounts {
	for i := range c {
		c[i] -= earlier[i]
	}
	return c
}

// p99 is the 99th percentile of the counted values, in milliseconds (rounded up to its
// bucket), 0 when there are none.
func (c *coarseCounts) p99() float64 {
	var total int64
	for _, n := range c {
		total += n
	}
	if total == 0 {
		return 0
	}
	want := (total*99 + 99) / 100
	var seen int64
	for i, n := range c {
		if seen += n; seen >= want {
			return ms(coarseTop(i))
		}
	}
	return ms(histMax)
}

func newRecorder() *recorder {
	r := &recorder{}
	for i := range r.shard {
		r.shard[i].h = newHist()
	}
	return r
}

func (r *recorder) record(i int, d time.Duration) {
	us := d.Microseconds()
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	s := &r.shard[uint(i)%shards]
	s.mu.Lock()
	_ = s.h.RecordValue(us)
	s.mu.Unlock()
	r.coarse[coarseBucket(us)].Add(1)
}

// merged is every shard's histogram in one.
func (r *recorder) merged() *hdrhistogram.Histogram {
	out := newHist()
	for i := range r.shard {
		s := &r.shard[i]
		s.mu.Lock()
		out.Merge(s.h)
		s.mu.Unlock()
	}
	return out
}

// Percentiles summarizes one histogram, in milliseconds.
type Percentiles struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p99_9_ms"`
	Max   float64 `json:"max_ms"`
	// Curve is latency (ms) by percentile for the plot: pairs of [percentile, ms].
	Curve [][2]float64 `json:"curve,omitempty"`
}

func ms(us int64) float64 { return float64(us) / 1000 }

func summarize(h *hdrhistogram.Histogram) Percentiles {
	p := Percentiles{Count: h.TotalCount()}
	if p.Count == 0 {
		return p
	}
	p.Mean = h.Mean() / 1000
	p.P50 = ms(h.ValueAtQuantile(50))
	p.P90 = ms(h.ValueAtQuantile(90))
	p.P99 = ms(h.ValueAtQuantile(99))
	p.P999 = ms(h.ValueAtQuantile(99.9))
	p.Max = ms(h.Max())
	// 1 - 10^-x for x from 0 to 5 (0% … 99.999%), as HdrHistogram's plotter spaces them.
	for i := 0; i <= 100; i++ {
		x := float64(i) * 0.05
		q := 100 * (1 - pow10(-x))
		p.Curve = append(p.Curve, [2]float64{q, ms(h.ValueAtQuantile(q))})
	}
	return p
}
