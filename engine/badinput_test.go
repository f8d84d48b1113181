package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/ui"
)

// maxChecked is how many wrong passwords of one account are checked within five minutes.
const maxChecked = 5

func TestBadInputGetsClearErrors(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	if status, body := ana.inbound("demo", "5548999990001", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	huge := append([]byte(`{"text":"`), bytes.Repeat([]byte("a"), 16<<20)...)
	cases := []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		code                            string
	}{
		{"malformed json", "POST", "/api/conversations/5548999990001/messages", "application/json", []byte(`{"text":`), 400, "malformed_json"},
		{"unknown field", "POST", "/api/conversations/5548999990001/messages", "application/json", []byte(`{"txt":"oi"}`), 400, "malformed_json"},
		{"not json", "POST", "/api/conversations/5548999990001/messages", "text/plain", []byte(`oi`), 415, "json_required"},
		{"16 MB body", "POST", "/api/conversations/5548999990001/messages", "application/json", huge, 413, "body_too_large"},
		{"empty text", "POST", "/api/conversations/5548999990001/messages", "application/json", []byte(`{"text":"  "}`), 400, "empty_text"},
		{"100 kB text", "POST", "/api/conversations/5548999990001/messages", "application/json", []byte(`{"text":"` + strings.Repeat("x", 100<<10) + `"}`), 413, "text_too_long"},
		{"reply while not attending", "POST", "/api/conversations/5548999990001/messages", "application/json", []byte(`{"text":"oi"}`), 409, "not_attending"},
		{"unknown conversation", "POST", "/api/conversations/5548999998888/start", "application/json", nil, 404, "unknown_conversation"},
		{"garbage conversation id", "GET", "/api/conversations/abc/messages", "", nil, 404, "unknown_conversation"},
		{"finish while not attending", "POST", "/api/conversations/5548999990001/finish", "application/json", nil, 409, "not_attending"},
		{"bad tab", "GET", "/api/conversations?tab=lixo", "", nil, 400, "invalid_tab"},
		{"bad limit", "GET", "/api/conversations?limit=100000", "", nil, 400, "invalid_limit"},
		{"bad cursor", "GET", "/api/conversations?cursor=bm9wZQ", "", nil, 400, "invalid_cursor"},
		{"bad jobs tab", "GET", "/api/jobs?tab=lixo", "", nil, 400, "invalid_tab"},
		{"bad jobs limit", "GET", "/api/jobs?limit=0", "", nil, 400, "invalid_limit"},
		{"bad jobs cursor", "GET", "/api/jobs?cursor=bm9wZQ", "", nil, 400, "invalid_cursor"},
		{"bad history dates", "GET", "/api/history?from=2026-13-01", "", nil, 400, "invalid_filter"},
		{"bad history outcome", "GET", "/api/history?status=x", "", nil, 400, "invalid_filter"},
		{"bad export dates", "GET", "/api/history?format=csv&from=ontem", "", nil, 400, "invalid_filter"},
		{"bad messages cursor", "GET", "/api/conversations/5548999990001/messages?before=abc", "", nil, 400, "invalid_cursor"},
		{"bad messages limit", "GET", "/api/conversations/5548999990001/messages?limit=-1", "", nil, 400, "invalid_limit"},
		{"bad websocket since", "GET", "/ws?since=abc", "", nil, 400, "invalid_since"},
		{"unknown list in the address book", "GET", "/api/addressbook?list=nope", "", nil, 404, "unknown_list"},
		{"address book search too long", "GET", "/api/addressbook?q=" + strings.Repeat("a", 101), "", nil, 400, "query_too_long"},
		{"unknown company's contacts", "GET", "/api/contacts?company=nope", "", nil, 404, "unknown_company"},
		{"invalid phone to link", "POST", "/api/contacts/12ab/link", "application/json", []byte(`{"company":"tech-floripa"}`), 400, "invalid_phone"},
		{"sim: invalid phone", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"123","text":"oi"}`), 400, "invalid_phone"},
		{"sim: unknown office", "POST", "/sim/inbound", "application/json", []byte(`{"office":"nope","from":"5548999990001","text":"oi"}`), 404, "unknown_office"},
		{"sim: empty text", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"5548999990001","text":""}`), 400, "empty_text"},
		{"sim: 100 kB text", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"5548999990001","text":"` + strings.Repeat("x", 100<<10) + `"}`), 413, "body_too_large"},
		{"sim: malformed json", "POST", "/sim/inbound", "application/json", []byte(`{]`), 400, "malformed_json"},
		{"sim: time not RFC 3339", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"5548999990001","text":"oi","at":"ontem"}`), 400, "malformed_json"},
		{"sim: invalid message id", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"5548999990001","text":"oi","id":"a b"}`), 400, "invalid_id"},
		{"sim: text past the limit", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"5548999990001","text":"` + strings.Repeat("x", 64<<10+1) + `"}`), 413, "text_too_long"},
		{"sim: unknown field", "POST", "/sim/inbound", "application/json", []byte(`{"office":"demo","from":"5548999990001","text":"oi","para":"x"}`), 400, "malformed_json"},
		{"sim: outbound of an unknown office", "GET", "/sim/outbound?office=nope&to=5548999990001", "", nil, 404, "unknown_office"},
		{"sim: outbound to an invalid phone", "GET", "/sim/outbound?office=demo&to=12ab", "", nil, 400, "invalid_phone"},
		{"unknown api route", "GET", "/api/nothing", "", nil, 404, "unknown_route"},
		{"wrong method", "PATCH", "/api/conversations/5548999990001", "application/json", []byte(`{}`), 404, "unknown_route"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body *bytes.Reader
			if tc.body != nil {
				body = bytes.NewReader(tc.body)
			}
			var status int
			var out []byte
			if body != nil {
				status, out = ana.raw(tc.method, tc.path, tc.contentType, body)
			} else {
				status, out = ana.raw(tc.method, tc.path, tc.contentType, nil)
			}
			eb := decode[errBody](t, out)
			if status != tc.status || eb.Error.Code != tc.code || eb.Error.Message == "" {
				t.Fatalf("%s %s = %d %s, want %d %s with a message", tc.method, tc.path, status, out, tc.status, tc.code)
			}
		})
	}
	// A cursor past the history's keys ("zzz"), as an administrator (attendants see no history).
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, out := admin.raw("GET", "/api/history?cursor=enp6", "", nil); status != 400 || decode[errBody](t, out).Error.Code != "invalid_cursor" {
		t.Errorf("history with a bad cursor = %d %s, want 400 invalid_cursor", status, out)
	}
	// The simulator refuses a body declared too large unread; one of unknown length (chunked) is
	// cut at the limit with the same answer.
	tooLong := []byte(`{"office":"demo","from":"5548999990001","text":"` + strings.Repeat("x", 100<<10) + `"}`)
	status, out := ana.raw("POST", "/sim/inbound", "application/json", io.MultiReader(bytes.NewReader(tooLong)))
	if eb := decode[errBody](t, out); status != 413 || eb.Error.Code != "body_too_large" {
		t.Fatalf("chunked 100 kB body: %d %s, want 413 body_too_large", status, out)
	}
	// Nothing of the above changed what is stored: one inbound message and the assistant's replies.
	_, out = ana.do("GET", "/api/conversations/5548999990001/messages", nil)
	for _, m := range decode[msgList](t, out).Messages {
		if m.Direction == "in" && m.Text != "quero falar com um atendente" || m.Author == "ana" {
			t.Fatalf("unexpected message stored: %+v", m)
		}
	}
	_, out = ana.do("GET", "/api/conversations?tab=contatos", nil)
	if n := len(decode[convList](t, out).Conversations); n != 1 {
		t.Fatalf("conversations = %d, want 1: %s", n, out)
	}
}

