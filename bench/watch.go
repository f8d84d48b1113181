package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/ui"
)

// watchOffice follows one office's events in-process, as a hub subscriber (no websocket), to
// time the assistant's replies. Within an office the hub publishes in commit order, and one
// turn's events come together: the inbound message.added, its replies' message.added, then
// conversation.changed. So the first outbound assistant/system message.added of a
// conversation after its inbound, and before its conversation.changed, is that inbound's reply.
// Its event is published when the turn is durable, just before the reply is handed to the
// gateway actor. The reply's later message.status "delivered" means the simulated WhatsApp
// accepted it and the receipt was stored.
func (h *harness) watchOffice(ctx context.Context, idx int) {
	office := h.offices[idx]
	type replied struct {
		n   uint64
		seq uint64
	}
	cur := map[string]uint64{}   // conversation → bench message number of the turn being read
	sent := map[string]replied{} // conversation → its last timed reply, until it is delivered
	var (
		f      frame
		frames [][]byte
	)
	for ctx.Err() == nil {
		sub, _, _ := h.e.Hub().Subscribe(office, "bench-watch", "bench", nil, "", 0)
	read:
		for {
			select {
			case <-ctx.Done():
				h.e.Hub().Unsubscribe(office, sub)
				return
			case <-sub.Dropped:
				h.watchDrops.Add(1)
				clear(cur)
				break read
			case b := <-sub.C:
				// One hub frame holds one event, or the events of one turn as a JSON array.
				now := time.Now()
				frames = splitFrames(frames, b)
				for _, one := range frames {
					if !parseFrame(one, &f) {
						continue
					}
					switch {
					case bytes.Equal(f.typ, typMessageAdded):
						if string(f.direction) == "in" {
							if n, ok := parseBenchID(f.waID); ok {
								cur[string(f.conv)] = n
							} else {
								delete(cur, string(f.conv))
							}
							continue
						}
						n, ok := cur[string(f.conv)]
						a := string(f.author)
						if !ok || (a != "assistant" && a != "system") {
							continue
						}
						delete(cur, string(f.conv))
						if s := h.steps.find(n); s != nil {
							s.reply.record(idx, now.Sub(s.intended(n)))
							s.replies.Add(1)
							sent[string(f.conv)] = replied{n: n, seq: f.msgSeq}
						}
					case bytes.Equal(f.typ, typConvChanged):
						delete(cur, string(f.conv))
						if h.cfg.Release && string(f.state) == "pending" {
							select {
							case h.release <- releaseReq{office: office, phone: string(f.conv)}:
							default:
								h.releaseDropped.Add(1)
							}
						}
					case bytes.Equal(f.typ, typStatus):
						r, ok := sent[string(f.conv)]
						if !ok || r.seq != f.msgSeq || string(f.status) != "delivered" {
							continue
						}
						delete(sent, string(f.conv))
						if s := h.steps.find(r.n); s != nil {
							s.atPhone.record(idx, now.Sub(s.intended(r.n)))
							s.atPhoneN.Add(1)
						}
					}
				}
			}
		}
		h.e.Hub().Unsubscribe(office, sub)
	}
}

type releaseReq struct{ office, phone string }

// releaser plays the staff of every office: it takes each conversation that went pending and
// finishes the service at once (StartService then FinishService, as the staff's buttons do),
// so that the conversation returns to the assistant and its next message is answered.
func (h *harness) releaser(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-h.release:
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := h.e.Actors().Request(rctx, r.office, &actors.StartService{Phone: r.phone, Staff: staffUser})
			if err == nil {
				_, err = h.e.Actors().Request(rctx, r.office, &actors.FinishService{Phone: r.phone, Staff: staffUser})
			}
			cancel()
			if err != nil {
				h.releaseErrors.Add(1)
			} else if s := h.cur.Load(); s != nil {
				s.released.Add(1)
			}
		}
	}
}

// staffSocket is one simulated staff browser: logged in over HTTP, holding GET /ws, timing
// each inbound message's message.added frame, and reconnecting with ?epoch=&since= when the
// socket closes (as the web client does).
type staffSocket struct {
	h      *harness
	idx    int
	office int
	cookie string

	mu    sync.Mutex
	conn  *websocket.Conn
	epoch string
	seq   uint64
}

