package ui

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/balcao/balcao"
)

// sessionBackend keeps office a's accounts and sessions in memory for socket tests: Session
// reads the account as it is now, Logout revokes the token, and CanSee (a socket's first call
// for an attendant, between the request's authentication and Subscribe) can be held there.
type sessionBackend struct {
	Backend
	mu       sync.Mutex
	staff    map[string]balcao.Staff // by user
	sessions map[string]string       // token → user
	// entered, when set, is told that CanSee was called, which then waits for release.
	entered, release chan struct{}
}

func newSessionBackend() *sessionBackend {
	return &sessionBackend{staff: map[string]balcao.Staff{}, sessions: map[string]string{}}
}

// account sets a staff member's account (nil departments removes it) and opens a session for
// them with token.
func (b *sessionBackend) account(user, token string, departments ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.staff[user] = balcao.Staff{User: user, Role: balcao.RoleAttendant, Departments: departments}
	if token != "" {
		b.sessions[token] = user
	}
}

func (b *sessionBackend) remove(user string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.staff, user)
}

func (b *sessionBackend) Session(_ context.Context, token string) (balcao.Session, balcao.Staff, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	user, ok := b.sessions[token]
	staff, live := b.staff[user]
	if !ok || !live {
		return balcao.Session{}, balcao.Staff{}, balcao.ErrUnauthorized
	}
	return balcao.Session{Office: "a", User: user, Expires: time.Now().Add(time.Hour)}, staff, nil
}

func (b *sessionBackend) Logout(_ context.Context, token string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sessions, token)
	return nil
}

func (b *sessionBackend) CanSee(_ string, by balcao.Staff) func(*balcao.ConversationView) bool {
	if b.entered != nil {
		b.entered <- struct{}{}
		<-b.release
	}
	return func(v *balcao.ConversationView) bool { return slices.Contains(by.Departments, v.Department) }
}

// sessionServer serves /ws and /api/logout over b and h on a loopback port.
func sessionServer(t *testing.T, b Backend, h *Hub) *httptest.Server {
	t.Helper()
	s := &Server{cfg: Config{Backend: b, Hub: h, Context: context.Background()}, log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", s.authed(s.websocket))
	mux.HandleFunc("POST /api/logout", s.authed(s.logout))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// dialAs opens a staff socket with a session token.
func dialAs(ctx context.Context, srv *httptest.Server, token, query string) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws"+query,
		&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {SessionCookie + "=" + token}}})
	return conn, err
}

// readHello reads a socket's first message, which must be its hello.
func readHello(ctx context.Context, t *testing.T, conn *websocket.Conn) hello {
	t.Helper()
	_, raw, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("read hello: %v", err)
	}
	var h hello
	if err := json.Unmarshal(raw, &h); err != nil || h.Type != "hello" {
		t.Fatalf("first message %s (%v), want a hello", raw, err)
	}
	return h
}

// closedBy reads a socket until it ends, and reports whether the server closed it with a
// policy violation; any message read on the way is returned.
func closedBy(ctx context.Context, conn *websocket.Conn) (got []string, policy bool) {
	for {
		_, raw, err := conn.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			return got, errors.As(err, &ce) && ce.Code == websocket.StatusPolicyViolation
		}
		got = append(got, string(raw))
	}
}

