package engine_test

import (
	"net/http"
	"net/url"
	"path"
	"testing"

	"github.com/balcao/balcao"
)

// TestPortalCountsConcurrentDownloads: a document downloaded many times at once through the
// portal records every download: each one read the record, appended its time and wrote it
// back, so those that overlapped wrote over one another's.
func TestPortalCountsConcurrentDownloads(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	link := c.guide("5548999990001", 2).Document.URL
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

// TestPortalDownloadIsPublished: a download from the portal is announced on the staff
// websocket as document.downloaded, naming the document and its job, to the staff who may see
// the job's conversation and to no one else. Without it an open delivery record showed the
// download only after Atualizar or its 30 s refetch.
func TestPortalDownloadIsPublished(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	const phone = "5548999990001"
	// Under message restriction an attendant sees only the conversations she served (and the
	// pending ones of her scope): not this one, which the assistant serves.
	admin.changeSettings(map[string]any{"restrict": true})
	link := admin.guide(phone, 2).Document.URL
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.DB().Document("demo", path.Base(u.Path))
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := ana.do("GET", "/api/jobs/"+stored.Job, nil); status != http.StatusNotFound {
		t.Fatalf("ana reads the job of a conversation she may not see: %d, want 404", status)
	}

	wsAdmin, wsAna := admin.socket(""), ana.socket("")
	next(t, wsAdmin, func(f wsFrame) bool { return f.Type == "hello" })
	next(t, wsAna, func(f wsFrame) bool { return f.Type == "hello" })
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("portal download = %d", resp.StatusCode)
	}

	f := next(t, wsAdmin, func(f wsFrame) bool { return f.Type == "document.downloaded" })
	got := decode[balcao.DocumentDownloaded](t, f.Data)
	if got.Document != stored.ID || got.Job != stored.Job || got.Conversation != phone || got.At.IsZero() {
		t.Errorf("document.downloaded = %s, want document %s of job %s, conversation %s, with its time", f.Data, stored.ID, stored.Job, phone)
	}
	// Events go out in order: once Ana has the settings saved after the download, she would
	// have had the download's event before it.
	admin.changeSettings(nil)
	next(t, wsAna, func(f wsFrame) bool {
		if f.Type == "document.downloaded" {
			t.Fatalf("ana's socket got the download of a job she may not see: %s", f.Data)
		}
		return f.Type == "settings.changed"
	})
}
