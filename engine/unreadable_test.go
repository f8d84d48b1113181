package engine_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestUnreadableRecordsAreNotNotFound: a record that the store cannot read (one that does not
// decode) is an internal error (500, logged), not an answer that the thing does not exist:
// a company whose contacts are listed, a job, a message's file, a service of the history, and
// a portal download's document, contact and company. Only a record that is not there is 404.
func TestUnreadableRecordsAreNotNotFound(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5548999990001"
	link := admin.guide(phone, 2).Document.URL
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.DB().Document(engine.DemoOffice, path.Base(u.Path))
	if err != nil {
		t.Fatal(err)
	}
	write := func(key, value []byte) {
		t.Helper()
		b := &storage.Batch{}
		b.Set(key, value)
		if err := e.DB().Writer.CommitSettled(b); err != nil {
			t.Fatal(err)
		}
	}
	corrupt := []byte{0xc1} // never valid msgpack
	write(storage.CompanyKey(engine.DemoOffice, "quebrada"), corrupt)
	write(storage.JobKey(engine.DemoOffice, "quebrado"), corrupt)
	write(storage.MessageKey(engine.DemoOffice, phone, 1<<40), corrupt)
	write(storage.ServiceIDKey(engine.DemoOffice, "quebrado"), []byte{1, 2, 3}) // a start is 8 bytes
	api := []struct {
		name, path string
		status     int
		code       string
	}{
		{"contacts of an unreadable company", "/api/contacts?company=quebrada", http.StatusInternalServerError, `"internal"`},
		{"contacts of an unknown company", "/api/contacts?company=nenhuma", http.StatusNotFound, `"unknown_company"`},
		{"unreadable job", "/api/jobs/quebrado", http.StatusInternalServerError, `"internal"`},
		{"unknown job", "/api/jobs/nenhum", http.StatusNotFound, `"unknown_job"`},
		{"file of an unreadable message", "/api/conversations/" + phone + "/messages/" + strconv.Itoa(1<<40) + "/file", http.StatusInternalServerError, `"internal"`},
		{"file of an unknown message", "/api/conversations/" + phone + "/messages/" + strconv.Itoa(1<<40+1) + "/file", http.StatusNotFound, `"no_document"`},
		{"unreadable service", "/api/history/quebrado", http.StatusInternalServerError, `"internal"`},
		{"unknown service", "/api/history/nenhum", http.StatusNotFound, `"unknown_service"`},
	}
	for _, tt := range api {
		if status, body := admin.do("GET", tt.path, nil); status != tt.status || !strings.Contains(string(body), tt.code) {
			t.Errorf("%s: GET %s = %d %s, want %d %s", tt.name, tt.path, status, body, tt.status, tt.code)
		}
	}

	download := func() int {
		t.Helper()
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, key := range [][]byte{
		storage.DocumentKey(engine.DemoOffice, doc.ID),
		storage.ContactKey(engine.DemoOffice, phone),
		storage.CompanyKey(engine.DemoOffice, doc.Company),
	} {
		was, err := e.DB().Value(key)
		if err != nil {
			t.Fatal(err)
		}
		write(key, corrupt)
		if got := download(); got != http.StatusInternalServerError {
			t.Errorf("portal download with %s unreadable = %d, want 500", key, got)
		}
		write(key, was)
	}
	if got := download(); got != http.StatusOK {
		t.Errorf("portal download with its records readable again = %d, want 200", got)
	}

	// A list whose items are read one by one fails on an unreadable item instead of leaving it
	// out: a company's contacts, a job's deliveries.
	for _, tt := range []struct {
		key  []byte
		path string
	}{
		{storage.ContactKey(engine.DemoOffice, phone), "/api/contacts?company=" + doc.Company},
		{storage.DocumentKey(engine.DemoOffice, doc.ID), "/api/jobs/" + doc.Job},
	} {
		was, err := e.DB().Value(tt.key)
		if err != nil {
			t.Fatal(err)
		}
		write(tt.key, corrupt)
		if status, body := admin.do("GET", tt.path, nil); status != http.StatusInternalServerError {
			t.Errorf("GET %s with %s unreadable = %d %s, want 500", tt.path, tt.key, status, body)
		}
		write(tt.key, was)
		if status, body := admin.do("GET", tt.path, nil); status != http.StatusOK || !strings.Contains(string(body), phone) {
			t.Errorf("GET %s with its records readable again = %d %s, want 200 naming %s", tt.path, status, body, phone)
		}
	}

	// The portal's list of a contact's companies and their documents, likewise.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	portal := func(link string) int {
		t.Helper()
		resp, err := client.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := portal(portalLoginLink(t, admin)); got != http.StatusOK {
		t.Fatalf("portal login = %d, want the portal (200)", got)
	}
	key := storage.CompanyKey(engine.DemoOffice, doc.Company)
	was, err := e.DB().Value(key)
	if err != nil {
		t.Fatal(err)
	}
	write(key, corrupt)
	if got := portal(admin.base + "/portal"); got != http.StatusInternalServerError {
		t.Errorf("portal with the company unreadable = %d, want 500", got)
	}
	write(key, was)
	if got := portal(admin.base + "/portal"); got != http.StatusOK {
		t.Errorf("portal with its records readable again = %d, want 200", got)
	}
}
