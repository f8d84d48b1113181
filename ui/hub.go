package ui

import (
	"bytes"
	"cmp"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/balcao/balcao"
)

// Hub stamps each office's events with consecutive sequence numbers and fans them out to the
// office's staff sockets. Publishing never blocks: every subscriber has a bounded queue, and a
// subscriber whose queue is full is dropped (its socket closes and the client resyncs). The
// last WindowSize events of each office are kept so that a client that reconnects gets what it
// missed; one that missed more is told to reload. Sequence numbers restart with the process;
// the epoch tells a client that it happened.
//
// An event about a conversation (balcao.Scoped) goes only to the subscribers whose filter
// accepts the conversation; one who could see it before the change and cannot any more gets a
// conversation.hidden frame with the same sequence number instead. A subscriber therefore sees
// gaps in the numbering: they are the events it may not see. An event that carries what only
// administrators may see (balcao.Redactable: the WhatsApp pairing QR code) reaches the other
// subscribers without it.
type Hub struct {
	epoch string

	mu      sync.RWMutex
	offices map[string]*officeHub // mu guards the map; each officeHub has its own lock
}

// SubscriberQueue is how many frames may wait for one socket before it is dropped as too slow.
// A socket writes every wsLinger, so it is seldom more than a few frames behind; 256 lets a
// busy office (150 turns a second) go on for more than a second past a stalled reader. Each
// socket's queue and each office's window are allocated whole: at 1 024, 2 000 sockets and
// 400 offices kept ~250 MiB of heap that every collection marked again, and after a ramp the
// collector took most of the CPU (BENCHMARKS.md, seventh round). Of them, subscriberChan wait
// in the socket's channel and the others in a slice beside it (Subscriber.backlog).
const SubscriberQueue = 256

// subscriberChan is the capacity of a subscriber's channel. Every GC cycle scans a channel's
// whole buffer, empty or not: 256 slots were 6 KB per socket, and with 2 000 sockets a cycle
// took 154–175 ms of CPU against 98–107 with 32, staff p99 9.3–13.5 against 5.9–6.9 ms
// (BENCHMARKS.md, thirteenth round). A socket further behind keeps its frames in its backlog,
// allocated only while it is behind.
const subscriberChan = 32

// WindowSize is how many recent events per office the hub keeps for reconnecting clients: as
// many as a socket's queue holds, since a client further behind would not get them all queued
// anyway (it reloads). More would only be heap the collector keeps marking.
const WindowSize = SubscriberQueue

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
	window [WindowSize]published // event of seq n at n % WindowSize; mu guards everything
	subs   map[*Subscriber]struct{}
	// reload holds, per staff member dropped by DropUser, the sequence number at the drop: a
	// socket of theirs that reconnects from at or before it must reload (see Subscribe). Marks
	// a window old are let go (such a client reloads anyway), so it holds at most the staff
	// changed within the last WindowSize events.
	reload map[string]uint64
	// flush queues the held frames that waited lazyDelay and moves the backlogs into the
	// channels (for readers that do not call Refill); it is running, due at armedAt, when armed.
	flush   *time.Timer
	armed   bool
	armedAt time.Time
}

// refillDelay is how long a frame may wait in a backlog for the office's timer (flushHeld).
const refillDelay = 5 * time.Millisecond

// published is one stamped event.
type published struct {
	frame     []byte
	cur, prev *balcao.ConversationView // the conversation it is about (balcao.Scoped), or nil
	// restricted events go only to unfiltered subscribers (managers), unless cur lets others
	// see them: balcao.ForManagers events, and balcao.Scoped ones whose conversation is unknown.
	restricted bool
	hidden     []byte // the conversation.hidden frame, made when first needed
	// redacted is the frame for subscribers who are not administrators, when the event is
	// balcao.Redactable (its payload until publish stamps it); nil for every other event.
	redacted []byte
	seq      uint64
}

// Subscriber receives one office's frames (JSON-encoded balcao.Event) in order.
type Subscriber struct {
	C       chan []byte   // frames to write, the first subscriberChan of those queued; closed never
	Dropped chan struct{} // closed when the hub dropped the subscriber for being slow
	Session string        // the session that owns it, for Drop on logout
	User    string        // the staff member, for DropUser
	// Filter says whether the subscriber may see a conversation; nil sees everything.
	Filter func(*balcao.ConversationView) bool
	// Admin is set for an administrator (SubscribeAdmin): balcao.Redactable events reach them
	// whole; every other subscriber gets them redacted.
	Admin bool
	once  sync.Once

	// held are the lazy frames (see lazyDelay) not yet queued, oldest first, the first held
	// at heldAt; the office's lock guards both.
	held   [][]byte
	heldAt time.Time
	// backlog are the frames queued behind a full channel, oldest first (the office's lock
	// guards it): Refill, or the office's timer, moves them in.
	backlog [][]byte
	behind  atomic.Bool // backlog is not empty (read without the lock by Refill)
	office  *officeHub
}

