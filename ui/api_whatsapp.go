package ui

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The office's WhatsApp connection (Conexão WhatsApp) and files of messages.

func (s *Server) whatsappStatus(w http.ResponseWriter, r *http.Request, c caller) {
	st, err := s.cfg.Backend.WhatsAppStatus(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

type pairRequest struct {
	Phone string `json:"phone"`
}

func (s *Server) pairPhone(w http.ResponseWriter, r *http.Request, c caller) {
	var req pairRequest
	if !s.decode(w, r, &req) {
		return
	}
	code, err := s.cfg.Backend.PairPhone(r.Context(), c.session.Office, c.staff, req.Phone)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"code": code})
}

func (s *Server) logoutWhatsApp(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.LogoutWhatsApp(r.Context(), c.session.Office, c.staff); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) connectWhatsApp(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.ConnectWhatsApp(r.Context(), c.session.Office, c.staff); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// messageFile streams the document or media of a message to the staff.
func (s *Server) messageFile(w http.ResponseWriter, r *http.Request, c caller) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		writeProblem(w, http.StatusNotFound, "no_document", "Esta mensagem não tem arquivo.")
		return
	}
	doc, f, err := s.cfg.Backend.MessageFile(r.Context(), c.session.Office, c.staff, r.PathValue("id"), seq)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", doc.MIME)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFilename(doc.Name)+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// maxAttachmentBody bounds an attachment upload: the 20 MB file and its form.
const maxAttachmentBody = 20<<20 + 64<<10

// allowedAttachments are the kinds of file staff may send, by the type their content shows. A
// zip is allowed for itself (offices send bundles of notas fiscais' XML) and is how Office and
// OpenDocument files show: see officeTypes.
var allowedAttachments = map[string]bool{
	"application/pdf": true, "image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"text/plain; charset=utf-8": true, "application/zip": true,
}

// officeTypes are the types of the documents that are zip containers, by their extension: a zip
// so named is sent with its document's type. Never the type the browser declared, which could
// label any zip application/pdf.
var officeTypes = map[string]string{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odt":  "application/vnd.oasis.opendocument.text",
	".odp":  "application/vnd.oasis.opendocument.presentation",
}

// attachmentType is the type a file is sent with, from its content and, for a zip, its name;
// false when staff may not send it.
func attachmentType(name string, data []byte) (string, bool) {
	mime := http.DetectContentType(data)
	if !allowedAttachments[mime] {
		return "", false
	}
	if mime == "application/zip" {
		if t, ok := officeTypes[strings.ToLower(filepath.Ext(name))]; ok {
			return t, true
		}
	}
	return mime, true
}

// sendAttachment takes a multipart form (file, caption) and sends the file to the client.
func (s *Server) sendAttachment(w http.ResponseWriter, r *http.Request, c caller) {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host && o != "https://"+r.Host {
		writeProblem(w, http.StatusForbidden, "cross_origin", "Envio de outra origem recusado.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAttachmentBody)
	file, header, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "attachment_too_large", "O arquivo é grande demais (máximo de 20 MB).")
			return
		}
		writeProblem(w, http.StatusBadRequest, "attachment_required", "Escolha um arquivo para enviar.")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		writeProblem(w, http.StatusRequestEntityTooLarge, "attachment_too_large", "O arquivo é grande demais (máximo de 20 MB).")
		return
	}
	mime, ok := attachmentType(header.Filename, data)
	if !ok {
		writeProblem(w, http.StatusUnsupportedMediaType, "attachment_type", "Tipo de arquivo não permitido: envie PDF, imagem, texto, planilha, documento, apresentação ou arquivo compactado (.zip).")
		return
	}
	caption := r.FormValue("caption")
	if len(caption) > 4096 {
		writeProblem(w, http.StatusBadRequest, "caption_too_long", "A legenda é longa demais.")
		return
	}
	m, err := s.cfg.Backend.SendAttachment(r.Context(), c.session.Office, r.PathValue("id"), c.staff, safeFilename(filepath.Base(header.Filename)), mime, data, caption)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
}
