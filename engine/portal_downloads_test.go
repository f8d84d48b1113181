package engine_test

import (
	"net/http"
	"net/url"
	"path"
	"testing"
)

// TestPortalCountsConcurrentDownloads: a document downloaded many times at once through the
// portal records every download: each one read the record, appended its time and wrote it
// back, so those that overlapped wrote over one another's.
func TestPortalCountsConcurrentDownloads(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	_, name := month(2)
	if status, body := c.inbound("demo", "5548999990001", "guia do das de "+name, ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	var docs []simMessage
	eventually(t, "the guide on the phone", func() bool {
		docs = documentsOf(c.outbound("5548999990001"))
		return len(docs) == 1
	})
	link := docs[0].Document.URL
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	doc := path.Base(u.Path)
	const n, rounds = 16, 3 // 48 downloads: the record keeps the last 50
	browsers := racers(t, c.base, n)
	for round := 1; round <= rounds; round++ {
		getAtOnce(t, browsers, link, func(resp *http.Response) {
			if resp.StatusCode != http.StatusOK {
				t.Errorf("download = %d", resp.StatusCode)
			}
		})
		// Whatever the downloads submitted is durable after this barrier.
		if err := e.DB().Writer.CommitSettled(nil); err != nil {
			t.Fatal(err)
		}
		d, err := e.DB().Document("demo", doc)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(d.Downloads); got != round*n {
			t.Fatalf("after %d rounds of %d concurrent downloads the document records %d, want %d", round, n, got, round*n)
		}
	}
}