// lazyDelay is how long a frame of delivery ticks alone (message.status events: sent,
// delivered, read) may wait for the socket's next frame to go along with. A tick a second late
// is hardly seen, and ticks then seldom cost a websocket write of their own: at 150 messages a
// second per office, half of the socket writes of both ends were ticks; at two messages a
// second per office (400 offices × 5 sockets at 750 msg/s) a wait of 200 ms still gave each
// message's ticks a write of their own, and a second halved the socket writes (BENCHMARKS.md,
// sixth round).
const lazyDelay = time.Second

// maxHeld bounds the lazy frames a subscriber holds: past it they are queued at once.
const maxHeld = 64

// frameFor returns the frame of p that s may receive, or nil.
func (s *Subscriber) frameFor(p *published) []byte {
	if s.Filter == nil || (p.cur == nil && !p.restricted) || (p.cur != nil && s.Filter(p.cur)) {
		if p.redacted != nil && !s.Admin {
			return p.redacted
		}
		return p.frame
	}
	if p.cur == nil || p.prev == nil || !s.Filter(p.prev) {
		return nil
	}
	if p.hidden == nil {
		p.hidden = stamp(p.seq, balcao.EventConversationHidden, mustJSON(balcao.ConversationHidden{Conversation: p.cur.ID}))
	}
	return p.hidden
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

// Publish stamps and fans out one event.
func (h *Hub) Publish(office, typ string, data any) {
	h.PublishAll(office, []balcao.Outgoing{{Type: typ, Data: data}})
}

// PublishAll stamps events that happened together with consecutive sequence numbers and fans
// them out: each subscriber gets the ones it may see as one frame (a JSON array when more than
// one), so that a conversation turn costs one queued frame and one websocket write per socket,
// not one per event. Payloads are encoded outside the lock; a payload that encodes itself
// (json.Marshaler: the conversation actors encode their events before their turn is written,
// so that the storage writer's goroutine, which publishes them, spends no time on JSON) is
// taken as it encodes, without the copy and check json.Marshal would make; payloads encoded
// with room for their stamps (balcao.Framed) become their frames where they are.
func (h *Hub) PublishAll(office string, events []balcao.Outgoing) {
	if len(events) <= WindowSize/2 {
		h.publish(office, events, true)
		return
	}
	for len(events) > 0 { // the window must keep all of them while they go out
		n := min(len(events), WindowSize/2)
		h.publish(office, events[:n], false) // the parts would lay their frames over each other
		events = events[n:]
	}
}

func (h *Hub) publish(office string, events []balcao.Outgoing, inPlace bool) {
	if len(events) == 0 {
		return
	}
	var psBuf [4]published
	ps := psBuf[:0]
	size := 2 // of the frames as one array
	for _, e := range events {
		ps = append(ps, prepare(e))
		size += len(ps[len(ps)-1].frame) + len(e.Type) + stampSize + 1
	}
	o := h.office(office)
	o.mu.Lock()
	defer o.mu.Unlock()
	// The frames are made in one buffer, as the array every manager gets (all): each event's
	// own frame, kept in the window and sent to those who may not see them all, is a piece of
	// it. One allocation and copy per publication, not one for each frame and one more for the
	// array; none when the payloads came framed.
	now := time.Now()
	var atBuf [40]byte // the events of a publication share their time, formatted once
	at := stampTime(atBuf[:0], now)
	var arr []byte
	if inPlace {
		arr, inPlace = framedBuffer(events)
	}
	if !inPlace {
		arr = make([]byte, 0, size)
	}
	if len(ps) > 1 {
		arr = append(arr, '[')
	}
	var buf [8]*published
	window := buf[:0]
	for i := range ps {
		o.seq++
		if i > 0 {
			arr = append(arr, ',')
		}
		start := len(arr)
		arr = appendStamp(arr, o.seq, events[i].Type, at, ps[i].frame)
		ps[i].seq, ps[i].frame = o.seq, arr[start:len(arr):len(arr)]
		if ps[i].redacted != nil { // rare (a new WhatsApp status): a frame of its own
			ps[i].redacted = appendStamp(make([]byte, 0, len(ps[i].redacted)+len(events[i].Type)+stampSize), o.seq, events[i].Type, at, ps[i].redacted)
		}
		p := &o.window[o.seq%WindowSize]
		*p = ps[i]
		window = append(window, p)
	}
	lazy := allTicks(events)
	var all []byte // every frame, for the subscribers who may see them all (managers)
	if len(ps) > 1 {
		all = append(arr, ']')
	}
	for s := range o.subs {
		frame := s.framesFor(window, &all)
		if frame == nil {
			continue
		}
		if lazy && len(s.held) < maxHeld {
			o.hold(s, frame, now)
			continue
		}
		if o.sendHeld(s) {
			o.send(s, frame)
		}
	}
}

// framedBuffer returns the buffer the events were encoded into, emptied, when every one is
// balcao.Framed in it with the room its stamp takes: the frames are then laid out in place,
// each stamp written over the room before its payload, which moves back to follow it (append
// copies as memmove does, and no write reaches a payload not yet moved).
func framedBuffer(events []balcao.Outgoing) ([]byte, bool) {
	var shared []byte
	end := 0 // of the payload before
	for _, e := range events {
		f, ok := e.Data.(balcao.Framed)
		if !ok {
			return nil, false
		}
		buf, start, stop := f.Framing()
		if shared == nil {
			shared = buf
		}
		if len(buf) == 0 || len(buf) != len(shared) || &buf[0] != &shared[0] ||
			start-end < balcao.StampRoom+len(e.Type) || stop < start || stop > len(buf) {
			return nil, false
		}
		end = stop
	}
	if len(shared)-end < 2 { // the last '}' and the array's ']'
		return nil, false
	}
	return shared[:0:len(shared)], true
}

// allTicks reports whether the events are only delivery ticks, whose frame may wait (see
// lazyDelay).
func allTicks(events []balcao.Outgoing) bool {
	for _, e := range events {
		if e.Type != balcao.EventMessageStatus {
			return false
		}
	}
	return true
}

// send queues a frame for s, dropping s when its queue is full (SubscriberQueue frames in its
// channel and backlog). Frames go to the backlog once the channel is full, and stay behind
// those already there. o.mu is held.
func (o *officeHub) send(s *Subscriber, frame []byte) {
	if len(s.backlog) == 0 {
		select {
		case s.C <- frame:
			return
		default:
		}
	}
	if len(s.C)+len(s.backlog) >= SubscriberQueue {
		o.drop(s)
		return
	}
	s.backlog = append(s.backlog, frame)
	s.behind.Store(true)
	o.arm(refillDelay)
}

// Refill moves the frames waiting in s's backlog into its channel, as many as fit, in order.
// The socket's writer calls it after each write, and takes the office's lock only when s is
// behind; the office's timer moves them too, for other readers.
func (s *Subscriber) Refill() {
	if !s.behind.Load() {
		return
	}
	s.office.mu.Lock()
	s.refill()
	s.office.mu.Unlock()
}

// refill is Refill with the office's lock held. Only the hub sends on C, under that lock, so
// a send into room seen in the channel does not block.
func (s *Subscriber) refill() {
	n := 0
	for n < len(s.backlog) && len(s.C) < cap(s.C) {
		s.C <- s.backlog[n]
		n++
	}
	switch {
	case n == len(s.backlog):
		s.backlog = nil // the memory goes: a backlog is the exception
		s.behind.Store(false)
	case n > 0:
		clear(s.backlog[:n])
		s.backlog = s.backlog[n:]
	}
}

// hold keeps a lazy frame for s until its next frame, or until the first it holds has waited
// lazyDelay. o.mu is held.
func (o *officeHub) hold(s *Subscriber, frame []byte, now time.Time) {
	if len(s.held) == 0 {
		s.heldAt = now
	}
	s.held = append(s.held, frame)
	o.arm(lazyDelay)
}

// arm makes the office's timer run after after, or sooner if it is due sooner already.
func (o *officeHub) arm(after time.Duration) {
	at := time.Now().Add(after)
	if o.armed && !at.Before(o.armedAt) {
		return
	}
	o.armed, o.armedAt = true, at
	if o.flush == nil {
		o.flush = time.AfterFunc(after, o.flushHeld)
		return
	}
	o.flush.Reset(after)
}

// flushHeld moves the backlogs into the channels, queues the held frames that waited
// lazyDelay, and arms the timer again for what is left. Each subscriber's ticks get their
// whole delay to go along with a later frame, although the office has one timer: the
// subscribers of an office mostly hold frames of the same publications, so that one flush
// takes them all.
func (o *officeHub) flushHeld() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = false
	now := time.Now()
	var next time.Duration
	for s := range o.subs {
		s.refill()
		if len(s.held) > 0 {
			if wait := lazyDelay - now.Sub(s.heldAt); wait > lazyDelay/20 {
				next = min(cmp.Or(next, wait), wait)
			} else if !o.sendHeld(s) {
				continue // dropped
			}
		}
		if len(s.backlog) > 0 {
			next = min(cmp.Or(next, refillDelay), refillDelay)
		}
	}
	if next > 0 {
		o.arm(next)
	}
}

