package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestInternalErrorsSayNothingTechnical: an unexpected error (Pebble's, the network's, a
// decoder's) reaches a person as the Portuguese generic message, 500 internal; its English
// text goes to the log only.
func TestInternalErrorsSayNothingTechnical(t *testing.T) {
	var syntax error
	if err := json.Unmarshal([]byte("x"), new(any)); err != nil {
		syntax = fmt.Errorf("decode settings: %w", err)
	}
	for _, err := range []error{
		fmt.Errorf("load conversation 5548999990001: %w", context.Canceled),
		fmt.Errorf("read job: %w", io.EOF),
		fmt.Errorf("put message: %w", errors.New("pebble: closed")),
		syntax,
		fmt.Errorf("form: %w", balcao.ErrValidation), // a kind without its *balcao.Error
	} {
		var logged bytes.Buffer
		rec := httptest.NewRecorder()
		writeError(rec, slog.New(slog.NewTextHandler(&logged, nil)), err)
		var got apiError
		if jerr := json.Unmarshal(rec.Body.Bytes(), &got); jerr != nil || got.Error.Code != "internal" || got.Error.Message != "Erro interno. Tente novamente." {
			t.Errorf("writeError(%q) = %d %s, want the Portuguese generic message", err, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), err.Error()) || strings.Contains(rec.Body.String(), errors.Unwrap(err).Error()) {
			t.Errorf("writeError(%q) body %s shows the error's text", err, rec.Body)
		}
		if !strings.Contains(logged.String(), errors.Unwrap(err).Error()) {
			t.Errorf("writeError(%q) logged %q, want the error", err, logged.String())
		}
	}
}
