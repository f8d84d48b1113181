package engine_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownPagesArePortuguese: an address that is no page (a mistyped portal link, a staff
// member typing /painel without the #) answers 404 with a page in Portuguese, not Go's
// "404 page not found"; the web client and its files are still served.
func TestUnknownPagesArePortuguese(t *testing.T) {
	e := startEngine(t)
	base := "http://" + e.Addr()
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, path := range []string{"/painel", "/portal/documentos", "/assets/nada.js", "/index.htm"} {
		resp, body := get(path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Página não encontrada") || strings.Contains(body, "page not found") ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s = %d %s %q, want 404 and a Portuguese page", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if resp, body := get("/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="app">`) {
		t.Errorf("GET / = %d %q, want the web client", resp.StatusCode, body)
	}
	if resp, _ := get("/favicon.svg"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /favicon.svg = %d, want 200", resp.StatusCode)
	}
}
