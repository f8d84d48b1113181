package engine_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPortalLinksExpire: a document's link opens it for 30 days and no longer; a one-time
// login link never opened stops working after 24 hours; a portal session lasts 12 hours; a
// link whose signature was touched opens nothing.
func TestPortalLinksExpire(t *testing.T) {
	start := time.Date(2027, 3, 2, 10, 0, 0, 0, spLoc)
	clock := newFakeClock(start)
	e := startClocked(t, t.TempDir(), clock)
	c := newClient(t, e)
	const phone = "5548999990001"
	docURL := c.guide(phone, 1).Document.URL
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(hc *http.Client, url string) (int, string) {
		t.Helper()
		resp, err := hc.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	isPDF := func(status int, body string) bool { return status == http.StatusOK && strings.HasPrefix(body, "%PDF-") }

	if status, body := get(browser, docURL); !isPDF(status, body) {
		t.Fatalf("document link = %d, want the PDF", status)
	}
	touched := docURL[:len(docURL)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(docURL, "A")]
	if status, body := get(browser, touched); status != http.StatusNotFound || strings.HasPrefix(body, "%PDF") {
		t.Fatalf("document link with its signature touched = %d, want 404", status)
	}

	unused := portalLoginLink(t, c)
	session := newClient(t, e)
	if status, _ := get(session.http, portalLoginLink(t, c)); status != http.StatusOK {
		t.Fatalf("portal login = %d, want the portal", status)
	}
	if status, page := get(session.http, c.base+"/portal"); status != http.StatusOK || !strings.Contains(page, "Padaria") {
		t.Fatalf("portal session = %d, want the portal", status)
	}

	clock.advance(t, start.Add(12*time.Hour+time.Minute))
	if status, _ := get(session.http, c.base+"/portal"); status != http.StatusUnauthorized {
		t.Errorf("portal session after 12 h = %d, want 401", status)
	}
	clock.advance(t, start.Add(24*time.Hour+time.Minute))
	if status, _ := get(browser, unused); status != http.StatusUnauthorized {
		t.Errorf("login link never opened, after 24 h = %d, want 401", status)
	}
	clock.advance(t, start.Add(30*24*time.Hour-time.Minute))
	if status, body := get(browser, docURL); !isPDF(status, body) {
		t.Errorf("document link before 30 days = %d, want the PDF", status)
	}
	clock.advance(t, start.Add(30*24*time.Hour+time.Minute))
	if status, body := get(browser, docURL); status != http.StatusNotFound || strings.HasPrefix(body, "%PDF") {
		t.Errorf("document link after 30 days = %d, want 404", status)
	}
}

// TestPortalLinkOfAnUnlinkedContactOpensNothing: a contact taken off a company (a partner who
// left it) can no longer open that company's documents with a link they were sent, still
// within its 30 days, nor see them in the portal.
func TestPortalLinkOfAnUnlinkedContactOpensNothing(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5548999990001" // Carlos, of the padaria
	docURL := c.guide(phone, 1).Document.URL
	session := newClient(t, e)
	resp, err := session.http.Get(portalLoginLink(t, c))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("portal login = %d", resp.StatusCode)
	}
	if status, body := admin.do("DELETE", "/api/contacts/"+phone+"/companies/padaria-pao-quente", nil); status != http.StatusNoContent {
		t.Fatalf("unlink Carlos from the padaria: %d %s", status, body)
	}
	for _, hc := range []*http.Client{http.DefaultClient, session.http} {
		resp, err := hc.Get(docURL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.HasPrefix(string(body), "%PDF") {
			t.Fatalf("document link after the contact was unlinked = %d, want 404", resp.StatusCode)
		}
	}
	resp, err = session.http.Get(c.base + "/portal")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(page), "Padaria") || strings.Contains(string(page), ".pdf") {
		t.Fatalf("portal after the contact was unlinked = %d %s, want none of the padaria's documents", resp.StatusCode, page)
	}
}
