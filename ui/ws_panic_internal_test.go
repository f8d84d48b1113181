package ui

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// syncBuffer is a bytes.Buffer for a logger written from other goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSocketPanicEndsOnlyThatSocket: a staff socket runs on a goroutine of its own, where
// net/http no longer recovers a panic: it ends that socket, logged, and the process goes on.
func TestSocketPanicEndsOnlyThatSocket(t *testing.T) {
	logs := &syncBuffer{}
	s := &Server{cfg: Config{Backend: panickyBackend{}, Hub: NewHub()}, log: slog.New(slog.NewTextHandler(logs, nil))}
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
	for !strings.Contains(logs.String(), "staff socket failed") {
		if ctx.Err() != nil {
			t.Fatalf("the panic was not logged: %q", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
