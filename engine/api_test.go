package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
)

type wsFrame struct {
	Type   string          `json:"type"`
	Seq    uint64          `json:"seq"`
	Epoch  string          `json:"epoch"`
	Resync bool            `json:"resync"`
	Data   json.RawMessage `json:"data"`
}

// socket opens the staff websocket of a logged-in client.
func (c *client) socket(query string) *websocket.Conn {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+"/ws"+query, &websocket.DialOptions{HTTPClient: c.http})
	if err != nil {
		c.t.Fatalf("dial websocket: %v", err)
	}
	c.t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// queued holds frames that arrived together in one array message and were not read yet.
var queued = map[*websocket.Conn][]wsFrame{}

// next reads frames until one satisfies match.
func next(t *testing.T, conn *websocket.Conn, match func(wsFrame) bool) wsFrame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		for len(queued[conn]) > 0 {
			f := queued[conn][0]
			queued[conn] = queued[conn][1:]
			if match(f) {
				return f
			}
		}
		_, raw, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("read websocket: %v", err)
		}
		queued[conn] = append(queued[conn], framesOf(t, raw)...)
	}
}

// framesOf decodes one websocket message: an event, or a JSON array of them.
func framesOf(t *testing.T, raw []byte) []wsFrame {
	t.Helper()
	var frames []wsFrame
	var err error
	if len(raw) > 0 && raw[0] == '[' {
		err = json.Unmarshal(raw, &frames)
	} else {
		var f wsFrame
		err = json.Unmarshal(raw, &f)
		frames = []wsFrame{f}
	}
	if err != nil {
		t.Errorf("frame %s: %v", raw, err)
	}
	return frames
}

