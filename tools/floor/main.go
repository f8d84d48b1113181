// Command floor measures, on the machine at hand, what the components Balcão is built on cost
// before any of Balcão's own work: messages made durable by Pebble's group commit (one synced
// commit for many messages, storage.Options) as msgpack records, first alone, then behind a
// chain of -hops protoactor-go actor messages (each to another actor, as a turn passes between
// the gateway, its office and its conversation), on the engine's dispatcher and mailbox
// (actors.EngineProps). Each stage runs open-loop against a window of messages in flight, for
// the same duration, in one process and on one disk, after the raw Pebble limit of the bench
// harness (64 writers, one small synced commit each, bench.PebbleLimit) and the disk's sync
// time: the stages' rates divided by the limit are the best ratios an engine made of these
// parts could report here, and their CPU per message is the floor under the engine's
// (BENCHMARKS.md, "Twenty-third round").
//
//	go run ./tools/floor                          # 2 changes, 1 actor message, 10 s a stage
//	go run ./tools/floor -changes 11 -hops 14     # a greeting's shape
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cockroachdb/pebble/v2"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/bench"
	"github.com/balcao/balcao/storage"
)

// record is the shape of a stored message: about the size of a greeting's.
type record struct {
	Conversation uint32 `msgpack:"c"`
	Seq          uint64 `msgpack:"s"`
	At           int64  `msgpack:"at"`
	Text         string `msgpack:"t"`
}

// message is one inbound message in flight.
type message struct {
	conversation uint32
	at           time.Time
	hops         int // actor messages still to go before it is stored (each in another actor)
}

// submission is one message's changes, waiting for the committer.
type submission struct {
	kvs  [][2][]byte
	done func()
}

