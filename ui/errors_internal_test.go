package ui

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/balcao/balcao"
)

// TestUnavailableSaysWhy: a full queue and a stopping engine are both 503 unavailable (the
// client retries either the same way), but a person is told which: busy, or restarting.
func TestUnavailableSaysWhy(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"overloaded", fmt.Errorf("send: %w", balcao.ErrOverloaded), http.StatusServiceUnavailable, "unavailable", "Sistema ocupado; tente novamente em instantes."},
		{"closed", fmt.Errorf("load canned: %w", balcao.ErrClosed), http.StatusServiceUnavailable, "unavailable", "O Balcão está reiniciando; tente novamente em instantes."},
		{"too many attempts", balcao.NewError(balcao.ErrOverloaded, "too_many_attempts", "Muitas tentativas."), http.StatusTooManyRequests, "too_many_attempts", "Muitas tentativas."},
	} {
		rec := httptest.NewRecorder()
		writeError(rec, log, tc.err)
		var got apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != tc.status || got.Error.Code != tc.code || got.Error.Message != tc.message {
			t.Errorf("%s: writeError(%v) = %d %s, want %d %s %q", tc.name, tc.err, rec.Code, rec.Body, tc.status, tc.code, tc.message)
		}
	}
}
