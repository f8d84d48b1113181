package actors

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// later sends messages to actors a fixed delay after they were asked for, all of them from one
// timer. A conversation asks for a flushTick after each reply it hands over (flushDelay): with a
// time.AfterFunc each, every reply started a goroutine of its own 20 ms later, thousands a second
// waiting for a processor beside the turns (a runtime trace at 30 000 msg/s found ~7 of them
// runnable at any moment). Since the delay is the same for all, the queue is in time order: the
// timer fires for the oldest, sends everything due by then (and within laterSlack), and is set
// again for the next, so that one goroutine sends a whole millisecond's ticks.
type later struct {
	delay time.Duration
	send  func(to *actor.PID, msg any)

	mu     sync.Mutex
	queue  []laterMsg // oldest first; the timer is set while it holds any
	timer  *time.Timer
	closed bool
}

type laterMsg struct {
	to  *actor.PID
	msg any
	at  time.Time
}

// laterSlack is how early a message may go to join the messages due before it: the timer
// fires at most once a millisecond.
const laterSlack = time.Millisecond

func newLater(delay time.Duration, send func(to *actor.PID, msg any)) *later {
	l := &later{delay: delay, send: send}
	l.timer = time.AfterFunc(time.Hour, l.fire)
	l.timer.Stop()
	return l
}

// after sends msg to to after the queue's delay, unless the queue is closed first.
func (l *later) after(to *actor.PID, msg any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if len(l.queue) == 0 {
		l.timer.Reset(l.delay)
	}
	l.queue = append(l.queue, laterMsg{to: to, msg: msg, at: time.Now().Add(l.delay)})
}

// fire sends what is due and sets the timer for the rest.
func (l *later) fire() {
	l.mu.Lock()
	now := time.Now()
	n := 0
	for n < len(l.queue) && !l.queue[n].at.After(now.Add(laterSlack)) {
		n++
	}
	due := make([]laterMsg, n)
	copy(due, l.queue)
	clear(l.queue[:n]) // the array's front is let go of when append next moves it
	l.queue = l.queue[n:]
	if len(l.queue) > 0 {
		l.timer.Reset(max(l.queue[0].at.Sub(now), laterSlack))
	}
	l.mu.Unlock()
	for _, m := range due {
		l.send(m.to, m.msg)
	}
}

// close drops what is still queued: the actors it was for are stopping.
func (l *later) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.timer.Stop()
	l.queue = nil
}
