package engine_test

import (
	"bytes"
	"mime/multipart"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// bodyKind is what a route reads from its request body.
type bodyKind int

const (
	noBody    bodyKind = iota // the body is not read
	jsonBody                  // a JSON object, at most 1 MB (ui.Server.decode)
	fileBody                  // a multipart form with a file (attachments)
	csvBody                   // a CSV file, as the body or in a multipart form (contacts import)
	queryOnly                 // a GET whose answer depends on the query only
)

// route is one staff API route as the router declares it, with the ids of its path as
// placeholders ({conv}, {seq}, {phone}, {company}, {canned}, {user}, {service}, {job}, {list},
// {schedule}) and a valid body, so that a request with an unknown or another office's id gets
// past the body's checks to the lookup of the id.
type route struct {
	method, path string
	body         bodyKind
	valid        string // a valid JSON body for jsonBody
	// attendant: an unknown id is refused to attendants only (administrators and managers
	// link any phone, a new contact, on purpose).
	attendant bool
}

// ids reports whether the route's path names a stored record.
func (r route) ids() bool { return strings.Contains(r.path, "{") }

// pattern is the route as ui.Server registers it: "METHOD /path/{name}".
func (r route) pattern() string {
	return r.method + " " + placeholder.ReplaceAllStringFunc(r.path, func(p string) string { return routeNames[p] })
}

// at fills the route's placeholders from ids.
func (r route) at(ids map[string]string) string {
	return placeholder.ReplaceAllStringFunc(r.path, func(p string) string {
		if p == "{co}" {
			p = "{company}" // the same id, named id in PUT /api/companies/{id}
		}
		return ids[p]
	})
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// routeNames maps the placeholders of routes to the names ui/*.go gives the path values.
var routeNames = map[string]string{
	"{conv}": "{id}", "{co}": "{id}", "{seq}": "{seq}", "{phone}": "{phone}", "{company}": "{company}", "{canned}": "{id}",
	"{user}": "{user}", "{service}": "{id}", "{job}": "{id}", "{list}": "{id}", "{schedule}": "{id}",
}

const validSchedule = `{"name":"Aviso","text":"Bom dia!","enabled":true,"target":{"kind":"company","id":"padaria-pao-quente"},"recurrence":{"kind":"daily","time":"09:00"}}`

// staffRoutes are every route of the staff API but POST /api/login; TestRoutesAreListed keeps the
// list whole.
var staffRoutes = []route{
	{"POST", "/api/logout", noBody, "", false},
	{"GET", "/api/me", queryOnly, "", false},
	{"GET", "/api/conversations", queryOnly, "", false},
	{"GET", "/api/conversations/counts", queryOnly, "", false},
	{"GET", "/api/conversations/{conv}", queryOnly, "", false},
	{"GET", "/api/conversations/{conv}/messages", queryOnly, "", false},
	{"POST", "/api/conversations/{conv}/start", noBody, "", false},
	{"POST", "/api/conversations/{conv}/finish", noBody, "", false},
	{"POST", "/api/conversations/{conv}/messages", jsonBody, `{"text":"oi"}`, false},
	{"GET", "/api/conversations/{conv}/messages/{seq}/file", queryOnly, "", false},
	{"POST", "/api/conversations/{conv}/attachments", fileBody, "", false},
	{"POST", "/api/contacts/{phone}/link", jsonBody, `{"company":"padaria-pao-quente"}`, true},
	{"GET", "/api/whatsapp/status", queryOnly, "", false},
	{"POST", "/api/whatsapp/pair-phone", jsonBody, `{"phone":"5548999990009"}`, false},
	{"POST", "/api/whatsapp/logout", noBody, "", false},
	{"POST", "/api/whatsapp/connect", noBody, "", false},
	{"GET", "/api/companies", queryOnly, "", false},
	{"POST", "/api/companies", jsonBody, `{"name":"Nova Ltda","cnpj":"","enabled":true}`, false},
	{"PUT", "/api/companies/{co}", jsonBody, `{"name":"Outro Nome Ltda","enabled":true}`, false},
	{"GET", "/api/contacts", queryOnly, "", false},
	{"POST", "/api/contacts", jsonBody, `{"phone":"5548999990009","name":"Novo","companies":["padaria-pao-quente"]}`, false},
	{"DELETE", "/api/contacts/{phone}/companies/{company}", noBody, "", false},
	{"GET", "/api/canned", queryOnly, "", false},
	{"POST", "/api/canned", jsonBody, `{"shortcut":"novo","text":"Olá!"}`, false},
	{"DELETE", "/api/canned/{canned}", noBody, "", false},
	{"GET", "/api/staff", queryOnly, "", false},
	{"POST", "/api/staff", jsonBody, `{"user":"novo","name":"Novo","role":"atendente","password":"uma-senha-longa","departments":["fiscal"]}`, false},
	{"PUT", "/api/staff/{user}", jsonBody, `{"name":"Outro Nome","role":"atendente","departments":["fiscal"]}`, false},
	{"DELETE", "/api/staff/{user}", noBody, "", false},
	{"GET", "/api/queues", queryOnly, "", false},
	{"GET", "/api/history", queryOnly, "", false},
	{"GET", "/api/history/{service}", queryOnly, "", false},
	{"GET", "/api/dashboard", queryOnly, "", false},
	{"GET", "/api/jobs", queryOnly, "", false},
	{"GET", "/api/jobs/{job}", queryOnly, "", false},
	{"POST", "/api/jobs/{job}/retry", noBody, "", false},
	{"POST", "/api/jobs/{job}/reply", jsonBody, `{"text":"oi"}`, false},
	{"GET", "/api/agents", queryOnly, "", false},
	{"POST", "/api/agents/token", noBody, "", false},
	{"GET", "/api/settings", queryOnly, "", false},
	{"PUT", "/api/settings", jsonBody, "", false}, // a whole Settings: its checks have their own tests
	{"GET", "/api/settings/defaults", queryOnly, "", false},
	{"GET", "/ws", queryOnly, "", false},
	{"GET", "/api/addressbook", queryOnly, "", false},
	{"POST", "/api/addressbook", jsonBody, `{"phone":"5548999990009","name":"Novo","companies":["padaria-pao-quente"]}`, false},
	{"POST", "/api/addressbook/import", csvBody, "", false},
	{"PUT", "/api/addressbook/{phone}", jsonBody, `{"name":"Outro Nome","companies":["padaria-pao-quente"]}`, false},
	{"DELETE", "/api/addressbook/{phone}", noBody, "", false},
	{"GET", "/api/lists", queryOnly, "", false},
	{"POST", "/api/lists", jsonBody, `{"name":"Lista","contacts":["5548999990001"],"companies":["padaria-pao-quente"]}`, false},
	{"PUT", "/api/lists/{list}", jsonBody, `{"name":"Lista","contacts":["5548999990001"],"companies":["padaria-pao-quente"]}`, false},
	{"DELETE", "/api/lists/{list}", noBody, "", false},
	{"GET", "/api/schedules", queryOnly, "", false},
	{"POST", "/api/schedules", jsonBody, validSchedule, false},
	{"GET", "/api/schedules/{schedule}", queryOnly, "", false},
	{"PUT", "/api/schedules/{schedule}", jsonBody, validSchedule, false},
	{"DELETE", "/api/schedules/{schedule}", noBody, "", false},
	{"POST", "/api/broadcasts", jsonBody, `{"list":"nope","text":"oi"}`, false},
	{"GET", "/api/sends", queryOnly, "", false},
}

// publicRoutes need no staff session: the login, the health check, the client portal (HTML
// pages with their own tests), and the simulator's and the agents' endpoints, mounted by the
// engine.
var publicRoutes = []string{
	"POST /api/login", "GET /healthz", "GET /portal/entrar", "GET /portal", "GET /portal/d/{doc}",
}

// TestRoutesAreListed: every route registered in ui/*.go is in staffRoutes or publicRoutes, so
// that the bad-input and isolation tests, which go through staffRoutes, cover a route as soon
// as it is added.
func TestRoutesAreListed(t *testing.T) {
	files, err := filepath.Glob("../ui/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob ui: %v %v", files, err)
	}
	registered := regexp.MustCompile(`m\.HandleFunc\("([A-Z]+ /[^"]*)"`)
	var declared []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range registered.FindAllStringSubmatch(string(src), -1) {
			declared = append(declared, m[1])
		}
	}
	listed := slices.Clone(publicRoutes)
	for _, r := range staffRoutes {
		listed = append(listed, r.pattern())
	}
	for _, d := range declared {
		if !slices.Contains(listed, d) {
			t.Errorf("route %q is not in staffRoutes (engine/routes_test.go): add it, with its body and ids", d)
		}
	}
	for _, l := range listed {
		if !slices.Contains(declared, l) {
			t.Errorf("route %q is listed but ui/*.go registers no such route", l)
		}
	}
	if len(declared) < 60 {
		t.Fatalf("found %d routes in ui/*.go: the pattern no longer matches how routes are registered", len(declared))
	}
}