func TestServiceCycle(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	ws := ana.socket("")
	hello := next(t, ws, func(f wsFrame) bool { return true })
	if hello.Type != "hello" || hello.Epoch == "" {
		t.Fatalf("first frame = %+v, want hello with an epoch", hello)
	}

	phone := newClient(t, e)
	if status, body := phone.inbound("demo", "5548999990001", "oi", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := phone.inbound("demo", "+55 (48) 99999-0001", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	// The request for a person moves the conversation to pending, live.
	next(t, ws, func(f wsFrame) bool {
		return f.Type == "conversation.changed" && strings.Contains(string(f.Data), `"state":"pending"`)
	})
	status, body := ana.do("GET", "/api/conversations?tab=pendentes", nil)
	pend := decode[convList](t, body)
	if status != 200 || len(pend.Conversations) != 1 || pend.Conversations[0].ID != "5548999990001" ||
		!pend.Conversations[0].Contact.Linked || pend.Conversations[0].Contact.Name != "Carlos Souza" {
		t.Fatalf("pendentes = %d %s", status, body)
	}

	if status, body := ana.do("POST", "/api/conversations/5548999990001/start", nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	status, body = ana.do("GET", "/api/conversations?tab=atendimento", nil)
	att := decode[convList](t, body)
	if len(att.Conversations) != 1 || att.Conversations[0].Attendant != "ana" {
		t.Fatalf("atendimento = %d %s", status, body)
	}
	if status, _ := ana.do("GET", "/api/conversations?tab=pendentes", nil); status != 200 {
		t.Fatal(status)
	}

	// Bruno cannot take it, nor answer in it.
	bruno := newClient(t, e)
	bruno.login("demo", "bruno")
	status, body = bruno.do("POST", "/api/conversations/5548999990001/start", nil)
	if eb := decode[errBody](t, body); status != http.StatusConflict || !strings.Contains(eb.Error.Message, "Ana Ribeiro") {
		t.Fatalf("second start = %d %s, want 409 naming Ana Ribeiro", status, body)
	}
	_, body = bruno.do("GET", "/api/queues", nil)
	q := decode[balcao.Queues](t, body)
	if len(q.Attending) != 1 || q.Attending[0].StaffName != "Ana Ribeiro" || q.Pending != 0 || !q.Agents.Embedded {
		t.Fatalf("queues = %s", body)
	}
	_, body = bruno.do("GET", "/api/conversations/counts", nil)
	if string(body) != "{\"atendimento\":1,\"pendentes\":0}\n" {
		t.Fatalf("counts = %s", body)
	}
	if status, _ := bruno.do("POST", "/api/conversations/5548999990001/messages", map[string]string{"text": "oi"}); status != http.StatusConflict {
		t.Fatalf("reply from bruno = %d, want 409", status)
	}
	status, body = bruno.do("POST", "/api/conversations/5548999990001/finish", nil)
	if eb := decode[errBody](t, body); status != http.StatusForbidden || eb.Error.Message != "Esta conversa está em atendimento com Ana Ribeiro." {
		t.Fatalf("finish from bruno = %d %s, want 403 naming Ana Ribeiro, not her login", status, body)
	}

	if status, body := ana.do("POST", "/api/conversations/5548999990001/messages", map[string]string{"text": "Olá Carlos, aqui é a Ana!"}); status != http.StatusCreated {
		t.Fatalf("reply: %d %s", status, body)
	}
	// The simulated phone receives the answer.
	eventually(t, "the phone to receive ana's answer", func() bool {
		_, body := phone.do("GET", "/sim/outbound?office=demo&to=5548999990001", nil)
		return strings.Contains(string(body), "aqui é a Ana")
	})
	next(t, ws, func(f wsFrame) bool {
		return f.Type == "message.status" && strings.Contains(string(f.Data), `"delivered"`)
	})

	if status, body := ana.do("POST", "/api/conversations/5548999990001/finish", nil); status != 200 {
		t.Fatalf("finish: %d %s", status, body)
	}
	_, body = ana.do("GET", "/api/conversations?tab=atendimento", nil)
	if att := decode[convList](t, body); len(att.Conversations) != 0 {
		t.Fatalf("atendimento after finish = %s", body)
	}
	_, body = ana.do("GET", "/api/conversations?tab=contatos", nil)
	if all := decode[convList](t, body); len(all.Conversations) != 1 || all.Conversations[0].State != "assistant" {
		t.Fatalf("contatos after finish = %s", body)
	}
	_, body = ana.do("GET", "/api/conversations/5548999990001/messages", nil)
	msgs := decode[msgList](t, body)
	var authors []string
	for _, m := range msgs.Messages {
		authors = append(authors, m.Direction+":"+m.Author)
	}
	got := strings.Join(authors, " ")
	if !strings.HasPrefix(got, "in:client out:assistant") || !strings.Contains(got, "out:ana out:system") {
		t.Fatalf("messages = %s", got)
	}
}

func TestUnlinkedPhoneGoesToPendingAndCanBeLinked(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	if status, body := ana.inbound("demo", "11987654321", "bom dia, preciso de ajuda", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var list convList
	eventually(t, "the unlinked phone in pendentes", func() bool {
		_, body := ana.do("GET", "/api/conversations?tab=pendentes", nil)
		list = decode[convList](t, body)
		return len(list.Conversations) == 1
	})
	if c := list.Conversations[0]; c.ID != "5511987654321" || c.Contact.Linked {
		t.Fatalf("pending = %+v, want 5511987654321 not linked", c)
	}
	status, body := ana.do("POST", "/api/contacts/5511987654321/link", map[string]string{"company": "tech-floripa", "name": "Paula Nunes"})
	if status != 200 || !strings.Contains(string(body), `"linked":true`) || !strings.Contains(string(body), "Paula Nunes") {
		t.Fatalf("link: %d %s", status, body)
	}
	status, body = ana.do("POST", "/api/contacts/5511987654321/link", map[string]string{"company": "nope"})
	if status != http.StatusNotFound {
		t.Fatalf("link to unknown company: %d %s", status, body)
	}
}

func TestDuplicateWhatsAppIDStoredOnce(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	for range 3 {
		if status, body := ana.inbound("demo", "5548999990003", "oi", "ABC123"); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
	}
	_, body := ana.do("GET", "/api/conversations/5548999990003/messages", nil)
	var in int
	for _, m := range decode[msgList](t, body).Messages {
		if m.Direction == "in" {
			in++
		}
	}
	if in != 1 {
		t.Fatalf("inbound messages stored = %d, want 1: %s", in, body)
	}
}

func TestNinthDigitIsTheSameContact(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	for _, from := range []string{"55 48 9999-0002", "55 48 99999-0002", "(48) 9999-0002"} {
		if status, body := ana.inbound("demo", from, "oi", ""); status != http.StatusAccepted {
			t.Fatalf("inbound from %q: %d %s", from, status, body)
		}
	}
	_, body := ana.do("GET", "/api/conversations?tab=contatos", nil)
	list := decode[convList](t, body)
	if len(list.Conversations) != 1 || list.Conversations[0].ID != "5548999990002" || len(list.Conversations[0].Companies) != 2 {
		t.Fatalf("contatos = %s, want one conversation of 5548999990002 with two companies", body)
	}
}

// TestWebsocketReconnectGetsWhatItMissed: a client that reconnects with its epoch and last seq
// receives the events it missed, in order; one from another epoch is told to resync.
// TestWebsocketBurstIsOneMessage: a frame after a quiet spell goes out at once, and the frames
// that follow it within the socket's linger (5 ms) go together in one websocket message.
func TestWebsocketBurstIsOneMessage(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	ws := ana.socket("")
	next(t, ws, func(wsFrame) bool { return true }) // hello
	time.Sleep(20 * time.Millisecond)               // quiet: the next frame goes out at once

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	e.Hub().Publish("demo", "test.first", nil)
	_, raw, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f := framesOf(t, raw); len(f) != 1 || f[0].Type != "test.first" {
		t.Fatalf("first message %s", raw)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("a frame after a quiet spell took %s", took)
	}
	// Six frames half a millisecond apart: without the linger the socket's writer wakes for
	// each; with it they go in one message, or two if this goroutine was held up past a linger.
	const burst = 6
	for range burst {
		e.Hub().Publish("demo", "test.burst", nil)
		time.Sleep(500 * time.Microsecond)
	}
	var got, messages int
	for got < burst {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v (%d of %d events)", err, got, burst)
		}
		got += len(framesOf(t, raw))
		messages++
	}
	if got != burst || messages > 2 {
		t.Fatalf("the burst's %d events came in %d messages, want them in one or two", got, messages)
	}
}

// TestWebsocketEndsWithItsSession: a socket closes with a policy violation when its session
// logs out or expires, and one the client closes leaves the hub.
func TestWebsocketEndsWithItsSession(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.SessionTTL = 1500 * time.Millisecond })
	closedWith := func(conn *websocket.Conn, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			_, _, err := conn.Read(ctx)
			if err == nil {
				continue
			}
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != want {
				t.Fatalf("socket ended with %v, want a policy violation %q", err, want)
			}
			return
		}
	}

	ana := newClient(t, e)
	ana.login("demo", "ana")
	ws := ana.socket("")
	next(t, ws, func(wsFrame) bool { return true }) // hello
	if status, body := ana.do("POST", "/api/logout", nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", status, body)
	}
	closedWith(ws, "dropped: reconnect and resync")

	bruno := newClient(t, e)
	bruno.login("demo", "bruno")
	ws = bruno.socket("")
	next(t, ws, func(wsFrame) bool { return true })
	closedWith(ws, "session expired")

	carla := newClient(t, e)
	carla.login("demo", "ana")
	ws = carla.socket("")
	next(t, ws, func(wsFrame) bool { return true })
	ws.Close(websocket.StatusNormalClosure, "")
	eventually(t, "the closed socket to leave the hub", func() bool { return e.Hub().Subscribers("demo") == 0 })
}

