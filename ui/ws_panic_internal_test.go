package ui

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/balcao/balcao"
)

// panickyBackend fails in CanSee, which the socket of an attendant calls first.
type panickyBackend struct{ Backend }

func (panickyBackend) CanSee(string, balcao.Staff) func(*balcao.ConversationView) bool {
	panic("can see failed")
}

// failureLog notes whether a socket's failure was logged.
type failureLog struct{ seen atomic.Bool }

func (l *failureLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("staff socket failed")) {
		l.seen.Store(true)
	}
	return len(p), nil
}

// TestSocketPanicEndsOnlyThatSocket: a staff socket runs on a goroutine of its own, where
// net/http no longer recovers a panic: it ends that socket, logged, and the process goes on.
func TestSocketPanicEndsOnlyThatSocket(t *testing.T) {
	logs := &failureLog{}
	s := &Server{cfg: Config{Backend: panickyBackend{}, Hub: NewHub(), Context: context.Background()}, log: slog.New(slog.NewTextHandler(logs, nil))}
	who := caller{session: balcao.Session{Office: "a", User: "ana", Expires: time.Now().Add(time.Hour)}, staff: balcao.Staff{User: "ana", Role: balcao.RoleAttendant}, token: "t"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.websocket(w, r, who) }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 { // the second socket finds the server still there
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		if _, frame, err := conn.Read(ctx); err == nil {
			t.Fatalf("the failed socket sent %s, want it closed", frame)
		}
		conn.CloseNow()
	}
	for !logs.seen.Load() {
		if ctx.Err() != nil {
			t.Fatal("the panic was not logged")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
