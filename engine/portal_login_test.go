package engine_test

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
	"github.com/balcao/balcao/ui"
)

// TestPortalLoginLinkIsOneTimeUnderConcurrency: a one-time login link opens one portal
// session, even when it is opened many times at once (a link preview bot, a forwarded message,
// someone racing the client): each of 32 concurrent requests checked that the link was unused
// before any recorded it as used.
func TestPortalLoginLinkIsOneTimeUnderConcurrency(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	const n, rounds = 32, 10
	browsers := racers(t, c.base, n)
	for round := range rounds {
		var sessions atomic.Int32
		getAtOnce(t, browsers, portalLoginLink(t, c), func(resp *http.Response) {
			for _, ck := range resp.Cookies() {
				if ck.Name == ui.PortalCookie && ck.Value != "" {
					sessions.Add(1)
				}
			}
		})
		if got := sessions.Load(); got != 1 {
			t.Errorf("round %d: one login link opened %d portal sessions, want 1", round, got)
		}
	}
}

// TestSpentLoginMarkersGoWhenTheirLinksExpire: the marker of a spent one-time login link is
// dropped once the link has expired (it guards nothing then), so that markers do not pile up
// one per portal login forever; a spent link that has not expired is still refused.
func TestSpentLoginMarkersGoWhenTheirLinksExpire(t *testing.T) {
	start := time.Date(2027, 3, 2, 10, 0, 0, 0, spLoc) // a Tuesday morning
	clock := newFakeClock(start)
	e := startClocked(t, t.TempDir(), clock)
	c := newClient(t, e)
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	open := func(link string) int {
		t.Helper()
		resp, err := browser.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	markers := func() (spent, queued int) {
		t.Helper()
		count := func(prefix []byte) (n int) {
			if err := e.DB().Scan(prefix, nil, false, func(_, _ []byte) bool { n++; return true }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		return count(storage.SpentLoginsPrefix(engine.DemoOffice)), count(storage.SpentLoginExpiriesPrefix(engine.DemoOffice))
	}

	first := portalLoginLink(t, c) // expires at start + 24 h
	if got := open(first); got != http.StatusSeeOther {
		t.Fatalf("first login link = %d, want 303 into the portal", got)
	}
	clock.advance(t, start.Add(12*time.Hour))
	second := portalLoginLink(t, c) // expires at start + 36 h
	if got := open(second); got != http.StatusSeeOther {
		t.Fatalf("second login link = %d, want 303 into the portal", got)
	}
	if spent, _ := markers(); spent != 2 {
		t.Fatalf("after two logins: %d spent markers, want 2", spent)
	}
	// The scheduler's next pass after the first link expired drops its marker.
	clock.advance(t, start.Add(24*time.Hour+2*time.Second))
	if spent, queued := markers(); spent != 1 || queued != 1 {
		t.Errorf("after the first link expired: %d spent markers, %d queued, want 1 and 1", spent, queued)
	}
	if got := open(second); got != http.StatusUnauthorized {
		t.Errorf("spent login link not yet expired opened again = %d, want 401", got)
	}
	if got := open(first); got != http.StatusUnauthorized {
		t.Errorf("expired login link = %d, want 401", got)
	}
	clock.advance(t, start.Add(36*time.Hour+2*time.Second))
	if spent, queued := markers(); spent != 0 || queued != 0 {
		t.Errorf("after both links expired: %d spent markers, %d queued, want none", spent, queued)
	}
}

// racers returns n clients of the server at base, each with a warm connection of its own (so
// that their requests race), following no redirect.
func racers(t *testing.T, base string, n int) []*http.Client {
	t.Helper()
	clients := make([]*http.Client, n)
	for i := range clients {
		clients[i] = &http.Client{
			Transport:     &http.Transport{MaxIdleConnsPerHost: 1},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		t.Cleanup(clients[i].CloseIdleConnections)
		resp, err := clients[i].Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return clients
}

// getAtOnce has every client get url at the same moment, and calls check with each response
// (from the clients' goroutines) once its body is read.
func getAtOnce(t *testing.T, clients []*http.Client, url string, check func(*http.Response)) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, c := range clients {
		wg.Go(func() {
			<-start
			resp, err := c.Get(url)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			check(resp)
		})
	}
	close(start)
	wg.Wait()
}
