package bench

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestCoarseBuckets: every value falls in the bucket whose top is the first at or above it.
func TestCoarseBuckets(t *testing.T) {
	for v := int64(0); v <= histMax; v += 1 + v/97 {
		i := coarseBucket(v)
		if i >= coarseBuckets {
			t.Fatalf("%d µs: bucket %d of %d", v, i, coarseBuckets)
		}
		if top := coarseTop(i); top < v || (i > 0 && coarseTop(i-1) >= v) {
			t.Fatalf("%d µs in bucket %d, whose top is %d (the one before: %d)", v, i, top, coarseTop(i-1))
		}
	}
}

// TestRoughP99: the progress line's p99 is the exact one rounded up by at most 1/16.
func TestRoughP99(t *testing.T) {
	r := newRecorder()
	if got := r.roughP99(); got != 0 {
		t.Fatalf("empty: %v", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100_000 {
		d := time.Duration(rng.ExpFloat64() * float64(2*time.Millisecond))
		if i%200 == 0 {
			d = time.Duration(rng.IntN(500)) * time.Millisecond // a tail
		}
		r.record(i, d)
	}
	exact, rough := ms(r.merged().ValueAtQuantile(99)), r.roughP99()
	if rough < exact*0.999 || rough > exact*(1+1.0/16) {
		t.Fatalf("rough p99 %.3f ms, exact %.3f ms", rough, exact)
	}
}