func TestLoginAndSessions(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	wrong := []map[string]string{
		{"office": "demo", "user": "ana", "password": "errada"},
		{"office": "demo", "user": "ninguem", "password": demoPassword},
		{"office": "outro", "user": "ana", "password": demoPassword},
	}
	var messages []string
	for _, w := range wrong {
		status, body := c.do("POST", "/api/login", w)
		if status != http.StatusUnauthorized {
			t.Fatalf("login %v = %d, want 401", w, status)
		}
		messages = append(messages, string(body))
	}
	if messages[0] != messages[1] || messages[1] != messages[2] {
		t.Fatalf("wrong logins answer differently, giving a hint: %q", messages)
	}
	if status, body := c.do("GET", "/api/conversations", nil); status != http.StatusUnauthorized {
		t.Fatalf("list without session = %d %s", status, body)
	}
	c.login("demo", "ana")
	if status, body := c.do("GET", "/api/me", nil); status != 200 || !strings.Contains(string(body), `"role":"atendente"`) {
		t.Fatalf("me = %d %s", status, body)
	}
	if status, _ := c.do("POST", "/api/logout", nil); status != http.StatusNoContent {
		t.Fatalf("logout = %d", status)
	}
	if status, _ := c.do("GET", "/api/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("me after logout = %d, want 401", status)
	}
}