func main() {
	var (
		duration      = flag.Duration("duration", 10*time.Second, "how long each stage runs")
		conversations = flag.Int("conversations", 10000, "conversations the messages are spread over")
		inflight      = flag.Int("inflight", 8192, "messages in flight at once (the open-loop window)")
		changes       = flag.Int("changes", 2, "Pebble changes per message (a greeting writes 11)")
		committers    = flag.Int("committers", 2, "goroutines committing batches (Pebble groups their syncs)")
		hops          = flag.Int("hops", 1, "actor messages per message in the actor stage (a greeting's turn takes ~14)")
		writers       = flag.Int("writers", 64, "writers of the raw Pebble limit")
		cpuprofile    = flag.String("cpuprofile", "", "write a CPU profile of the stages (not of the limit) to this file")
	)
	flag.Parse()
	if *duration <= 0 || *conversations <= 0 || *inflight <= 0 || *changes <= 0 || *committers <= 0 || *writers <= 0 || *hops <= 0 {
		fmt.Fprintln(os.Stderr, "floor: every flag must be positive")
		os.Exit(2)
	}
	parent, err := os.MkdirTemp("", "balcao-floor-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(parent)

	fmt.Printf("floor: %d cores, GOMAXPROCS %d, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	limit, err := bench.PebbleLimit(parent, *writers, 5*time.Second)
	if err != nil {
		fail(err)
	}
	fmt.Printf("raw pebble limit: %.0f commits/s (%d writers, 5 s)\n", limit.CommitsPerSec, *writers)
	synced, err := syncLatency(parent)
	if err != nil {
		fail(err)
	}
	fmt.Printf("disk: a 128-byte write and its fdatasync take %.1f µs (mean of 2 000)\n", float64(synced.Nanoseconds())/1e3)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	s := stage{dir: parent, duration: *duration, conversations: *conversations,
		inflight: *inflight, changes: *changes, committers: *committers, hops: *hops}
	for _, withActors := range []bool{false, true} {
		r, err := s.run(withActors)
		if err != nil {
			fail(err)
		}
		name := "group commit"
		if withActors {
			name = fmt.Sprintf("actor per conversation (%d hops) + group commit", *hops)
		}
		fmt.Printf("%-50s %8.0f msg/s  %5.1f µs CPU/msg  ratio %.2f  (%d changes/msg)\n",
			name+":", r.rate, r.cpuPerMsg, r.rate/limit.CommitsPerSec, *changes)
	}
}

type stage struct {
	dir                                          string
	duration                                     time.Duration
	conversations, inflight, changes, committers int
	hops                                         int
}

type result struct{ rate, cpuPerMsg float64 }

// run opens a fresh Pebble and drives messages through it for the stage's duration: each
// message encoded as msgpack records, its changes committed with others in synced batches,
// and, withActors, first handed to its conversation's actor, which encodes and submits them.
func (s stage) run(withActors bool) (result, error) {
	dir, err := os.MkdirTemp(s.dir, "stage-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	opts := storage.Options(slog.New(slog.DiscardHandler))
	defer opts.Cache.Unref()
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return result{}, err
	}
	defer db.Close()

	queue := make(chan submission, s.inflight)
	var (
		committed atomic.Int64
		commitErr atomic.Pointer[error]
		wg        sync.WaitGroup
	)
	for range s.committers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			commit(db, queue, &commitErr)
		}()
	}

	window := make(chan struct{}, s.inflight)
	done := func() {
		committed.Add(1)
		<-window
	}
	// submit stores m as the changes of conversation c, whose sequence is seq.
	submit := func(c int, seq *uint64, m message) {
		*seq++
		kvs := make([][2][]byte, s.changes)
		for i := range kvs {
			key := fmt.Appendf(nil, "m/%08d/%016d/%d", c, *seq, i)
			value, _ := msgpack.Marshal(record{Conversation: m.conversation, Seq: *seq,
				At: m.at.UnixNano(), Text: "Olá! Sou a assistente virtual do escritório. Como posso ajudar?"})
			kvs[i] = [2][]byte{key, value}
		}
		queue <- submission{kvs: kvs, done: done}
	}

	var (
		send   func(message)
		system *actor.ActorSystem
	)
	if withActors {
		quiet := slog.New(slog.DiscardHandler)
		system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }))
		engineProps, stopDispatcher := actors.EngineProps()
		defer stopDispatcher()
		pids := make([]*actor.PID, s.conversations)
		for i := range pids {
			var seq uint64 // the actor's own state
			pids[i] = system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
				m, ok := c.Message().(message)
				switch {
				case !ok:
				case m.hops > 1: // on through another actor, as a turn goes from actor to actor
					m.hops--
					c.Send(pids[(int(m.conversation)+m.hops)%len(pids)], m)
				default:
					submit(i, &seq, m)
				}
			}, engineProps...))
		}
		send = func(m message) { system.Root.Send(pids[m.conversation], m) }
	} else {
		var mu sync.Mutex
		seqs := make([]uint64, s.conversations)
		send = func(m message) {
			mu.Lock()
			submit(int(m.conversation), &seqs[m.conversation], m)
			mu.Unlock()
		}
	}

	before := cpuTime()
	start := time.Now()
	deadline := start.Add(s.duration)
	for time.Now().Before(deadline) {
		window <- struct{}{}
		send(message{conversation: uint32(rand.IntN(s.conversations)), at: time.Now(), hops: s.hops})
	}
	for range s.inflight { // wait for every message in flight
		window <- struct{}{}
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - before
	close(queue)
	wg.Wait()
	if system != nil {
		system.Shutdown()
	}
	if e := commitErr.Load(); e != nil {
		return result{}, *e
	}
	n := float64(committed.Load())
	return result{rate: n / elapsed.Seconds(), cpuPerMsg: cpu.Seconds() * 1e6 / n}, nil
}

// commit takes every submission waiting (at least one), commits their changes in one synced
// batch and reports each message durable, until the queue is closed.
func commit(db *pebble.DB, queue chan submission, failed *atomic.Pointer[error]) {
	var taken []submission
	for first := range queue {
		taken = append(taken[:0], first)
	more:
		for len(taken) < 4096 {
			select {
			case sub, ok := <-queue:
				if !ok {
					break more
				}
				taken = append(taken, sub)
			default:
				break more
			}
		}
		b := db.NewBatch()
		for _, sub := range taken {
			for _, kv := range sub.kvs {
				_ = b.Set(kv[0], kv[1], nil)
			}
		}
		if err := b.Commit(pebble.Sync); err != nil {
			failed.CompareAndSwap(nil, &err)
		}
		b.Close()
		for _, sub := range taken {
			sub.done()
		}
	}
}

// syncLatency is the mean time of a 128-byte append and its fdatasync on the disk of dir:
// what a synced commit waits for, and so how many commits Pebble can group.
func syncLatency(dir string) (time.Duration, error) {
	f, err := os.CreateTemp(dir, "sync-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	const n = 2000
	buf := make([]byte, 128)
	start := time.Now()
	for range n {
		if _, err := f.Write(buf); err != nil {
			return 0, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / n, nil
}

// cpuTime is the process's user and system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "floor:", err)
	os.Exit(1)
}
