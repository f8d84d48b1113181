package bench

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/balcao/balcao/storage"
)

// A step's tail: which background work overlapped its slow replies. The per-second timeline
// says which seconds were slow; at 26 000 msg/s nearly every second has a memtable flush and
// a compaction, so it cannot tell which of them the slow replies waited for. The step samples
// what runs beside the turns every backgroundTick and keeps every reply slower than tailOver;
// at its end each slow reply is counted under what overlapped it, from its intended send to
// its reply, beside the share of the step's time that work was under way.

// tailOver is the reply latency from which a reply counts as slow: the target at half
// the maximum rate.
const tailOver = 10 * time.Millisecond

// backgroundTick is how often a step samples the background work.
const backgroundTick = 5 * time.Millisecond

// activity is the background work under way at one moment, a bit each.
type activity uint8

const (
	actFlush activity = 1 << iota
	actCompaction
	actCollection
	activities     // the number of combinations
	kinds      = 3 // of work: flush, compaction, collection
)

// String names the work: "flush+compaction", "nothing".
func (a activity) String() string {
	var parts []string
	for i, name := range []string{"flush", "compaction", "collection"} {
		if a&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "+")
}

func activityOf(b storage.Background) activity {
	var a activity
	if b.Flushing {
		a |= actFlush
	}
	if b.Compacting {
		a |= actCompaction
	}
	if b.Collecting {
		a |= actCollection
	}
	return a
}

// tailLog is a step's samples of the background work, one per backgroundTick from t0, and its
// slow replies.
type tailLog struct {
	t0 time.Time

	mu      sync.Mutex
	samples []activity
	slow    []slowReply
}

// slowReply is a reply slower than tailOver: sent at t0+at (intended), after took.
type slowReply struct{ at, took time.Duration }

// sample records a, read now, for its tick. The ticks it missed (the sampler waited for a
// processor, as the turns did) get what ran at either end of the gap: what started or ended in
// it is not left out.
func (l *tailLog) sample(now time.Time, a activity) {
	i := int(now.Sub(l.t0) / backgroundTick)
	if i < 0 {
		return
	}
	l.mu.Lock()
	var last activity
	if n := len(l.samples); n > 0 {
		last = l.samples[n-1]
	}
	for len(l.samples) < i {
		l.samples = append(l.samples, last|a)
	}
	if len(l.samples) == i {
		l.samples = append(l.samples, a)
	}
	l.mu.Unlock()
}

// reply records a reply to a message intended at, which took took, if it was slow.
func (l *tailLog) reply(intended time.Time, took time.Duration) {
	if took <= tailOver {
		return
	}
	l.mu.Lock()
	l.slow = append(l.slow, slowReply{at: intended.Sub(l.t0), took: took})
	l.mu.Unlock()
}

// sampleBackground samples the engine's background work into s.tail until stop is called.
func (h *harness) sampleBackground(s *step) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(backgroundTick)
		defer t.Stop()
		for {
			s.tail.sample(time.Now(), activityOf(h.e.DB().Background()))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// Tail is what ran beside the turns while a step's slow replies waited.
type Tail struct {
	OverMs float64 `json:"over_ms"`
	Slow   int64   `json:"slow"`  // replies slower than OverMs
	Share  float64 `json:"share"` // of all the step's replies
	// During counts each slow reply under the work that overlapped it (what was sampled from
	// its intended send to its reply), most first.
	During []TailShare `json:"during,omitempty"`
}

// TailShare is the slow replies that overlapped one combination of background work.
type TailShare struct {
	Work string `json:"work"` // "flush", "compaction", "collection" joined by "+", or "nothing"
	Slow int64  `json:"slow"`
	// TimeShare is the share of the step's duration that this work was under way.
	TimeShare float64 `json:"time_share"`
}

// tail attributes the slow replies of a step of length dur with replies replies in all.
func (l *tailLog) tail(dur time.Duration, replies int64) Tail {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := Tail{OverMs: ms(tailOver.Microseconds()), Slow: int64(len(l.slow))}
	if replies > 0 {
		t.Share = float64(t.Slow) / float64(replies)
	}
	if len(l.samples) == 0 {
		return t
	}
	// before[k][i] counts the ticks before tick i with work k under way: whether k overlapped a
	// reply is one subtraction, not a walk over its ticks (a failing ramp step has hundreds of
	// thousands of slow replies, each seconds long).
	var before [kinds][]int32
	for k := range before {
		before[k] = make([]int32, len(l.samples)+1)
		for i, a := range l.samples {
			before[k][i+1] = before[k][i] + int32(a>>k&1)
		}
	}
	var slow, ticks [activities]int64
	for _, r := range l.slow {
		first := min(max(int(r.at/backgroundTick), 0), len(l.samples))
		end := min(max(int((r.at+r.took)/backgroundTick)+1, first), len(l.samples))
		var a activity
		for k := range before {
			if before[k][end] > before[k][first] {
				a |= 1 << k
			}
		}
		slow[a]++
	}
	n := min(len(l.samples), int(dur/backgroundTick))
	for _, a := range l.samples[:n] {
		ticks[a]++
	}
	for a := range activity(activities) {
		if slow[a] == 0 && ticks[a] == 0 {
			continue
		}
		share := 0.0
		if n > 0 {
			share = float64(ticks[a]) / float64(n)
		}
		t.During = append(t.During, TailShare{Work: a.String(), Slow: slow[a], TimeShare: share})
	}
	slices.SortFunc(t.During, func(x, y TailShare) int {
		return cmp.Or(cmp.Compare(y.Slow, x.Slow), cmp.Compare(y.TimeShare, x.TimeShare), cmp.Compare(x.Work, y.Work))
	})
	return t
}

// String is the tail in one line: "3427 replies over 10 ms (1.62 %); during flush+compaction
// 41 % of them (5.4 % of the time), …".
func (t Tail) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d replies over %.0f ms (%.2f %%)", t.Slow, t.OverMs, 100*t.Share)
	if t.Slow == 0 {
		return b.String()
	}
	b.WriteString("; during")
	for i, d := range t.During {
		if d.Slow == 0 {
			break
		}
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %.0f %% of them (%.1f %% of the time)", d.Work, 100*float64(d.Slow)/float64(t.Slow), 100*d.TimeShare)
	}
	return b.String()
}
