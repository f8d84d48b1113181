package whatsapp

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLimitTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := strings.Repeat("x", len(r.URL.Path))
		if r.URL.Query().Has("chunked") {
			w.(http.Flusher).Flush() // no Content-Length: the body is counted as it is read
		}
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c := &http.Client{Transport: limitTransport{base: http.DefaultTransport, max: 8}}
	tests := []struct {
		path string
		ok   bool
	}{
		{"/1234567", true},   // 8 bytes
		{"/12345678", false}, // 9 bytes, declared
		{"/12345678?chunked", false},
		{"/1234567?chunked", true},
	}
	for _, tt := range tests {
		resp, err := c.Get(srv.URL + tt.path)
		var data []byte
		if err == nil {
			data, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if tt.ok && (err != nil || len(data) != 8) {
			t.Errorf("GET %s = %d bytes, %v; want 8 bytes", tt.path, len(data), err)
		}
		if !tt.ok && !errors.Is(err, ErrMediaTooLarge) {
			t.Errorf("GET %s error = %v, want ErrMediaTooLarge", tt.path, err)
		}
	}
}