func TestHealthz(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	if status, body := c.do("GET", "/healthz", nil); status != 200 {
		t.Fatalf("healthz = %d %s", status, body)
	}
}

// TestLoginThrottle: after five wrong passwords an account refuses logins for a while, even
// with the right password; other accounts are not affected.
func TestLoginThrottle(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	for range 5 {
		if status, _ := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": "bruno", "password": "errada"}); status != http.StatusUnauthorized {
			t.Fatalf("wrong password = %d, want 401", status)
		}
	}
	status, body := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": "bruno", "password": demoPassword})
	if status != http.StatusTooManyRequests || !strings.Contains(string(body), "too_many_attempts") {
		t.Fatalf("login after five failures = %d %s, want 429", status, body)
	}
	c.login("demo", "ana")
}

// TestLoginKeepsNoHugeNames: failed logins with user names near the 1 MB body limit answer
// as a wrong password and leave nothing in memory (the throttle kept each failure's
// office/user, up to 10 000 of them: 20 GB).
func TestLoginKeepsNoHugeNames(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	_, wrong := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": "ana", "password": "errada"})
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	const n, size = 48, 1000 << 10
	for i := range n {
		user := fmt.Sprintf("%03d", i) + strings.Repeat("x", size)
		status, body := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": user, "password": "x"})
		if status != http.StatusUnauthorized || !bytes.Equal(body, wrong) {
			t.Fatalf("login with a %d KB user name = %d %.200s, want 401 %s", size>>10, status, body, wrong)
		}
	}
	if grown := int64(heap()) - int64(before); grown > 16<<20 {
		t.Fatalf("the heap kept %d MB after %d failed logins with %d KB user names", grown>>20, n, size>>10)
	}
}

// TestLoginsOfOneAccountAtOnceAllPass: people logging in to one account at the same moment
// (more of them than the attempts the throttle allows) wait for each other's password checks
// instead of being refused as guesses.
func TestLoginsOfOneAccountAtOnceAllPass(t *testing.T) {
	e := startEngine(t)
	const n = maxChecked + 3
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = newClient(t, e)
		clients[i].http.Timeout = 2 * time.Minute // bcrypt under the race detector
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, c := range clients {
		wg.Go(func() {
			<-start
			if status, body := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": "ana", "password": demoPassword}); status != http.StatusOK {
				t.Errorf("a right password sent with %d others = %d %s", n-1, status, body)
			}
		})
	}
	close(start)
	wg.Wait()
}

// TestLoginThrottleHoldsUnderConcurrency: five wrong passwords within five minutes block the
// account however the attempts are spread over connections: of twenty sent at once, at most
// five passwords are checked, the rest are refused as too many attempts.
func TestLoginThrottleHoldsUnderConcurrency(t *testing.T) {
	e := startEngine(t)
	const n = 20
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = newClient(t, e)
		clients[i].http.Timeout = 2 * time.Minute // bcrypt under the race detector
	}
	var wg sync.WaitGroup
	var checked, refused atomic.Int32
	start := make(chan struct{})
	for i, c := range clients {
		wg.Go(func() {
			<-start
			status, body := c.do("POST", "/api/login", map[string]string{"office": "demo", "user": "ana", "password": fmt.Sprintf("palpite-%d", i)})
			switch status {
			case http.StatusUnauthorized:
				checked.Add(1)
			case http.StatusTooManyRequests:
				refused.Add(1)
			default:
				t.Errorf("wrong password = %d %s", status, body)
			}
		})
	}
	close(start)
	wg.Wait()
	if checked.Load() > maxChecked || checked.Load()+refused.Load() != n {
		t.Fatalf("%d wrong passwords checked and %d refused of %d sent at once, want at most %d checked", checked.Load(), refused.Load(), n, maxChecked)
	}
}

