package whatsim

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"regexp"
	"time"

	"github.com/balcao/balcao"
)

//go:embed phone
var phoneFiles embed.FS

// AckTimeout bounds how long /sim/inbound waits for the office to store a message.
const AckTimeout = 15 * time.Second

// maxInboundBody bounds a /sim/inbound request: a text is at most balcao.MaxTextBytes.
const maxInboundBody = balcao.MaxTextBytes + 4<<10

var validID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// Handler serves the simulator under /sim/: POST /sim/inbound, GET /sim/outbound and the
// phone page.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sim/inbound", g.handleInbound)
	mux.HandleFunc("GET /sim/outbound", g.handleOutbound)
	sub, _ := fs.Sub(phoneFiles, "phone")
	mux.Handle("GET /sim/", http.StripPrefix("/sim/", http.FileServerFS(sub)))
	return mux
}

type inboundRequest struct {
	Office string `json:"office"`
	From   string `json:"from"`
	Text   string `json:"text"`
	ID     string `json:"id"`
	// At is when the phone sent the message, as WhatsApp stamps it (the same on a redelivery);
	// without it the message is stamped on arrival, and one with an id is looked up.
	At *time.Time `json:"at"`
}

func (g *Gateway) handleInbound(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxInboundBody { // refused unread; a body of unknown length stops at the limit
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "A mensagem é grande demais.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxInboundBody)
	var req inboundRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "A mensagem é grande demais.")
			return
		}
		writeError(w, http.StatusBadRequest, "malformed_json", "O corpo da requisição não é um JSON válido.")
		return
	}
	from, err := balcao.NormalizePhone(req.From)
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid_phone", "Número de telefone inválido.")
		return
	case req.Text == "":
		writeError(w, http.StatusBadRequest, "empty_text", "A mensagem está vazia.")
		return
	case len(req.Text) > balcao.MaxTextBytes:
		writeError(w, http.StatusRequestEntityTooLarge, "text_too_long", "A mensagem é longa demais.")
		return
	case req.ID != "" && !validID.MatchString(req.ID):
		writeError(w, http.StatusBadRequest, "invalid_id", "Identificador de mensagem inválido.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), AckTimeout)
	defer cancel()
	var id string
	if req.At != nil {
		id, err = g.DeliverAt(ctx, req.Office, from, req.ID, req.Text, *req.At)
	} else {
		id, err = g.Deliver(ctx, req.Office, from, req.ID, req.Text)
	}
	switch {
	case errors.Is(err, balcao.ErrNotFound):
		writeError(w, http.StatusNotFound, "unknown_office", "Escritório não encontrado.")
	case errors.Is(err, balcao.ErrOverloaded):
		writeError(w, http.StatusServiceUnavailable, "overloaded", "Sistema ocupado; tente novamente.")
	case err != nil:
		g.log.Warn("simulated inbound not stored", "office", req.Office, "err", err)
		writeError(w, http.StatusServiceUnavailable, "not_stored", "A mensagem não foi registrada; tente novamente.")
	default:
		writeJSON(w, http.StatusAccepted, map[string]string{"id": id})
	}
}

func (g *Gateway) handleOutbound(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	to, err := balcao.NormalizePhone(q.Get("to"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_phone", "Número de telefone inválido.")
		return
	}
	msgs, err := g.Outbound(q.Get("office"), to, q.Get("after"))
	if err != nil {
		writeError(w, http.StatusNotFound, "unknown_office", "Escritório não encontrado.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}
