package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/balcao/balcao"
)

// Websocket timings.
const (
	wsWriteTimeout = 10 * time.Second
	wsPingEvery    = 30 * time.Second
	// wsLinger is the least time between two writes on one socket. A frame after a quiet
	// spell goes out at once; one that follows a write by less waits out the rest, so that a
	// burst — a turn, then its reply's job, document and delivery ticks a few milliseconds
	// later — costs one write of each end's CPU (a loopback write is ~20 µs of system time,
	// and as much again to wake the reader), not one per publication.
	wsLinger = 5 * time.Millisecond
	// wsWriteBuffer is a socket's write buffer. The websocket library writes a frame's header
	// into it, then the payload: with net/http's 4 KiB, a burst of a busy office (~10 KB at
	// 14 000 msg/s over 20 offices) went out in two writes, the buffer's 4 KiB and the rest,
	// each a system call and a wake of the reader. 16 KiB keeps a burst of up to ~6 turns in
	// one write, for 12 KiB more per socket (24 MiB with 2 000 sockets).
	wsWriteBuffer = 16 << 10
)

// hello is the first frame on every staff socket.
type hello struct {
	Type   string `json:"type"`   // "hello"
	Epoch  string `json:"epoch"`  // changes when the server restarts
	Seq    uint64 `json:"seq"`    // the office's current sequence number
	Resync bool   `json:"resync"` // events were missed: reload the lists, then follow from Seq
}

// websocket streams the office's events to one staff browser: GET /ws?epoch=E&since=N. The
// first frame is a hello; then every event after N (when still kept) and every new one, in
// order. A socket that cannot keep up, or whose session ends, is closed; the client reconnects
// with its last epoch and seq.
//
// Once the connection is taken over, the socket is served on a goroutine of its own and the
// handler returns: net/http's goroutine for the connection would otherwise keep the request
// (its headers, contexts: ~39 heap objects) for as long as the socket lives, which every
// collection marks again (2 000 sockets: ~78 000 objects).
func (s *Server) websocket(w http.ResponseWriter, r *http.Request, c caller) {
	q := r.URL.Query()
	var since uint64
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "invalid_since", "Parâmetro since inválido.")
			return
		}
		since = n
	}
	conn, err := websocket.Accept(bufferedHijack{w}, r, nil) // same-origin only
	if err != nil {
		return // Accept wrote the response
	}
	go s.serveSocket(conn, c, q.Get("epoch"), since)
}

// bufferedHijack gives the connection it hijacks a write buffer of wsWriteBuffer.
type bufferedHijack struct{ http.ResponseWriter }

func (h bufferedHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err == nil && brw.Writer.Buffered() == 0 { // net/http's holds nothing once hijacked
		brw.Writer = bufio.NewWriterSize(conn, wsWriteBuffer)
	}
	return conn, brw, err
}

