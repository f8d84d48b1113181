package actors

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// mailbox is the actors' mailbox: protoactor's default mailbox semantics (system messages
// first, none of the user's while suspended, a yield every Throughput messages, a panic
// escalated to the supervisor with its message) in one heap object per actor instead of
// five.
//
// protoactor's lock-free mailbox is a struct and two linked queues, each with a stub node and
// the node of the last message it held (a node allocated per message): five objects with
// pointers, which the garbage collector scans on every cycle for every live actor. With
// 10 000 conversation actors they were a seventh of the live heap's objects (BENCHMARKS.md,
// tenth round). Here the queues are slices under a mutex, whose arrays go once drained.
type mailbox struct {
	mu         sync.Mutex
	sys, user  fifo
	scheduled  bool // a run is scheduled or running; mu guards it
	suspended  bool // mu guards it
	invoker    actor.MessageInvoker
	dispatcher actor.Dispatcher
}

var _ actor.Mailbox = (*mailbox)(nil)

func newMailbox() actor.Mailbox { return &mailbox{} }

// newBusyMailbox is the mailbox of an actor that takes messages for a whole office: its queue
// keeps its array once drained (see fifo.keep).
func newBusyMailbox() actor.Mailbox { return &mailbox{user: fifo{keep: true}} }

func (m *mailbox) PostUserMessage(msg any) { m.post(&m.user, msg) }

func (m *mailbox) PostSystemMessage(msg any) { m.post(&m.sys, msg) }

func (m *mailbox) post(q *fifo, msg any) {
	m.mu.Lock()
	q.push(msg)
	if m.scheduled {
		m.mu.Unlock()
		return
	}
	m.scheduled = true
	m.mu.Unlock()
	m.dispatcher.Schedule(m.run)
}

func (m *mailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	m.invoker, m.dispatcher = invoker, dispatcher
}

func (m *mailbox) Start() {}

func (m *mailbox) UserMessageCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.user.len()
}

// run invokes the queued messages until none is left that may run now; next marks the
// mailbox idle in the same critical section as its last check, so that a message posted
// meanwhile schedules a new run.
func (m *mailbox) run() {
	throughput := m.dispatcher.Throughput()
	for n := 1; ; n++ {
		if n > throughput {
			n = 0
			runtime.Gosched()
		}
		msg, system, ok := m.next()
		if !ok {
			return
		}
		m.invoke(msg, system)
	}
}

// next takes the next message that may run: a system message, else a user message unless
// suspended. With none, the mailbox goes idle.
func (m *mailbox) next() (msg any, system, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.sys.len() > 0 {
		msg = m.sys.pop()
		switch msg.(type) {
		case *actor.SuspendMailbox:
			m.suspended = true
		case *actor.ResumeMailbox:
			m.suspended = false
		default:
			return msg, true, true
		}
	}
	if !m.suspended && m.user.len() > 0 {
		return m.user.pop(), false, true
	}
	m.scheduled = false
	return nil, false, false
}

// invoke runs one message. A panic goes to the supervisor with its message, as in
// protoactor's mailbox: the suspension and restart it decides come as system messages. A
// request whose handling panicked is answered first (answerFailed).
func (m *mailbox) invoke(msg any, system bool) {
	defer func() {
		if r := recover(); r != nil {
			answerFailed(m.invoker, msg)
			m.invoker.EscalateFailure(r, msg)
		}
	}()
	if system {
		m.invoker.InvokeSystemMessage(msg)
	} else {
		m.invoker.InvokeUserMessage(msg)
	}
}

// answerFailed answers a request (a message with a sender) whose handling panicked with an
// error at once: its caller, a staff member's request or a job waiting for its documents to
// be put in the chat, hears of it now instead of at its timeout, and the supervisor restarts
// the actor as ever. Every request of the engine is answered with a *Result.
func answerFailed(invoker actor.MessageInvoker, msg any) {
	env, ok := msg.(*actor.MessageEnvelope)
	if !ok || env.Sender == nil {
		return
	}
	if ctx, ok := invoker.(actor.SenderContext); ok {
		ctx.Send(env.Sender, &Result{Err: fmt.Errorf("%T: %w", env.Message, errHandlerPanicked)})
	}
}

// errHandlerPanicked is the error of a request whose actor panicked handling it.
var errHandlerPanicked = errors.New("the actor handling it failed and restarts")

// fifo is a queue on a slice: pop moves a head index, and a drained queue lets its array go,
// so that an idle actor's mailbox is one object. A lone message waits in a slot of its own:
// most messages reach an idle conversation and are taken before the next comes, and each
// made an array of its own (4 % of the bytes the engine allocated). Only its mailbox's mutex
// holder uses it.
type fifo struct {
	one    any  // the only message, while items is empty
	hasOne bool // one holds a message
	// keep: a drained queue keeps its array (up to maxKept), for the few actors that take
	// messages for a whole office and drain and fill their queue all the time (three arrays
	// a message, 5 % of the bytes allocated).
	keep  bool
	items []any
	head  int
}

// maxKept bounds the array a drained queue keeps (16 KiB): a burst's larger one goes.
const maxKept = 1024

func (q *fifo) len() int {
	if q.hasOne {
		return 1
	}
	return len(q.items) - q.head
}

func (q *fifo) push(msg any) {
	if q.hasOne { // a second message: both go to the array, in order
		if q.items == nil {
			q.items = make([]any, 0, 8) // at once: a busy actor's queue grew 1, 2, 4, 8
		}
		q.items = append(q.items, q.one)
		q.one, q.hasOne = nil, false
	} else if q.head == len(q.items) {
		q.one, q.hasOne = msg, true
		return
	}
	if len(q.items) == cap(q.items) && q.head >= len(q.items)/2 {
		// Full, and at least half of it popped: move the rest down rather than grow (a
		// queue that never drains would otherwise grow for ever).
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, msg)
}

func (q *fifo) pop() any {
	if q.hasOne {
		msg := q.one
		q.one, q.hasOne = nil, false
		return msg
	}
	msg := q.items[q.head]
	q.items[q.head] = nil
	if q.head++; q.head == len(q.items) {
		if q.keep && cap(q.items) <= maxKept {
			q.items, q.head = q.items[:0], 0
		} else {
			q.items, q.head = nil, 0
		}
	}
	return msg
}
