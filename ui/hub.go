package ui

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/balcao/balcao"
)

// Hub stamps each office's events with consecutive sequence numbers and fans them out to the
// office's staff sockets. Publishing never blocks: every subscriber has a bounded queue, and a
// subscriber whose queue is full is dropped (its socket closes and the client resyncs). The
// last WindowSize events of each office are kept so that a client that reconnects gets what it
// missed; one that missed more is told to reload. Sequence numbers restart with the process;
// the epoch tells a client that it happened.
type Hub struct {
	epoch string

	mu      sync.RWMutex
	offices map[string]*officeHub // mu guards the map; each officeHub has its own lock
}

// WindowSize is how many recent events per office the hub keeps for reconnecting clients.
const WindowSize = 4096

// SubscriberQueue is how many events may wait for one socket before it is dropped as too slow.
const SubscriberQueue = 1024

var _ balcao.Publisher = (*Hub)(nil)

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{epoch: strconv.FormatInt(time.Now().UnixNano(), 36), offices: map[string]*officeHub{}}
}

// Epoch identifies this process's numbering of events.
func (h *Hub) Epoch() string { return h.epoch }

type officeHub struct {
	mu     sync.Mutex
	seq    uint64
	window [WindowSize][]byte // frame of seq n at n % WindowSize; mu guards everything
	subs   map[*Subscriber]struct{}
}

// Subscriber receives one office's frames (JSON-encoded balcao.Event) in order.
type Subscriber struct {
	C       chan []byte   // frames to write; closed never
	Dropped chan struct{} // closed when the hub dropped the subscriber for being slow
	Session string        // the session that owns it, for Drop on logout
	once    sync.Once
}

func (h *Hub) office(id string) *officeHub {
	h.mu.RLock()
	o, ok := h.offices[id]
	h.mu.RUnlock()
	if ok {
		return o
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if o, ok = h.offices[id]; !ok {
		o = &officeHub{subs: map[*Subscriber]struct{}{}}
		h.offices[id] = o
	}
	return o
}

// Publish stamps and fans out one event. The payload is encoded once, outside the lock.
func (h *Hub) Publish(office, typ string, data any) {
	payload, err := json.Marshal(data)
	if err != nil {
		payload = []byte("null")
	}
	at, _ := time.Now().UTC().MarshalJSON()
	o := h.office(office)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	frame := make([]byte, 0, len(payload)+96)
	frame = append(frame, `{"seq":`...)
	frame = strconv.AppendUint(frame, o.seq, 10)
	frame = append(frame, `,"type":`...)
	frame = strconv.AppendQuote(frame, typ)
	frame = append(frame, `,"at":`...)
	frame = append(frame, at...)
	frame = append(frame, `,"data":`...)
	frame = append(frame, payload...)
	frame = append(frame, '}')
	o.window[o.seq%WindowSize] = frame
	for s := range o.subs {
		select {
		case s.C <- frame:
		default:
			delete(o.subs, s)
			s.once.Do(func() { close(s.Dropped) })
		}
	}
}

// Subscribe registers a subscriber for an office. When since > 0 and epoch is this hub's, the
// frames after since are queued first; missed is true when they are no longer all kept (the
// client must reload). It returns the office's current sequence number.
func (h *Hub) Subscribe(office, session, epoch string, since uint64) (s *Subscriber, seq uint64, missed bool) {
	o := h.office(office)
	s = &Subscriber{C: make(chan []byte, SubscriberQueue), Dropped: make(chan struct{}), Session: session}
	o.mu.Lock()
	defer o.mu.Unlock()
	if since > 0 || epoch != "" {
		switch {
		case epoch != h.epoch || since > o.seq || o.seq-since > min(WindowSize-1, SubscriberQueue):
			missed = true
		default:
			for n := since + 1; n <= o.seq; n++ {
				s.C <- o.window[n%WindowSize]
			}
		}
	}
	o.subs[s] = struct{}{}
	return s, o.seq, missed
}

// Unsubscribe removes a subscriber.
func (h *Hub) Unsubscribe(office string, s *Subscriber) {
	o := h.office(office)
	o.mu.Lock()
	delete(o.subs, s)
	o.mu.Unlock()
}

// Drop disconnects every subscriber of a session (on logout).
func (h *Hub) Drop(office, session string) {
	o := h.office(office)
	o.mu.Lock()
	defer o.mu.Unlock()
	for s := range o.subs {
		if s.Session == session {
			delete(o.subs, s)
			s.once.Do(func() { close(s.Dropped) })
		}
	}
}

// Subscribers counts an office's live subscribers.
func (h *Hub) Subscribers(office string) int {
	o := h.office(office)
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.subs)
}
