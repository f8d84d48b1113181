package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"os"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

const demoPassword = "senha-de-teste"

// startEngine runs a real engine (Pebble in a temp dir, HTTP on a loopback port, simulated
// WhatsApp) with the demo office.
func startEngine(t testing.TB, mutate ...func(*engine.Config)) *engine.Engine {
	t.Helper()
	cfg := engine.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Demo: true, DemoPassword: demoPassword}
	if os.Getenv("BALCAO_TEST_LOG") != "" {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	for _, m := range mutate {
		m(&cfg)
	}
	e, err := engine.Start(cfg)
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop engine: %v", err)
		}
		// Stop flushed the memtable, where a key set twice and then deleted with
		// DeleteSingle (an index entry, an outbox entry, a job's keys) is found.
		if n := e.DB().Stats().SingleDeleteMisuse; n != 0 {
			t.Errorf("%d keys deleted with DeleteSingle had been set more than once", n)
		}
	})
	return e
}

// client is a staff browser: an HTTP client with a cookie jar.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, e *engine.Engine) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: "http://" + e.Addr(), http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// login logs in and fails the test on error.
func (c *client) login(office, user string) {
	c.t.Helper()
	status, body := c.do("POST", "/api/login", map[string]string{"office": office, "user": user, "password": demoPassword})
	if status != http.StatusOK {
		c.t.Fatalf("login %s/%s: %d %s", office, user, status, body)
	}
}

// do sends a request with a JSON body (nil for none) and returns the status and body.
func (c *client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	return c.raw(method, path, "application/json", r)
}

func (c *client) raw(method, path, contentType string, body io.Reader) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// decode unmarshals a response body.
func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

type convList struct {
	Conversations []struct {
		ID        string `json:"id"`
		State     string `json:"state"`
		Attendant string `json:"attendant"`
		Contact   struct {
			Phone  string `json:"phone"`
			Name   string `json:"name"`
			Linked bool   `json:"linked"`
		} `json:"contact"`
		Companies []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"companies"`
		Unread int `json:"unread"`
	} `json:"conversations"`
	Next string `json:"next"`
}

type msgList struct {
	Messages []struct {
		ID        uint64 `json:"id"`
		Direction string `json:"direction"`
		Author    string `json:"author"`
		Text      string `json:"text"`
		Status    string `json:"status"`
	} `json:"messages"`
	More bool `json:"more"`
}

type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// inbound posts a message from a phone to the simulator and returns the status and body.
func (c *client) inbound(office, from, text, id string) (int, []byte) {
	c.t.Helper()
	return c.do("POST", "/sim/inbound", map[string]string{"office": office, "from": from, "text": text, "id": id})
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop stops an engine within 20 s.
func stop(t *testing.T, e *engine.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// offline changes the storage of a stopped engine's data dir in one batch that change fills,
// as another process (or an older version) could have left it.
func offline(t *testing.T, dataDir string, change func(db *storage.DB, b *storage.Batch)) {
	t.Helper()
	db, err := storage.Open(engine.PebbleDir(dataDir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b := &storage.Batch{}
	change(db, b)
	if err := db.Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// serve takes a pending conversation, answers it with text and finishes it, as an attendant
// does in the inbox.
func (c *client) serve(phone, text string) {
	c.t.Helper()
	for _, step := range []struct{ path, text string }{{"/start", ""}, {"/messages", text}, {"/finish", ""}} {
		var body any
		if step.text != "" {
			body = map[string]string{"text": step.text}
		}
		if status, out := c.do("POST", "/api/conversations/"+phone+step.path, body); status >= 300 {
			c.t.Fatalf("%s: %d %s", step.path, status, out)
		}
	}
}

// guide has phone ask for the DAS guide of monthsAgo months ago on WhatsApp and returns the
// document message once it is on the phone, the only one there.
func (c *client) guide(phone string, monthsAgo int) simMessage {
	c.t.Helper()
	_, name := month(monthsAgo)
	if status, body := c.inbound("demo", phone, "guia do das de "+name, ""); status != http.StatusAccepted {
		c.t.Fatalf("inbound: %d %s", status, body)
	}
	var docs []simMessage
	eventually(c.t, "the guide on the phone", func() bool {
		docs = documentsOf(c.outbound(phone))
		return len(docs) == 1
	})
	return docs[0]
}

// changeSettings reads the office's settings, changes the fields given and saves them, as
// Preferências does; the save must succeed.
func (c *client) changeSettings(change map[string]any) {
	c.t.Helper()
	_, body := c.do("GET", "/api/settings", nil)
	settings := decode[map[string]any](c.t, body)
	maps.Copy(settings, change)
	if status, body := c.do("PUT", "/api/settings", settings); status != http.StatusOK {
		c.t.Fatalf("save settings %v: %d %s", change, status, body)
	}
}