// send makes a request with the given session cookie (none when empty) and returns the status,
// Content-Type and body.
func send(t *testing.T, e *engine.Engine, method, path, contentType string, body []byte, token string) (int, string, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+e.Addr()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: token})
	}
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// loginToken logs in and returns the session token from the cookie the server set.
func loginToken(t *testing.T, e *engine.Engine, office, user string) string {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"office": office, "user": user, "password": demoPassword})
	resp, err := http.Post("http://"+e.Addr()+"/api/login", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == ui.SessionCookie && resp.StatusCode == http.StatusOK {
			return ck.Value
		}
	}
	t.Fatalf("login %s/%s: %d, no session cookie", office, user, resp.StatusCode)
	return ""
}

// unknownIDs fill routes' placeholders with ids that name nothing stored.
var unknownIDs = map[string]string{
	"{conv}": "5548988887777", "{seq}": "1", "{phone}": "5548988887777", "{company}": "nope", "{canned}": "nope",
	"{user}": "nope", "{service}": "nope", "{job}": "nope", "{list}": "nope", "{schedule}": "nope",
}

// snapshot reads what an administrator sees of the office, to compare before and after
// requests that must change nothing.
func snapshot(t *testing.T, e *engine.Engine, token string) string {
	t.Helper()
	var all strings.Builder
	for _, path := range []string{"/api/companies", "/api/contacts", "/api/addressbook", "/api/canned", "/api/staff",
		"/api/lists", "/api/schedules", "/api/settings", "/api/conversations?tab=contatos", "/api/conversations?tab=pendentes",
		"/api/conversations?tab=atendimento", "/api/jobs?tab=pendentes", "/api/jobs?tab=aguardando", "/api/jobs?tab=processados",
		"/api/whatsapp/status", "/api/history"} {
		status, _, body := send(t, e, "GET", path, "", nil, token)
		if status != http.StatusOK {
			t.Fatalf("snapshot GET %s = %d %s", path, status, body)
		}
		fmt.Fprintf(&all, "%s %s\n", path, body)
	}
	return all.String()
}

