package engine_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestExpiredSessionsGo: an expired staff session's records (sess/ and its sessx/ entry) are
// dropped by the scheduler's pass, so that they do not pile up one per login forever; a live
// session stays through the passes and still lets its holder in, and a logout takes both of
// its records at once.
func TestExpiredSessionsGo(t *testing.T) {
	data := t.TempDir()
	// A session of an engine whose sessions last a nanosecond: expired once stored (the login
	// is answered 401, the session having expired by the time it is read back).
	e := startEngine(t, func(c *engine.Config) { c.DataDir, c.SessionTTL = data, time.Nanosecond })
	newClient(t, e).do("POST", "/api/login", map[string]string{"office": "demo", "user": "ana", "password": demoPassword})
	sessions := func() (users []string, queued int) { // of the engine e is then
		t.Helper()
		err := e.DB().Scan(storage.SessionsPrefix(), nil, false, func(_, v []byte) bool {
			var s balcao.Session
			if err := storage.Decode(v, &s); err != nil {
				t.Errorf("session record: %v", err)
			}
			users = append(users, s.User)
			return true
		})
		if err == nil {
			err = e.DB().Scan(storage.SessionExpiriesPrefix(), nil, false, func(_, _ []byte) bool { queued++; return true })
		}
		if err != nil {
			t.Fatal(err)
		}
		return users, queued
	}
	if users, _ := sessions(); len(users) != 1 || users[0] != "ana" {
		t.Fatalf("after the login: sessions of %v, want ana's", users)
	}
	stop(t, e)

	start := time.Date(2027, 3, 2, 10, 0, 0, 0, spLoc)
	clock := newFakeClock(start)
	e = startClocked(t, data, clock) // its first pass is done
	if users, queued := sessions(); len(users) != 0 || queued != 0 {
		t.Fatalf("after a pass: sessions of %v, %d queued; want the expired one gone", users, queued)
	}

	admin := newClient(t, e)
	admin.login("demo", "admin")
	bruno := newClient(t, e)
	bruno.login("demo", "bruno")
	if status, body := bruno.do("POST", "/api/logout", nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", status, body)
	}
	if users, queued := sessions(); len(users) != 1 || users[0] != "admin" || queued != 1 {
		t.Errorf("after a login and a login ended by a logout: sessions of %v, %d queued; want admin's, 1", users, queued)
	}
	clock.advance(t, start.Add(2*time.Hour)) // the scheduler's next pass
	if users, queued := sessions(); len(users) != 1 || users[0] != "admin" || queued != 1 {
		t.Errorf("after another pass: sessions of %v, %d queued; want admin's live one, 1", users, queued)
	}
	if status, body := admin.do("GET", "/api/me", nil); status != http.StatusOK {
		t.Errorf("live session after the passes: GET /api/me = %d %s, want 200", status, body)
	}
}
