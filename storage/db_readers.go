package storage

import "sync/atomic"

// readers counts the reads of Pebble in flight (a Get, an iterator) so that Close waits for
// them before it closes Pebble, and refuses the reads that begin after it with
// balcao.ErrClosed: Pebble panics on any use of a closed database ("pebble: closed"), and
// fails its Close when an iterator is still open. The engine's stop does not wait for every
// reader: a request still running past the HTTP server's stop budget, a staff socket taken
// over from the server, an office actor that outlived the actors' stop may read after it.
//
// A read costs two atomic adds and no lock (reads are on every turn's path). The count has a
// cache line of its own, so that the adds of both cores do not also evict the fields of the
// DB that every read loads.
type readers struct {
	_       [64]byte
	n       atomic.Int64 // reads in flight, plus readersClosing once close began
	_       [56]byte
	drained chan struct{} // capacity 1: a token when the last read leaves after close began
}

// readersClosing is the bit of readers.n that close sets.
const readersClosing = 1 << 62

func newReaders() readers { return readers{drained: make(chan struct{}, 1)} }

// enter counts a read about to start. It returns false, counting nothing, once close began.
// Reads may nest (a read in a Scan's callback): one refused inside another ends the outer one
// too, with its error.
func (r *readers) enter() bool {
	if r.n.Add(1)&readersClosing != 0 {
		r.leave()
		return false
	}
	return true
}

// leave ends a read that enter counted.
func (r *readers) leave() {
	if r.n.Add(-1) == readersClosing {
		select {
		case r.drained <- struct{}{}:
		default: // a token waits already
		}
	}
}

// close refuses every read from now on and waits for those in flight. It returns false when
// close had begun already.
func (r *readers) close() bool {
	if r.n.Or(readersClosing)&readersClosing != 0 {
		return false
	}
	for r.n.Load() != readersClosing {
		<-r.drained // a token may be stale (a refused read left): look again
	}
	return true
}
