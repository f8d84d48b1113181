package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
	"github.com/balcao/balcao/ui"
)

// TestRequestPastTheStopBudgetIsAnsweredUnavailable: a request still running when the stop
// budget ends (its body held back) reaches storage while storage closes, a read still under
// way: storage refuses it instead of Pebble panicking on a closed database, the request is
// answered 503 unavailable on its connection, still open, saying in Portuguese that the
// Balcão is restarting (not overload's "Sistema ocupado"), Close waits for the read, the
// engine stops cleanly with no panic logged, and what was answered before the stop is there
// after it.
func TestRequestPastTheStopBudgetIsAnsweredUnavailable(t *testing.T) {
	var logs lockedBuffer
	e := startEngine(t, func(c *engine.Config) {
		c.StopBudget = 100 * time.Millisecond
		c.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	c := newClient(t, e)
	c.login(engine.DemoOffice, "admin")
	if status, body := c.do("POST", "/api/canned", map[string]any{"shortcut": "antes", "text": "Salvo antes da parada."}); status != http.StatusCreated {
		t.Fatalf("create canned answer: %d %s", status, body)
	}

	// A request whose body is held back: with Expect: 100-continue the server says when its
	// handler reads the body, past the session's check.
	conn, err := net.Dial("tcp", e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var session string
	for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: "http", Host: e.Addr()}) {
		if ck.Name == ui.SessionCookie {
			session = ck.Value
		}
	}
	body := `{"shortcut":"durante","text":"Enviado durante a parada."}`
	fmt.Fprintf(conn, "POST /api/canned HTTP/1.1\r\nHost: %s\r\nCookie: balcao_session=%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", e.Addr(), session, len(body))
	replies := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(replies, nil); err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("before the body: %v %v, want 100 Continue", resp, err)
	}
	if _, err := io.WriteString(conn, body[:len(body)-1]); err != nil {
		t.Fatal(err)
	}

	// A read under way in storage (as a long one of another request) when the stop comes.
	inScan, release, scanned := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	releaseScan := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseScan) // before the engine's cleanup stops it: storage's Close waits for it
	go func() {
		first := true
		scanned <- e.DB().Scan(storage.CannedPrefix(engine.DemoOffice), nil, false, func(_, _ []byte) bool {
			if first {
				first = false
				close(inScan)
				<-release
			}
			return true
		})
	}()
	<-inScan
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		stopped <- e.Stop(ctx)
	}()
	// The budget ends, the actors stop, and storage refuses reads while it waits for the one
	// under way: the held request goes on now.
	eventually(t, "storage refusing reads", func() bool {
		_, err := e.DB().Has(storage.CannedKey(engine.DemoOffice, "x"))
		return errors.Is(err, balcao.ErrClosed)
	})
	if _, err := io.WriteString(conn, body[len(body)-1:]); err != nil {
		t.Fatalf("send the rest of the body: %v", err)
	}
	resp, err := http.ReadResponse(replies, nil)
	if err != nil {
		t.Fatalf("response of the request past the budget: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got errBody
	const restarting = "O Balcão está reiniciando; tente novamente em instantes."
	if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(raw, &got) != nil || got.Error.Code != "unavailable" || got.Error.Message != restarting {
		t.Errorf("request past the budget = %d %s, want 503 unavailable saying %q", resp.StatusCode, raw, restarting)
	}

	releaseScan()
	if err := <-scanned; err != nil {
		t.Errorf("read under way at the stop = %v", err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("stop = %v", err)
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("panic logged during the stop:\n%s", logs.String())
	}

	db, err := storage.Open(engine.PebbleDir(e.DataDir()), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := db.CannedAnswers(engine.DemoOffice)
	if err != nil {
		t.Fatal(err)
	}
	var shortcuts []string
	for _, a := range all {
		shortcuts = append(shortcuts, a.Shortcut)
	}
	if !slices.Contains(shortcuts, "antes") || slices.Contains(shortcuts, "durante") {
		t.Errorf("canned answers after the stop = %v, want the one answered 201 and not the one answered 503", shortcuts)
	}
}

// lockedBuffer is a log destination that goroutines share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
