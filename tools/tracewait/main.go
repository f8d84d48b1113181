// Command tracewait reads a runtime trace (balcao bench --trace FILE) and prints, for every
// 100 ms of it, how long the goroutines of each kind ran and how long they waited for a
// processor (runnable, not running), then which goroutines outside those kinds waited most and
// how long each kind's running slices were. It answers what `go tool trace -pprof=sched` sums
// over the whole trace: whether the engine's serial stages (the writer's commit and sync
// goroutines, Pebble's WAL writer) get a processor when they need one, and what runs instead.
//
//	go run ./tools/tracewait run.trace     (from tools/tracewait: go run . ../../run.trace)
//
// A goroutine's kind is the first function of the kinds below found in any stack it showed in
// a state transition. It is a module of its own so that golang.org/x/exp stays out of Balcão's.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/exp/trace"
)

// kinds are matched against each frame's function name, in this order.
var kinds = []struct{ name, fn string }{
	{"commit", "storage.(*Writer).commitLoop"},
	{"sync", "storage.(*Writer).syncLoop"},
	{"walflush", "record.(*LogWriter).flushLoop"},
	{"flush", "(*DB).flush1"},
	{"compact", "(*DB).compact1"},
	{"gcmark", "runtime.gcBgMarkWorker"},
	{"worker", "poolDispatcher).worker"},
	{"socket", "serveSocket"},
	{"pacer", "bench.(*harness).pace"},
}

const window = int64(100e6) // ns

type goroutine struct {
	kind     string
	start    string // the outermost function seen, for the "other" list
	runnable int64  // since when (0: not runnable)
	running  int64
}

type tally struct{ run, wait map[string]int64 }

func kindOf(st trace.Stack) string {
	for f := range st.Frames() {
		for _, k := range kinds {
			if strings.Contains(f.Func, k.fn) {
				return k.name
			}
		}
	}
	return ""
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tracewait FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r, err := trace.NewReader(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gs := map[trace.GoID]*goroutine{}
	windows := map[int64]*tally{}
	otherWait := map[string]int64{}
	slices := map[string]map[int]int64{} // kind → slice length class → run time
	t0 := int64(-1)
	add := func(kind string, from, to int64, wait bool) {
		for from < to {
			w := (from - t0) / window
			end := min(to, t0+(w+1)*window)
			t := windows[w]
			if t == nil {
				t = &tally{map[string]int64{}, map[string]int64{}}
				windows[w] = t
			}
			if wait {
				t.wait[kind] += end - from
			} else {
				t.run[kind] += end - from
			}
			from = end
		}
	}
	for {
		ev, err := r.ReadEvent()
		if err != nil {
			break
		}
		now := int64(ev.Time())
		if t0 < 0 {
			t0 = now
		}
		if ev.Kind() != trace.EventStateTransition {
			continue
		}
		st := ev.StateTransition()
		if st.Resource.Kind != trace.ResourceGoroutine {
			continue
		}
		g := gs[st.Resource.Goroutine()]
		if g == nil {
			g = &goroutine{}
			gs[st.Resource.Goroutine()] = g
		}
		if g.kind == "" {
			g.kind = kindOf(st.Stack)
			if g.start == "" {
				for fr := range st.Stack.Frames() {
					g.start = fr.Func
				}
			}
		}
		kind := g.kind
		if kind == "" {
			kind = "other"
		}
		from, to := st.Goroutine()
		if from == trace.GoRunnable && g.runnable > 0 {
			add(kind, g.runnable, now, true)
			if kind == "other" {
				otherWait[g.start] += now - g.runnable
			}
		}
		if from == trace.GoRunning && g.running > 0 {
			add(kind, g.running, now, false)
			if slices[kind] == nil {
				slices[kind] = map[int]int64{}
			}
			d, class := now-g.running, 0
			for limit := int64(10e3); d > limit && class < 12; limit *= 2 {
				class++
			}
			slices[kind][class] += d
		}
		g.runnable, g.running = 0, 0
		switch to {
		case trace.GoRunnable:
			g.runnable = now
		case trace.GoRunning:
			g.running = now
		}
	}

	names := []string{"other"}
	for i := len(kinds) - 1; i >= 0; i-- {
		names = append([]string{kinds[i].name}, names...)
	}
	fmt.Printf("%6s", "s")
	for _, n := range names {
		fmt.Printf(" %9s", n)
	}
	fmt.Println("   (ms running / ms runnable, per 100 ms)")
	ws := make([]int64, 0, len(windows))
	for w := range windows {
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i] < ws[j] })
	for _, w := range ws {
		t := windows[w]
		fmt.Printf("%6.1f", float64(w)/10)
		for _, n := range names {
			fmt.Printf(" %4.0f/%4.0f", float64(t.run[n])/1e6, float64(t.wait[n])/1e6)
		}
		fmt.Println()
	}

	fmt.Println("\nrunnable time of the other goroutines, by their outermost function:")
	type kv struct {
		fn string
		ns int64
	}
	var others []kv
	for fn, ns := range otherWait {
		others = append(others, kv{fn, ns})
	}
	sort.Slice(others, func(i, j int) bool { return others[i].ns > others[j].ns })
	for _, o := range others[:min(15, len(others))] {
		fmt.Printf("%9.0f ms  %s\n", float64(o.ns)/1e6, o.fn)
	}

	fmt.Println("\nrunning time by slice length (class b: up to 10 µs × 2^b):")
	for _, n := range names {
		fmt.Printf("%9s", n)
		for class := 0; class <= 12; class++ {
			fmt.Printf(" %d:%.0f", class, float64(slices[n][class])/1e6)
		}
		fmt.Println()
	}
}
