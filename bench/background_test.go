package bench

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/balcao/balcao/storage"
)

// TestTailAttributesSlowReplies: each slow reply counts under everything sampled from its
// intended send to its reply (nothing past the samples); fast ones are not kept; the time
// shares are of the step's duration.
func TestTailAttributesSlowReplies(t *testing.T) {
	const ms = time.Millisecond
	t0 := time.Unix(1000, 0)
	l := &tailLog{t0: t0}
	for at := time.Duration(0); at < 100*ms; at += backgroundTick { // a flush from 20 to 40 ms, a compaction from 30 to 60
		var a activity
		if at >= 20*ms && at < 40*ms {
			a |= actFlush
		}
		if at >= 30*ms && at < 60*ms {
			a |= actCompaction
		}
		l.sample(t0.Add(at), a)
	}
	l.reply(t0.Add(10*ms), 5*ms)  // fast
	l.reply(t0, 12*ms)            // ticks 0–2: nothing
	l.reply(t0.Add(15*ms), 11*ms) // ticks 3–5: nothing, flush, flush
	l.reply(t0.Add(25*ms), 20*ms) // ticks 5–9: flush, flush+compaction, compaction
	l.reply(t0.Add(45*ms), 30*ms) // ticks 9–15: compaction, nothing
	l.reply(t0.Add(90*ms), 50*ms) // ticks 18–28, of which only 18 and 19 were sampled: nothing
	got := l.tail(100*ms, 10)
	want := Tail{OverMs: 10, Slow: 5, Share: 0.5, During: []TailShare{
		{Work: "nothing", Slow: 2, TimeShare: 0.6},
		{Work: "compaction", Slow: 1, TimeShare: 0.2},
		{Work: "flush", Slow: 1, TimeShare: 0.1},
		{Work: "flush+compaction", Slow: 1, TimeShare: 0.1},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tail %+v, want %+v", got, want)
	}
	const line = "5 replies over 10 ms (50.00 %); during nothing 40 % of them (60.0 % of the time), compaction 20 % of them (20.0 % of the time), flush 20 % of them (10.0 % of the time), flush+compaction 20 % of them (10.0 % of the time)"
	if got.String() != line {
		t.Errorf("line:\n%s\nwant\n%s", got, line)
	}
}

// TestTailFillsMissedTicks: the ticks a late sample missed get what ran at either end of the
// gap, its own tick what it read; the names of the work combine in a fixed order, from the
// storage's Background.
func TestTailFillsMissedTicks(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := &tailLog{t0: t0}
	l.sample(t0, actCollection)
	l.sample(t0.Add(4*backgroundTick), actFlush|actCompaction|actCollection)
	l.sample(t0.Add(-time.Second), actFlush) // before the step: ignored
	want := []activity{actCollection, 7, 7, 7, 7}
	if !slices.Equal(l.samples, want) {
		t.Errorf("samples %v, want %v", l.samples, want)
	}
	l.sample(t0.Add(7*backgroundTick), 0)        // the flush, the compaction and the collection ended in the gap
	l.sample(t0.Add(7*backgroundTick), actFlush) // a second sample in a tick: the first stands
	want = append(want, 7, 7, 0)
	if !slices.Equal(l.samples, want) {
		t.Errorf("after a gap: samples %v, want %v", l.samples, want)
	}
	if got := activity(7).String(); got != "flush+compaction+collection" {
		t.Errorf("all three named %q", got)
	}
	if got := activityOf(storage.Background{Flushing: true, Collecting: true}).String(); got != "flush+collection" {
		t.Errorf("a flush during a collection named %q", got)
	}
	if got := activityOf(storage.Background{Compacting: true}).String(); got != "compaction" {
		t.Errorf("a compaction named %q", got)
	}
}

// TestTailCountsBothEndTicks: a reply counts under work sampled only in the tick of its
// intended send, or only in the tick of its reply; a reply past the samples under what the
// last ones saw.
func TestTailCountsBothEndTicks(t *testing.T) {
	const ms = time.Millisecond
	t0 := time.Unix(1000, 0)
	l := &tailLog{t0: t0}
	for i, a := range []activity{actFlush, 0, 0, actCompaction, 0, actCollection} {
		l.sample(t0.Add(time.Duration(i)*backgroundTick), a)
	}
	l.reply(t0.Add(4*ms), 11*ms)  // ticks 0–3: the flush at its start, the compaction at its end
	l.reply(t0.Add(6*ms), 11*ms)  // ticks 1–3: the compaction at its end
	l.reply(t0.Add(27*ms), 40*ms) // ticks 5–13, sampled up to 5: the collection
	var got []string
	for _, d := range l.tail(30*ms, 3).During {
		if d.Slow > 0 {
			got = append(got, fmt.Sprintf("%s %d", d.Work, d.Slow))
		}
	}
	if want := []string{"collection 1", "compaction 1", "flush+compaction 1"}; !slices.Equal(got, want) {
		t.Errorf("slow replies under %q, want %q", got, want)
	}
}