// TestEveryRouteRefusesBadInput: every staff route (staffRoutes), without a session, with a
// forged one, with a malformed, oversized or non-JSON body, and with ids that name nothing,
// answers a clear error as {"error":{"code","message"}} in Portuguese, leaking nothing, and
// changes nothing.
func TestEveryRouteRefusesBadInput(t *testing.T) {
	e := startEngine(t)
	admin, attendant := loginToken(t, e, "demo", "admin"), loginToken(t, e, "demo", "ana")
	ana := newClient(t, e)
	if status, body := ana.inbound("demo", "5548999990001", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	before := snapshot(t, e, admin)
	huge := append([]byte(`{"text":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	huge = append(huge, `"}`...)

	for _, r := range staffRoutes {
		ct, valid := r.request()
		path := r.at(unknownIDs)
		what := r.method + " " + path
		expect := func(what string, status int, contentType string, body []byte, wantStatus int, wantCode string) {
			t.Helper()
			eb := checkProblem(t, what, contentType, body)
			if status != wantStatus || eb.Error.Code != wantCode {
				t.Errorf("%s = %d %s, want %d %s", what, status, body, wantStatus, wantCode)
			}
		}
		status, ctype, body := send(t, e, r.method, path, ct, valid, "")
		expect(what+" without a session", status, ctype, body, http.StatusUnauthorized, "not_logged_in")
		for _, forged := range []string{"forjado", strings.Repeat("x", 4096), "%00%ff"} {
			status, ctype, body = send(t, e, r.method, path, ct, valid, forged)
			expect(fmt.Sprintf("%s with a forged session %.10q", what, forged), status, ctype, body, http.StatusUnauthorized, "session_expired")
		}
		switch r.body {
		case jsonBody:
			for _, bad := range []struct {
				name, contentType string
				body              []byte
				status            int
				code              string
			}{
				{"cut JSON", "application/json", []byte(`{"text":`), 400, "malformed_json"},
				{"a JSON array", "application/json", []byte(`[1,2]`), 400, "malformed_json"},
				{"two objects", "application/json", []byte(`{}{}`), 400, "malformed_json"},
				{"an unknown field", "application/json", []byte(`{"campo_que_nao_existe":1}`), 400, "malformed_json"},
				{"no body", "application/json", nil, 400, "malformed_json"},
				{"2 MB", "application/json", huge, 413, "body_too_large"},
				{"a form", "application/x-www-form-urlencoded", []byte("text=oi"), 415, "json_required"},
				{"no Content-Type", "", valid, 415, "json_required"},
			} {
				status, ctype, body = send(t, e, r.method, path, bad.contentType, bad.body, admin)
				expect(what+" with "+bad.name, status, ctype, body, bad.status, bad.code)
			}
			// Each text of the valid body 800 kB long: refused, saying so in a few words (not
			// echoing the text).
			var v any
			if err := json.Unmarshal(valid, &v); err != nil {
				t.Fatal(err)
			}
			for _, variant := range withHugeText(v) {
				raw, _ := json.Marshal(variant.body)
				status, ctype, body = send(t, e, r.method, path, "application/json", raw, admin)
				huge := fmt.Sprintf("%s with an 800 kB %s", what, variant.field)
				if status < 400 || status >= 500 || len(body) > 4<<10 {
					t.Errorf("%s = %d, %d bytes: %.300s; want a short 4xx", huge, status, len(body), body)
				} else {
					checkProblem(t, huge, ctype, body)
				}
			}
		case fileBody:
			status, ctype, body = send(t, e, r.method, path, "application/json", []byte(`{}`), admin)
			expect(what+" with JSON instead of a form", status, ctype, body, 400, "attachment_required")
		}
		if r.ids() {
			token := admin
			if r.attendant {
				token = attendant
			}
			status, ctype, body = send(t, e, r.method, path, ct, valid, token)
			if status != http.StatusNotFound {
				t.Errorf("%s with unknown ids = %d %s, want 404", what, status, body)
			} else {
				checkProblem(t, what+" with unknown ids", ctype, body)
			}
		}
	}
	// A message of a known conversation that does not exist, or is no number.
	for _, seq := range []string{"999", "abc", "18446744073709551616"} {
		path := "/api/conversations/5548999990001/messages/" + seq + "/file"
		status, ctype, body := send(t, e, "GET", path, "", nil, admin)
		checkProblem(t, "GET "+path, ctype, body)
		if status != http.StatusNotFound {
			t.Errorf("GET %s = %d %s, want 404", path, status, body)
		}
	}
	if after := snapshot(t, e, admin); after != before {
		t.Fatalf("refused requests changed the office:\nbefore %s\nafter  %s", before, after)
	}
}

// TestEveryRouteRefusesAnExpiredSession: a session past its lifetime, its cookie sent as it
// was, is refused by every staff route with 401 session_expired (the browser's login screen
// says so), never served.
func TestEveryRouteRefusesAnExpiredSession(t *testing.T) {
	e := startEngine(t, func(c *engine.Config) { c.SessionTTL = time.Second })
	token := loginToken(t, e, "demo", "admin")
	eventually(t, "the session to expire", func() bool {
		status, _, _ := send(t, e, "GET", "/api/me", "", nil, token)
		return status == http.StatusUnauthorized
	})
	for _, r := range staffRoutes {
		ct, valid := r.request()
		path := r.at(unknownIDs)
		status, ctype, body := send(t, e, r.method, path, ct, valid, token)
		eb := checkProblem(t, r.method+" "+path, ctype, body)
		if status != http.StatusUnauthorized || eb.Error.Code != "session_expired" {
			t.Errorf("%s %s with an expired session = %d %s, want 401 session_expired", r.method, path, status, body)
		}
	}
}

// hugeText is a variant of a JSON body with one text made 800 kB long.
type hugeText struct {
	field string
	body  any
}

// withHugeText returns a variant of v for each string in it, that string replaced by 800 kB.
func withHugeText(v any) []hugeText {
	big := strings.Repeat("á", 400<<10)
	var out []hugeText
	switch x := v.(type) {
	case string:
		out = append(out, hugeText{"", big})
	case map[string]any:
		for k, val := range x {
			for _, sub := range withHugeText(val) {
				c := maps.Clone(x)
				c[k] = sub.body
				out = append(out, hugeText{strings.TrimSuffix(k+"."+sub.field, "."), c})
			}
		}
	case []any:
		for i, val := range x {
			for _, sub := range withHugeText(val) {
				c := slices.Clone(x)
				c[i] = sub.body
				out = append(out, hugeText{strings.TrimSuffix(fmt.Sprint(i)+"."+sub.field, "."), c})
			}
		}
	}
	return out
}