// TestReconnectAfterDropUserResyncs: a staff member whose account changed is dropped, and the
// socket that reconnects from before the drop is told to reload (its lists hold conversations
// of the old departments, which a filtered replay cannot take away); one that reconnects from
// after the drop is not.
func TestReconnectAfterDropUserResyncs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, h := newSessionBackend(), NewHub()
	b.account("bia", "tb", "fiscal")
	srv := sessionServer(t, b, h)

	conn, err := dialAs(ctx, srv, "tb", "")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.CloseNow()
	first := readHello(ctx, t, conn)
	fiscal := balcao.ConversationView{ID: "5511", Department: "fiscal", State: balcao.StatePending}
	h.Publish("a", balcao.EventConversationChanged, balcao.ConversationChanged{Conversation: &fiscal})
	if _, raw, err := conn.Read(ctx); err != nil || !strings.Contains(string(raw), `"seq":1`) {
		t.Fatalf("read %s, %v; want the fiscal conversation's change", raw, err)
	}

	b.account("bia", "", "pessoal")
	h.DropUser("a", "bia")
	if got, policy := closedBy(ctx, conn); !policy {
		t.Fatalf("after DropUser the socket got %q and ended without a policy violation", got)
	}
	again, err := dialAs(ctx, srv, "tb", "?epoch="+first.Epoch+"&since=1")
	if err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	defer again.CloseNow()
	if hl := readHello(ctx, t, again); !hl.Resync {
		t.Fatalf("hello after DropUser = %+v, want resync (the client keeps the fiscal conversation)", hl)
	}

	// A socket that reloaded follows from the hello's seq, past the drop: no reload again.
	h.Publish("a", balcao.EventAgentsOnline, map[string]int{"remote": 1})
	after, err := dialAs(ctx, srv, "tb", "?epoch="+first.Epoch+"&since=2")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer after.CloseNow()
	if hl := readHello(ctx, t, after); hl.Resync {
		t.Fatalf("hello from after the drop = %+v, want no resync", hl)
	}
}

// TestSocketOpenedDuringLogoutCloses: a socket whose session logs out, or whose account changes
// or goes, after the request was authenticated but before the socket subscribed (the drop then
// finds nothing) closes before its hello, instead of receiving the office's events.
func TestSocketOpenedDuringLogoutCloses(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, b *sessionBackend, h *Hub, srv *httptest.Server)
	}{
		{"logout", func(t *testing.T, _ *sessionBackend, _ *Hub, srv *httptest.Server) {
			req, _ := http.NewRequest("POST", srv.URL+"/api/logout", nil)
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "tb"})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("logout: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("logout: %d, want 204", resp.StatusCode)
			}
		}},
		{"departments changed", func(_ *testing.T, b *sessionBackend, h *Hub, _ *httptest.Server) {
			b.account("bia", "", "pessoal")
			h.DropUser("a", "bia")
		}},
		{"account removed", func(_ *testing.T, b *sessionBackend, h *Hub, _ *httptest.Server) {
			b.remove("bia")
			h.DropUser("a", "bia")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			b, h := newSessionBackend(), NewHub()
			b.account("bia", "tb", "fiscal")
			b.entered, b.release = make(chan struct{}), make(chan struct{})
			srv := sessionServer(t, b, h)

			type dialed struct {
				conn *websocket.Conn
				err  error
			}
			done := make(chan dialed, 1)
			go func() {
				conn, err := dialAs(ctx, srv, "tb", "")
				done <- dialed{conn, err}
			}()
			select {
			case <-b.entered: // authenticated, taken over, not yet subscribed
			case <-ctx.Done():
				t.Fatal("the socket never reached CanSee")
			}
			tc.change(t, b, h, srv)
			close(b.release)
			d := <-done
			if d.err != nil {
				t.Fatalf("dial: %v", d.err)
			}
			defer d.conn.CloseNow()

			_, raw, err := d.conn.Read(ctx)
			if err == nil {
				h.Publish("a", balcao.EventAgentsOnline, map[string]int{"remote": 1})
				soon, stop := context.WithTimeout(ctx, time.Second)
				defer stop()
				_, next, err := d.conn.Read(soon)
				t.Fatalf("the socket sent %s then %s (%v), want it closed before its hello", raw, next, err)
			}
			if ce := (websocket.CloseError{}); !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation {
				t.Fatalf("the socket ended with %v, want a policy violation", err)
			}
			for h.Subscribers("a") != 0 {
				if ctx.Err() != nil {
					t.Fatal("the closed socket stayed subscribed")
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}
