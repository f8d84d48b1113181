package actors

import (
	"runtime"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// poolDispatcher runs mailboxes on a fixed set of long-lived goroutines instead of a new
// goroutine per scheduling (protoactor's default). A new goroutine starts with a small stack
// that every deep call (Pebble, msgpack) grows again: under load, stack copying cost ~10% of
// the CPU. When every worker is busy (or blocked in a writer barrier) and the queue is full,
// Schedule falls back to a new goroutine, so that it never blocks the sender. The System owns
// it: close stops the workers once they ran what was queued.
type poolDispatcher struct {
	work       chan func()
	quit       chan struct{}
	wg         sync.WaitGroup
	throughput int
}

var _ actor.Dispatcher = (*poolDispatcher)(nil)

func newPoolDispatcher(throughput int) *poolDispatcher {
	d := &poolDispatcher{work: make(chan func(), 4096), quit: make(chan struct{}), throughput: throughput}
	for range 8 * runtime.GOMAXPROCS(0) {
		d.wg.Add(1)
		go d.worker()
	}
	return d
}

func (d *poolDispatcher) worker() {
	defer d.wg.Done()
	for {
		select {
		case fn := <-d.work:
			fn()
		case <-d.quit:
			for {
				select {
				case fn := <-d.work:
					fn()
				default:
					return
				}
			}
		}
	}
}

func (d *poolDispatcher) Schedule(fn func()) {
	select {
	case <-d.quit:
		go fn()
		return
	default:
	}
	select {
	case d.work <- fn:
	default:
		go fn()
	}
}

func (d *poolDispatcher) Throughput() int { return d.throughput }

func (d *poolDispatcher) close() {
	close(d.quit)
	d.wg.Wait()
}

// dispatcherThroughput is how many messages a mailbox runs before it yields its worker.
const dispatcherThroughput = 300

// EngineProps are the dispatcher and mailbox the System runs its actors on, for a tool that
// prices protoactor-go as the engine uses it (tools/floor); stop ends the dispatcher's workers
// once the actors are stopped.
func EngineProps() (opts []actor.PropsOption, stop func()) {
	d := newPoolDispatcher(dispatcherThroughput)
	return engineOptions(d), d.close
}

// engineOptions run an actor on d with the engine's mailbox (System.props).
func engineOptions(d actor.Dispatcher) []actor.PropsOption {
	return []actor.PropsOption{actor.WithDispatcher(d), actor.WithMailbox(newMailbox)}
}
