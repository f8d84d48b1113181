package whatsim

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
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
	var req inboundRequest
	var file *gateway.File
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		var ok bool
		if req, file, ok = readDocument(w, r); !ok {
			return
		}
	} else if !readText(w, r, &req) {
		return
	}
	from, err := balcao.NormalizePhone(req.From)
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid_phone", "Número de telefone inválido.")
		return
	case req.Text == "" && file == nil:
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
	if file != nil {
		id, err = g.DeliverFile(ctx, req.Office, from, req.ID, req.Text, file)
	} else if req.At != nil {
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

// readText reads a JSON text message into req; false when it answered the request with an error.
func readText(w http.ResponseWriter, r *http.Request, req *inboundRequest) bool {
	if r.ContentLength > maxInboundBody { // refused unread; a body of unknown length stops at the limit
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "A mensagem é grande demais.")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxInboundBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "A mensagem é grande demais.")
			return false
		}
		writeError(w, http.StatusBadRequest, "malformed_json", "O corpo da requisição não é um JSON válido.")
		return false
	}
	return true
}

// MaxDocument is the largest file a simulated phone sends.
const MaxDocument = 20 << 20

// maxDocumentBody bounds a /sim/inbound form: the file, its caption and the other fields.
const maxDocumentBody = MaxDocument + maxInboundBody

// documentFields are the fields of a /sim/inbound form besides its file.
var documentFields = map[string]bool{"office": true, "from": true, "text": true, "id": true}

// readDocument reads a document a phone sends (a multipart form: office, from, text as its
// caption, id, and the file as file); ok is false when it answered the request with an error.
func readDocument(w http.ResponseWriter, r *http.Request) (req inboundRequest, f *gateway.File, ok bool) {
	tooLarge := func() {
		writeError(w, http.StatusRequestEntityTooLarge, "file_too_large", fmt.Sprintf("O arquivo é grande demais (máximo de %d MB).", MaxDocument>>20))
	}
	if r.ContentLength > maxDocumentBody {
		tooLarge()
		return req, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxDocumentBody)
	if err := r.ParseMultipartForm(maxDocumentBody); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			tooLarge()
		} else {
			writeError(w, http.StatusBadRequest, "malformed_form", "O formulário enviado não pôde ser lido.")
		}
		return req, nil, false
	}
	defer r.MultipartForm.RemoveAll()
	for name, values := range r.MultipartForm.Value {
		if !documentFields[name] || len(values) != 1 {
			writeError(w, http.StatusBadRequest, "malformed_form", "O formulário enviado não pôde ser lido.")
			return req, nil, false
		}
	}
	req.Office, req.From, req.Text, req.ID = r.FormValue("office"), r.FormValue("from"), r.FormValue("text"), r.FormValue("id")
	files := r.MultipartForm.File["file"]
	if len(files) != 1 || len(r.MultipartForm.File) != 1 {
		writeError(w, http.StatusBadRequest, "file_required", "Envie um arquivo no campo file.")
		return req, nil, false
	}
	h := files[0]
	if h.Size == 0 {
		writeError(w, http.StatusBadRequest, "empty_file", "O arquivo está vazio.")
		return req, nil, false
	}
	if h.Size > MaxDocument {
		tooLarge()
		return req, nil, false
	}
	src, err := h.Open()
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed_form", "O formulário enviado não pôde ser lido.")
		return req, nil, false
	}
	defer src.Close()
	data, err := io.ReadAll(src)
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed_form", "O formulário enviado não pôde ser lido.")
		return req, nil, false
	}
	// The type the phone declares, as WhatsApp passes it on; what the content shows when it
	// declares none.
	mt, _, err := mime.ParseMediaType(h.Header.Get("Content-Type"))
	if err != nil || mt == "application/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(data))
	}
	name := path.Base(strings.ReplaceAll(h.Filename, `\`, "/"))
	if name == "." || name == "/" {
		name = "documento"
	}
	return req, &gateway.File{Name: name, MIME: mt, Data: data}, true
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