func TestWebsocketReconnectGetsWhatItMissed(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	ws := ana.socket("")
	hello := next(t, ws, func(wsFrame) bool { return true })
	if status, body := ana.inbound("demo", "5548999990001", "oi", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	first := next(t, ws, func(f wsFrame) bool { return f.Type == "message.added" })
	ws.Close(websocket.StatusNormalClosure, "")

	if status, body := ana.inbound("demo", "5548999990001", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the conversation to be pending", func() bool {
		_, body := ana.do("GET", "/api/conversations?tab=pendentes", nil)
		return len(decode[convList](t, body).Conversations) == 1
	})
	again := ana.socket(fmt.Sprintf("?epoch=%s&since=%d", hello.Epoch, first.Seq))
	h := next(t, again, func(wsFrame) bool { return true })
	if h.Type != "hello" || h.Resync || h.Seq <= first.Seq {
		t.Fatalf("hello after reconnect = %+v", h)
	}
	// Every event after first comes, in order and without a gap: those up to the hello's seq
	// replayed, the rest live. The transition to pending may be either: the turn's events are
	// published just after its message is acknowledged (the storage writer's callback), so
	// the pending tab can show it before the hub has it.
	want := first.Seq + 1
	sawPending := false
	for want <= h.Seq || !sawPending {
		f := next(t, again, func(wsFrame) bool { return true })
		if f.Seq != want {
			t.Fatalf("replayed seq %d, want %d (hello at %d)", f.Seq, want, h.Seq)
		}
		sawPending = sawPending || (f.Type == "conversation.changed" && strings.Contains(string(f.Data), `"pending"`))
		want++
	}
	stale := ana.socket("?epoch=old&since=3")
	if h := next(t, stale, func(wsFrame) bool { return true }); !h.Resync {
		t.Fatalf("hello for another epoch = %+v, want resync", h)
	}
}

// TestQuietSocketsHoldLittleHeap: an open staff socket that has nothing to write keeps no
// buffer of its own for bursts (each kept 64 KiB: with 2 000 sockets the collector marked 125
// MiB more at every cycle). Measured with both ends in this process: the server's queue,
// timers and connection, and the client's connection.
func TestQuietSocketsHoldLittleHeap(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	heap := func() (bytes, objects int64) {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc), int64(m.HeapObjects)
	}
	const sockets = 100
	bytesBefore, objectsBefore := heap()
	for range sockets {
		next(t, ana.socket(""), func(wsFrame) bool { return true }) // hello: the server's side is up
	}
	e.Hub().Publish("demo", "test.event", nil) // every socket writes once
	if got := e.Hub().Subscribers("demo"); got != sockets {
		t.Fatalf("%d subscribers, want %d", got, sockets)
	}
	bytesAfter, objectsAfter := heap()
	per, objects := (bytesAfter-bytesBefore)/sockets, (objectsAfter-objectsBefore)/sockets
	t.Logf("%d bytes of heap in %d objects per open socket (both ends)", per, objects)
	if per > 48<<10 {
		t.Fatalf("each open socket holds %d bytes of heap, want under 48 KiB", per)
	}
	// The collector marks every object again at each cycle: the server's side keeps its
	// connection, subscription and timers, not the HTTP request it came by.
	if objects > 120 {
		t.Fatalf("each open socket holds %d heap objects, want at most 120", objects)
	}
}
