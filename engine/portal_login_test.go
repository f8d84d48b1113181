package engine_test

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

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
	browsers := make([]*http.Client, n)
	for i := range browsers {
		browsers[i] = &http.Client{
			Transport:     &http.Transport{MaxIdleConnsPerHost: 1},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		t.Cleanup(browsers[i].CloseIdleConnections)
		resp, err := browsers[i].Get(c.base + "/healthz") // a warm connection each, so that they race
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for round := range rounds {
		login := portalLoginLink(t, c)
		var wg sync.WaitGroup
		var sessions atomic.Int32
		start := make(chan struct{})
		for _, b := range browsers {
			wg.Go(func() {
				<-start
				resp, err := b.Get(login)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				for _, ck := range resp.Cookies() {
					if ck.Name == ui.PortalCookie && ck.Value != "" {
						sessions.Add(1)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		if got := sessions.Load(); got != 1 {
			t.Errorf("round %d: one login link opened %d portal sessions, want 1", round, got)
		}
	}
}