// serveSocket runs one staff socket until it closes, its subscriber is dropped, its session
// expires or the server stops. A panic ends the socket alone, logged, as net/http does for the
// handlers it runs.
func (s *Server) serveSocket(conn *websocket.Conn, c caller, epoch string, since uint64) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("staff socket failed", "office", c.session.Office, "user", c.staff.User, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 10)

	office := c.session.Office
	var sub *Subscriber
	var seq uint64
	var missed bool
	switch c.staff.Role {
	case balcao.RoleAdmin: // every event whole: the WhatsApp pairing QR code too
		sub, seq, missed = s.cfg.Hub.SubscribeAdmin(office, c.token, c.staff.User, epoch, since)
	case balcao.RoleAttendant:
		sub, seq, missed = s.cfg.Hub.Subscribe(office, c.token, c.staff.User, s.cfg.Backend.CanSee(office, c.staff), epoch, since)
	default: // managers see every event, redacted as for anyone but administrators
		sub, seq, missed = s.cfg.Hub.Subscribe(office, c.token, c.staff.User, nil, epoch, since)
	}
	defer s.cfg.Hub.Unsubscribe(office, sub)
	ctx := conn.CloseRead(s.cfg.Context)
	// The session was read when the request came, before the socket was taken over and
	// subscribed: a logout, or a change or removal of the account, in between dropped no
	// subscriber of it. Each of them is written before the hub drops the session's or the
	// user's sockets, and Subscribe and those drops take the office's lock in turn, so that
	// reading the session again now sees the change, or the drop will find this subscriber.
	// It closes before the hello: the client asks /api/me, and goes to the login screen or
	// reconnects with what it may see now.
	if !s.sessionHolds(ctx, c) {
		conn.Close(websocket.StatusPolicyViolation, "session changed: reconnect")
		return
	}

	out := newFrameWriter(conn)
	defer out.stop()
	first, _ := json.Marshal(hello{Type: "hello", Epoch: s.cfg.Hub.Epoch(), Seq: seq, Resync: missed})
	if err := out.write(first); err != nil {
		return
	}
	expiry := time.NewTimer(time.Until(c.session.Expires))
	defer expiry.Stop()
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	pause := time.NewTimer(time.Hour)
	pause.Stop()
	defer pause.Stop()
	var wrote time.Time // when the last frame was written
	for {
		select {
		case frame := <-sub.C:
			// A frame that follows a write by less than wsLinger waits for the rest of it, and
			// whatever comes meanwhile goes along (see wsLinger).
			if wait := wsLinger - time.Since(wrote); wait > 0 {
				pause.Reset(wait)
				select {
				case <-pause.C:
				case <-sub.Dropped:
				case <-ctx.Done():
				}
			}
			if err := out.writeBurst(frame, sub.C); err != nil {
				return
			}
			sub.Refill()
			wrote = time.Now()
		case <-sub.Dropped:
			conn.Close(websocket.StatusPolicyViolation, "dropped: reconnect and resync")
			return
		case <-expiry.C:
			conn.Close(websocket.StatusPolicyViolation, "session expired")
			return
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// sessionHolds reports whether c's session is still live with the access its socket was
// subscribed with (CanSee reads the staff member's role and departments).
func (s *Server) sessionHolds(ctx context.Context, c caller) bool {
	_, staff, err := s.cfg.Backend.Session(ctx, c.token)
	return err == nil && staff.User == c.staff.User && staff.Role == c.staff.Role && slices.Equal(staff.Departments, c.staff.Departments)
}

// coalesce joins the frame with those already queued behind it into one JSON array message
// (up to maxBatch bytes), so that a busy office costs one websocket write per burst, not one
// per event. A lone frame is sent as it is. A queued frame may itself be an array (the events
// of one turn, see Hub.PublishAll): its elements join the others, so that the client always
// gets one flat array.
func coalesce(batch, first []byte, queue <-chan []byte) []byte {
	if len(queue) == 0 {
		return first
	}
	batch = appendEvents(append(batch, '['), first)
	for len(batch) < maxBatch {
		select {
		case f := <-queue:
			batch = appendEvents(append(batch, ','), f)
			continue
		default:
		}
		break
	}
	return append(batch, ']')
}

// appendEvents appends the events of a frame: an array's elements, or the one event.
func appendEvents(dst, frame []byte) []byte {
	if len(frame) > 1 && frame[0] == '[' {
		return append(dst, frame[1:len(frame)-1]...)
	}
	return append(dst, frame...)
}

// maxBatch bounds one coalesced websocket message.
const maxBatch = 256 << 10

// batches are the buffers coalesce joins frames in. A socket needs one only while it writes a
// burst: 2 000 mostly quiet sockets each keeping their own 64 KiB were 125 MiB of live heap,
// which the collector marked again at every cycle (BENCHMARKS.md, seventh round).
var batches = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// frameWriter writes a socket's frames, closing the socket when one write takes longer than
// wsWriteTimeout (a client that stopped reading). The deadline is one timer per socket, reset
// for each write: a context with a timeout per write (a timer, a context and an AfterFunc in
// the websocket library each time) was 11 % of the CPU profile of 2 000 busy sockets.
type frameWriter struct {
	conn  *websocket.Conn
	stuck *time.Timer
}

func newFrameWriter(conn *websocket.Conn) *frameWriter {
	stuck := time.AfterFunc(time.Hour, func() { conn.CloseNow() })
	stuck.Stop()
	return &frameWriter{conn: conn, stuck: stuck}
}

// write writes one text message; the socket's read side ending closes the connection, which
// ends a write under way too.
func (w *frameWriter) write(frame []byte) error {
	w.stuck.Reset(wsWriteTimeout)
	err := w.conn.Write(context.Background(), websocket.MessageText, frame)
	w.stuck.Stop()
	return err
}

// writeBurst writes frame and whatever is queued behind it as one message (see coalesce).
func (w *frameWriter) writeBurst(frame []byte, queue <-chan []byte) error {
	if len(queue) == 0 {
		return w.write(frame)
	}
	b := batches.Get().(*[]byte)
	*b = coalesce((*b)[:0], frame, queue)
	err := w.write(*b)
	batches.Put(b)
	return err
}

func (w *frameWriter) stop() { w.stuck.Stop() }
