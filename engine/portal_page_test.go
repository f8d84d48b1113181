package engine_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPortalDatesAreSaoPaulo: the portal lists a document with the day it was published in São
// Paulo, whatever the server's zone: one published at 22:30 on 2 March (01:30 on the 3rd in UTC)
// reads 02/03/2027.
func TestPortalDatesAreSaoPaulo(t *testing.T) {
	start := time.Date(2027, 3, 2, 22, 30, 0, 0, spLoc)
	clock := newFakeClock(start)
	e := startClocked(t, t.TempDir(), clock)
	c := newClient(t, e)
	const phone = "5548999990001"
	c.guide(phone, 1)
	session := newClient(t, e)
	resp, err := session.http.Get(portalLoginLink(t, c))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Padaria") {
		t.Fatalf("portal = %d %s, want the company's documents", resp.StatusCode, page)
	}
	if !strings.Contains(string(page), "02/03/2027") || strings.Contains(string(page), "03/03/2027") {
		t.Errorf("portal page lists the document as %q, want the São Paulo day 02/03/2027", dated(string(page)))
	}
}

// dated is the part of a portal page with the documents' dates.
func dated(page string) string {
	if i := strings.Index(page, "<li>"); i >= 0 {
		page = page[i:]
	}
	if len(page) > 300 {
		page = page[:300]
	}
	return page
}
