package ui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/balcao/balcao"
)

// apiError is the JSON body of every error: {"error":{"code":"snake_case","message":"…"}}.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`          // Portuguese, for people
	Fields  map[string]string `json:"fields,omitempty"` // per form field, on 422
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, apiError{errorBody{Code: code, Message: message}})
}

// writeError maps an error from the backend to a status and a Portuguese message; anything
// unexpected is logged here, once, and shown as an internal error without details.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	var e *balcao.Error
	status := statusOf(err)
	switch {
	case errors.As(err, &e):
		writeJSON(w, status, apiError{errorBody{Code: e.Code, Message: e.Message, Fields: e.Fields}})
	case errors.Is(err, balcao.ErrNotFound):
		writeProblem(w, status, "not_found", "Não encontrado.")
	case errors.Is(err, balcao.ErrInvalid):
		writeProblem(w, status, "invalid", "Dados inválidos.")
	case errors.Is(err, balcao.ErrConflict):
		writeProblem(w, status, "conflict", "A ação não é possível no estado atual.")
	case errors.Is(err, balcao.ErrForbidden):
		writeProblem(w, status, "forbidden", "Você não tem permissão para isso.")
	case errors.Is(err, balcao.ErrUnauthorized):
		writeProblem(w, status, "unauthorized", "Sessão expirada. Entre novamente.")
	case errors.Is(err, balcao.ErrClosed): // the engine is stopping: a restart, most often
		writeProblem(w, status, "unavailable", "O Balcão está reiniciando; tente novamente em instantes.")
	case errors.Is(err, balcao.ErrOverloaded):
		writeProblem(w, status, "unavailable", "Sistema ocupado; tente novamente em instantes.")
	default:
		log.Error("request failed", "err", err)
		writeProblem(w, status, "internal", "Erro interno. Tente novamente.")
	}
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, balcao.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, balcao.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, balcao.ErrValidation):
		return http.StatusUnprocessableEntity
	case errors.Is(err, balcao.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, balcao.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, balcao.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, balcao.ErrClosed):
		return http.StatusServiceUnavailable
	case errors.Is(err, balcao.ErrOverloaded):
		var e *balcao.Error
		if errors.As(err, &e) && e.Code == "too_many_attempts" {
			return http.StatusTooManyRequests
		}
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
