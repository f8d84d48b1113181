package engine_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/balcao/balcao/ui"
)

// newPortalLoginLink asks for the portal on Carlos's phone and returns the new one-time login
// link sent to him.
func newPortalLoginLink(t *testing.T, c *client) string {
	t.Helper()
	links := func() []string {
		var out []string
		for _, m := range c.outbound("5548999990001") {
			if i := strings.Index(m.Text, "http"); i >= 0 && strings.Contains(m.Text, "/portal/entrar") {
				out = append(out, strings.TrimSpace(m.Text[i:]))
			}
		}
		return out
	}
	before := len(links())
	if status, body := c.inbound("demo", "5548999990001", "me manda o link do portal", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var all []string
	eventually(t, "the portal link", func() bool { all = links(); return len(all) > before })
	return all[len(all)-1]
}

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
		login := newPortalLoginLink(t, c)
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
