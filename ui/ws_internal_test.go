package ui

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestCoalesceJoinsQueuedFramesInOrder(t *testing.T) {
	q := make(chan []byte, 4)
	if got := coalesce(nil, []byte(`{"seq":1}`), q); string(got) != `{"seq":1}` {
		t.Fatalf("coalesce(alone) = %s, want the frame as it is", got)
	}
	q <- []byte(`{"seq":2}`)
	q <- []byte(`{"seq":3}`)
	got := coalesce(nil, []byte(`{"seq":1}`), q)
	var frames []struct{ Seq int }
	if err := json.Unmarshal(got, &frames); err != nil || len(frames) != 3 || frames[0].Seq != 1 || frames[2].Seq != 3 {
		t.Fatalf("coalesce = %s (%v), want the three frames in order", got, err)
	}
	if len(q) != 0 {
		t.Fatal("queued frames left behind")
	}
}

func TestCoalesceFlattensTurnFrames(t *testing.T) {
	q := make(chan []byte, 4)
	q <- []byte(`[{"seq":2},{"seq":3}]`)
	q <- []byte(`{"seq":4}`)
	got := coalesce(nil, []byte(`[{"seq":0},{"seq":1}]`), q)
	var frames []struct{ Seq int }
	if err := json.Unmarshal(got, &frames); err != nil || len(frames) != 5 || frames[4].Seq != 4 {
		t.Fatalf("coalesce = %s (%v), want one flat array of five events", got, err)
	}
	if alone := coalesce(nil, []byte(`[{"seq":0},{"seq":1}]`), q); string(alone) != `[{"seq":0},{"seq":1}]` {
		t.Fatalf("coalesce(alone turn) = %s, want it as it is", alone)
	}
}

// countingHijack hands out the hijacked connection wrapped so that its writes are counted,
// with a 4 KiB write buffer as net/http's.
type countingHijack struct {
	http.ResponseWriter
	writes *atomic.Int64
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

func (h countingHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	counted := countingConn{Conn: conn, writes: h.writes}
	return counted, bufio.NewReadWriter(brw.Reader, bufio.NewWriter(counted)), nil
}

// TestSocketWritesABurstAtOnce: a 12 KB message (a busy office's burst) leaves in one write on
// the connection, not its first 4 KiB and then the rest, and arrives whole.
func TestSocketWritesABurstAtOnce(t *testing.T) {
	var writes atomic.Int64
	msg := bytes.Repeat([]byte("x"), 12<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(bufferedHijack{countingHijack{w, &writes}}, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		if err := conn.Write(r.Context(), websocket.MessageText, msg); err != nil {
			t.Error(err)
		}
		conn.CloseRead(r.Context())
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	_, got, err := c.Read(ctx)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("read %d bytes, %v; want the %d written", len(got), err, len(msg))
	}
	if n := writes.Load(); n != 1 {
		t.Fatalf("a %d-byte message took %d writes on the connection, want 1", len(msg), n)
	}
}
