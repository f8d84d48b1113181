package ui

import (
	"net/http"
	"strconv"
	"time"
)

// The office's WhatsApp connection (Conexão WhatsApp) and files of messages.

func (s *Server) whatsappStatus(w http.ResponseWriter, r *http.Request, c caller) {
	st, err := s.cfg.Backend.WhatsAppStatus(r.Context(), c.session.Office)
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
	doc, f, err := s.cfg.Backend.MessageFile(r.Context(), c.session.Office, r.PathValue("id"), seq)
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