func (h *harness) login(ctx context.Context, office string) (string, error) {
	body, _ := json.Marshal(map[string]string{"office": office, "user": staffUser, "password": staffPassword})
	req, _ := http.NewRequestWithContext(ctx, "POST", h.base+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login %s: %s", office, resp.Status)
	}
	for _, c := range resp.Cookies() {
		if c.Name == ui.SessionCookie {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", errors.New("login: no session cookie")
}

func (s *staffSocket) dial(ctx context.Context) error {
	u := "ws" + strings.TrimPrefix(s.h.base, "http") + "/ws"
	s.mu.Lock()
	if s.epoch != "" {
		u += fmt.Sprintf("?epoch=%s&since=%d", s.epoch, s.seq)
	}
	s.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{
		HTTPClient: s.h.client, HTTPHeader: http.Header{"Cookie": {s.cookie}},
	})
	if err != nil {
		return err
	}
	conn.SetReadLimit(1 << 20)
	_, b, err := conn.Read(ctx)
	if err != nil {
		conn.CloseNow()
		return err
	}
	var hello struct {
		Epoch  string `json:"epoch"`
		Seq    uint64 `json:"seq"`
		Resync bool   `json:"resync"`
	}
	if err := json.Unmarshal(b, &hello); err != nil {
		conn.CloseNow()
		return fmt.Errorf("hello: %w", err)
	}
	if hello.Resync {
		s.h.socketResyncs.Add(1)
	}
	s.mu.Lock()
	s.conn = conn
	if s.epoch == "" || hello.Resync {
		s.seq = hello.Seq
	}
	s.epoch = hello.Epoch
	s.mu.Unlock()
	return nil
}

// kick closes the socket from the client side (a browser tab that loses its network).
func (s *staffSocket) kick() {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		s.h.socketKicks.Add(1)
		c.CloseNow()
	}
}

func (s *staffSocket) run(ctx context.Context) {
	// These readers share the engine's process, and so its garbage collector: the message
	// buffer and the frame list are reused (conn.Read allocates every message anew), and reads
	// take no context (each read with one arms a context.AfterFunc); ctx closes the socket.
	var (
		f      frame
		msg    bytes.Buffer
		frames [][]byte
	)
	for {
		s.mu.Lock()
		conn := s.conn
		s.mu.Unlock()
		stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
		for {
			_, r, err := conn.Reader(context.Background())
			if err != nil {
				break
			}
			msg.Reset()
			if _, err := msg.ReadFrom(r); err != nil {
				break
			}
			now := time.Now()
			frames = splitFrames(frames, msg.Bytes())
			var last uint64 // the highest seq of the message: where a reconnection resumes
			for _, one := range frames {
				if !parseStaffFrame(one, &f) {
					continue
				}
				last = max(last, f.seq)
				if !bytes.Equal(f.typ, typMessageAdded) || string(f.direction) != "in" {
					continue
				}
				if n, ok := parseBenchID(f.waID); ok {
					if st := s.h.steps.find(n); st != nil {
						st.staff.record(s.idx, now.Sub(st.intended(n)))
						st.staffN.Add(1)
					}
				}
			}
			s.mu.Lock()
			if last > s.seq {
				s.seq = last
			}
			s.mu.Unlock()
		}
		stop()
		conn.CloseNow()
		if ctx.Err() != nil {
			return
		}
		s.h.socketDrops.Add(1)
		for ctx.Err() == nil {
			if err := s.dial(ctx); err == nil {
				s.h.socketReconnects.Add(1)
				break
			}
			s.h.socketDialErrors.Add(1)
			time.Sleep(100 * time.Millisecond)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// openSockets logs in and opens cfg.Staff sockets per office.
func (h *harness) openSockets(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 32)
		idx  atomic.Int64
	)
	for o := range h.offices {
		for k := 0; k < h.cfg.Staff; k++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				cookie, err := h.login(ctx, h.offices[o])
				var s *staffSocket
				if err == nil {
					s = &staffSocket{h: h, idx: int(idx.Add(1)), office: o, cookie: cookie}
					err = s.dial(ctx)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				h.sockets = append(h.sockets, s)
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("open %d staff sockets: %d failed, first: %w", h.cfg.Offices*h.cfg.Staff, len(errs), errs[0])
	}
	return nil
}