// sendHeld queues the frames s holds, if any, and reports whether s is still subscribed. They
// are queued one by one, right before the frame that takes them along: the socket's writer
// finds them queued together and joins them into one message in its reused buffer (ws.go
// coalesce), so that holding costs no copy here. o.mu is held.
func (o *officeHub) sendHeld(s *Subscriber) bool {
	for i, f := range s.held {
		s.held[i] = nil
		o.send(s, f)
		if s.held == nil { // dropped: its queue is full
			return false
		}
	}
	s.held = s.held[:0]
	return true
}

// drop unsubscribes s and tells its socket to close (the client resyncs). o.mu is held.
func (o *officeHub) drop(s *Subscriber) {
	o.remove(s)
	s.once.Do(func() { close(s.Dropped) })
}

// remove unsubscribes s, letting go of what it holds. o.mu is held.
func (o *officeHub) remove(s *Subscriber) {
	delete(o.subs, s)
	s.held, s.backlog = nil, nil
	s.behind.Store(false)
}

// prepare encodes an event's payload (into frame, stamped later) and reads its scope.
func prepare(e balcao.Outgoing) published {
	var p published
	if m, ok := e.Data.(json.Marshaler); ok {
		var err error
		if p.frame, err = m.MarshalJSON(); err != nil {
			p.frame = []byte("null")
		}
	} else {
		p.frame = mustJSON(e.Data)
	}
	switch sc := e.Data.(type) {
	case balcao.Scoped:
		p.cur, p.prev = sc.Scope()
		p.restricted = p.cur == nil
	case balcao.ForManagers:
		p.restricted = true
	}
	if r, ok := e.Data.(balcao.Redactable); ok {
		if red := mustJSON(r.Redacted()); !bytes.Equal(red, p.frame) { // else nothing to hide
			p.redacted = red
		}
	}
	return p
}

