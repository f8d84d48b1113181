package ui

import (
	"net/http"

	"github.com/balcao/balcao"
)

// Request centre (Central de Pedidos).

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, c caller) {
	limit, ok := pageLimit(r)
	if !ok {
		writeProblem(w, http.StatusBadRequest, "invalid_limit", "O limite deve estar entre 1 e 200.")
		return
	}
	tab := r.URL.Query().Get("tab")
	if tab == "" {
		tab = "pendentes"
	}
	jobs, next, err := s.cfg.Backend.Jobs(r.Context(), c.session.Office, c.staff, tab, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": nonNil(jobs), "next": next})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, c caller) {
	j, deliveries, err := s.cfg.Backend.Job(r.Context(), c.session.Office, c.staff, r.PathValue("id"))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"job": j, "deliveries": nonNil(deliveries)})
}

func (s *Server) retryJob(w http.ResponseWriter, r *http.Request, c caller) {
	j, err := s.cfg.Backend.RetryJob(r.Context(), c.session.Office, c.staff, r.PathValue("id"))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"job": j})
}

func (s *Server) replyToJob(w http.ResponseWriter, r *http.Request, c caller) {
	var req sendRequest
	if !s.decode(w, r, &req) || !validText(w, req.Text) {
		return
	}
	m, err := s.cfg.Backend.ReplyToJob(r.Context(), c.session.Office, c.staff, r.PathValue("id"), req.Text)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
}

func (s *Server) agents(w http.ResponseWriter, r *http.Request, c caller) {
	a, err := s.cfg.Backend.Agents(r.Context(), c.session.Office)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]balcao.AgentsOnline{"agents": a})
}

func (s *Server) newAgentToken(w http.ResponseWriter, r *http.Request, c caller) {
	token, err := s.cfg.Backend.NewAgentToken(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": token})
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, c caller) {
	st, err := s.cfg.Backend.Settings(r.Context(), c.session.Office)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, c caller) {
	var st balcao.Settings
	if !s.decode(w, r, &st) {
		return
	}
	saved, err := s.cfg.Backend.SaveSettings(r.Context(), c.session.Office, c.staff, st)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}