// request builds the body and content type of a request to r with its valid body.
func (r route) request() (string, []byte) {
	switch r.body {
	case jsonBody:
		body := r.valid
		if body == "" {
			body = "{}"
		}
		return "application/json", []byte(body)
	case fileBody:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "recibo.pdf")
		fw.Write([]byte("%PDF-1.4\nrecibo\n%%EOF\n"))
		mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	case csvBody:
		return "text/csv", []byte("5548999990009;Novo;\n")
	case noBody:
		return "application/json", nil
	}
	return "", nil
}

// leaks are what internal text looks like: Go error strings, file paths, storage and encoding
// messages.
var leaks = []string{"pebble", "msgpack", "json:", "invalid character", "unexpected EOF", "EOF", "context ",
	"goroutine", "runtime error", "nil pointer", ".go:", "/tmp/", "/home/", "%!", "dead letter", "future:", "http:", "errors."}

// checkProblem fails unless body is {"error":{"code","message"}} with a snake_case code and a
// message for people: capitalized, ending as a sentence, with no internal text.
func checkProblem(t *testing.T, what string, contentType string, body []byte) errBody {
	t.Helper()
	if !strings.HasPrefix(contentType, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json: %.300s", what, contentType, body)
	}
	eb := decode[errBody](t, body)
	code, msg := eb.Error.Code, eb.Error.Message
	if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(code) {
		t.Errorf("%s: code %q, want snake_case: %s", what, code, body)
	}
	first, _ := utf8.DecodeRuneInString(msg)
	if msg == "" || !unicode.IsUpper(first) || !strings.ContainsAny(msg[len(msg)-1:], ".!?)") {
		t.Errorf("%s: message %q, want a Portuguese sentence: %s", what, msg, body)
	}
	for _, l := range leaks {
		if strings.Contains(msg, l) {
			t.Errorf("%s: message %q leaks internal text (%q)", what, msg, l)
		}
	}
	return eb
}