// framesFor returns the frame of the events s may see among ps: nil when none, a lone frame as
// it is, several as one JSON array. When s sees every event as it is (a manager), the array is
// the same for every such subscriber: it is made once, in *all.
func (s *Subscriber) framesFor(ps []*published, all *[]byte) []byte {
	var buf [8][]byte
	frames, whole := buf[:0], true
	for _, p := range ps {
		f := s.frameFor(p)
		if f == nil {
			whole = false
			continue
		}
		whole = whole && &f[0] == &p.frame[0]
		frames = append(frames, f)
	}
	switch {
	case len(frames) == 0:
		return nil
	case len(frames) == 1:
		return frames[0]
	case whole:
		if *all == nil {
			*all = joinFrames(frames)
		}
		return *all
	}
	return joinFrames(frames)
}

// joinFrames makes a JSON array of frames.
func joinFrames(frames [][]byte) []byte {
	n := 1
	for _, f := range frames {
		n += len(f) + 1
	}
	out := make([]byte, 0, n)
	for i, f := range frames {
		if i == 0 {
			out = append(out, '[')
		} else {
			out = append(out, ',')
		}
		out = append(out, f...)
	}
	return append(out, ']')
}

// stamp makes the frame of an event: {"seq":…,"type":…,"at":…,"data":…}.
func stamp(seq uint64, typ string, payload []byte) []byte {
	var at [40]byte
	return appendStamp(make([]byte, 0, len(payload)+len(typ)+stampSize), seq, typ, stampTime(at[:0], time.Now()), payload)
}

// stampSize bounds the bytes appendStamp adds to an event's payload and type (and the
// separators of an array of frames).
const stampSize = balcao.StampRoom

// appendStamp appends the frame of an event; at is its time from stampTime.
func appendStamp(dst []byte, seq uint64, typ string, at []byte, payload []byte) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, `,"type":`...)
	dst = appendType(dst, typ)
	dst = append(dst, `,"at":"`...)
	dst = append(dst, at...)
	dst = append(dst, `","data":`...)
	dst = append(dst, payload...)
	return append(dst, '}')
}

// stampTime appends at in UTC as time.Time's MarshalJSON writes it, for appendStamp.
func stampTime(dst []byte, at time.Time) []byte { return at.UTC().AppendFormat(dst, time.RFC3339Nano) }

// appendType appends an event type as a JSON string: as it is when nothing in it needs
// escaping (every balcao.Event* type: dotted lowercase words), else as encoding/json writes it.
func appendType(dst []byte, typ string) []byte {
	for i := range len(typ) {
		if c := typ[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return append(dst, mustJSON(typ)...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, typ...)
	return append(dst, '"')
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

// Subscribe registers a subscriber for an office (user and filter as in Subscriber) who is not
// an administrator: balcao.Redactable events reach it redacted. When since > 0 and epoch is
// this hub's, the frames after since are queued first; missed is true when they are no longer
// all kept, or when DropUser dropped the user at or after since (what the client holds was
// loaded with their old permissions): the client must reload. It returns the office's current
// sequence number.
func (h *Hub) Subscribe(office, session, user string, filter func(*balcao.ConversationView) bool, epoch string, since uint64) (s *Subscriber, seq uint64, missed bool) {
	return h.subscribe(office, &Subscriber{Session: session, User: user, Filter: filter}, epoch, since)
}

// SubscribeAdmin is Subscribe for an administrator, who sees every event whole.
func (h *Hub) SubscribeAdmin(office, session, user, epoch string, since uint64) (s *Subscriber, seq uint64, missed bool) {
	return h.subscribe(office, &Subscriber{Session: session, User: user, Admin: true}, epoch, since)
}

func (h *Hub) subscribe(office string, s *Subscriber, epoch string, since uint64) (_ *Subscriber, seq uint64, missed bool) {
	o := h.office(office)
	s.C, s.Dropped, s.office = make(chan []byte, subscriberChan), make(chan struct{}), o
	o.mu.Lock()
	defer o.mu.Unlock()
	if since > 0 || epoch != "" {
		switch {
		case epoch != h.epoch || since > o.seq || o.seq-since > WindowSize-1:
			missed = true
		case o.reloads(s.User, since):
			missed = true
		default:
			for n := since + 1; n <= o.seq; n++ {
				if frame := s.frameFor(&o.window[n%WindowSize]); frame != nil {
					o.send(s, frame) // at most WindowSize-1: never dropped
				}
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
	o.remove(s)
	o.mu.Unlock()
}

// Drop disconnects every subscriber of a session (on logout).
func (h *Hub) Drop(office, session string) {
	h.drop(office, func(s *Subscriber) bool { return s.Session == session })
}

// DropUser disconnects every subscriber of a staff member (whose permissions changed): their
// browsers reconnect and reload what they may now see. The replay of what they missed could
// not tell them (it is filtered with their new permissions, and a conversation leaves their
// lists only with an event that carries its view before the change), so the hub notes the
// drop: a socket of theirs that reconnects from before it is told to resync.
func (h *Hub) DropUser(office, user string) {
	o := h.office(office)
	o.mu.Lock()
	defer o.mu.Unlock()
	for u, at := range o.reload {
		if o.seq-at >= WindowSize { // a client this far behind resyncs anyway
			delete(o.reload, u)
		}
	}
	if o.reload == nil {
		o.reload = map[string]uint64{}
	}
	o.reload[user] = o.seq
	for s := range o.subs {
		if s.User == user {
			o.drop(s)
		}
	}
}

// reloads reports whether a socket of user reconnecting from since must reload because
// DropUser dropped them at or after since. o.mu is held.
func (o *officeHub) reloads(user string, since uint64) bool {
	at, ok := o.reload[user]
	return ok && since <= at
}

func (h *Hub) drop(office string, match func(*Subscriber) bool) {
	o := h.office(office)
	o.mu.Lock()
	defer o.mu.Unlock()
	for s := range o.subs {
		if match(s) {
			o.drop(s)
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
