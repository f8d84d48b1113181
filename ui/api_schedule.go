package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/balcao/balcao"
)

// Scheduling is what scheduled messages, broadcast lists and reminders need from the engine.
// Every method is for administrators and managers (balcao.ErrForbidden otherwise).
type Scheduling interface {
	BroadcastLists(ctx context.Context, office string, by balcao.Staff) ([]balcao.BroadcastList, error)
	// SaveBroadcastList creates (empty ID) or replaces a list.
	SaveBroadcastList(ctx context.Context, office string, by balcao.Staff, l balcao.BroadcastList) (balcao.BroadcastList, error)
	DeleteBroadcastList(ctx context.Context, office string, by balcao.Staff, id string) error

	Schedules(ctx context.Context, office string, by balcao.Staff) ([]balcao.Schedule, error)
	// ScheduleDetail returns a schedule and its latest runs (progress), newest first.
	ScheduleDetail(ctx context.Context, office string, by balcao.Staff, id string) (balcao.Schedule, []balcao.ScheduleRun, error)
	// SaveSchedule creates (empty ID) or replaces a schedule.
	SaveSchedule(ctx context.Context, office string, by balcao.Staff, s balcao.Schedule) (balcao.Schedule, error)
	// DeleteSchedule removes a schedule and cancels its send under way.
	DeleteSchedule(ctx context.Context, office string, by balcao.Staff, id string) error
	// Broadcast sends a text now to a list: a one-off schedule due at once.
	Broadcast(ctx context.Context, office string, by balcao.Staff, list, text string) (balcao.Schedule, error)
	// Sends are the runs under way, then the latest run of each schedule.
	Sends(ctx context.Context, office string, by balcao.Staff) ([]balcao.ScheduleRun, error)
}

// scheduleRoutes registers the scheduling and broadcast routes.
func (s *Server) scheduleRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/lists", s.authed(s.listBroadcastLists))
	m.HandleFunc("POST /api/lists", s.authed(s.createBroadcastList))
	m.HandleFunc("PUT /api/lists/{id}", s.authed(s.updateBroadcastList))
	m.HandleFunc("DELETE /api/lists/{id}", s.authed(s.deleteBroadcastList))
	m.HandleFunc("GET /api/schedules", s.authed(s.listSchedules))
	m.HandleFunc("POST /api/schedules", s.authed(s.createSchedule))
	m.HandleFunc("GET /api/schedules/{id}", s.authed(s.getSchedule))
	m.HandleFunc("PUT /api/schedules/{id}", s.authed(s.updateSchedule))
	m.HandleFunc("DELETE /api/schedules/{id}", s.authed(s.deleteSchedule))
	m.HandleFunc("POST /api/broadcasts", s.authed(s.broadcast))
	m.HandleFunc("GET /api/sends", s.authed(s.listSends))
}

func (s *Server) listBroadcastLists(w http.ResponseWriter, r *http.Request, c caller) {
	list, err := s.cfg.Backend.BroadcastLists(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lists": nonNil(list)})
}

type listRequest struct {
	Name      string   `json:"name"`
	Contacts  []string `json:"contacts"`
	Companies []string `json:"companies"`
}

func (s *Server) createBroadcastList(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveBroadcastList(w, r, c, "", http.StatusCreated)
}

func (s *Server) updateBroadcastList(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveBroadcastList(w, r, c, r.PathValue("id"), http.StatusOK)
}

func (s *Server) saveBroadcastList(w http.ResponseWriter, r *http.Request, c caller, id string, status int) {
	var req listRequest
	if !s.decode(w, r, &req) {
		return
	}
	l, err := s.cfg.Backend.SaveBroadcastList(r.Context(), c.session.Office, c.staff, balcao.BroadcastList{
		ID: id, Name: req.Name, Contacts: nonNil(req.Contacts), Companies: nonNil(req.Companies),
	})
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, status, map[string]any{"list": l})
}

func (s *Server) deleteBroadcastList(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.DeleteBroadcastList(r.Context(), c.session.Office, c.staff, r.PathValue("id")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request, c caller) {
	list, err := s.cfg.Backend.Schedules(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": nonNil(list)})
}

func (s *Server) getSchedule(w http.ResponseWriter, r *http.Request, c caller) {
	sc, runs, err := s.cfg.Backend.ScheduleDetail(r.Context(), c.session.Office, c.staff, r.PathValue("id"))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedule": sc, "runs": nonNil(runs)})
}

// scheduleRequest is a schedule as the client sends it; recurrence.at is RFC 3339, or
// "YYYY-MM-DDTHH:MM" in São Paulo time (what a datetime-local input gives).
type scheduleRequest struct {
	Name       string        `json:"name"`
	Text       string        `json:"text"`
	Target     balcao.Target `json:"target"`
	Recurrence struct {
		Kind     balcao.RecurrenceKind `json:"kind"`
		At       string                `json:"at"`
		Time     string                `json:"time"`
		Weekdays []string              `json:"weekdays"`
		Day      int                   `json:"day"`
	} `json:"recurrence"`
	Request *balcao.ScheduleRequest `json:"request"`
	Enabled bool                    `json:"enabled"`
}

func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveSchedule(w, r, c, "", http.StatusCreated)
}

func (s *Server) updateSchedule(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveSchedule(w, r, c, r.PathValue("id"), http.StatusOK)
}

func (s *Server) saveSchedule(w http.ResponseWriter, r *http.Request, c caller, id string, status int) {
	var req scheduleRequest
	if !s.decode(w, r, &req) {
		return
	}
	sc := balcao.Schedule{
		ID: id, Name: req.Name, Text: req.Text, Target: req.Target, Request: req.Request, Enabled: req.Enabled,
		Recurrence: balcao.Recurrence{Kind: req.Recurrence.Kind, Time: req.Recurrence.Time, Weekdays: req.Recurrence.Weekdays, Day: req.Recurrence.Day},
	}
	if at := strings.TrimSpace(req.Recurrence.At); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02T15:04", at, saoPaulo())
		}
		if err != nil {
			writeError(w, s.log, balcao.Invalid(map[string]string{"recurrence.at": "Data e hora inválidas."}))
			return
		}
		sc.Recurrence.At = t
	}
	saved, err := s.cfg.Backend.SaveSchedule(r.Context(), c.session.Office, c.staff, sc)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, status, map[string]any{"schedule": saved})
}

func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.DeleteSchedule(r.Context(), c.session.Office, c.staff, r.PathValue("id")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type broadcastRequest struct {
	List string `json:"list"`
	Text string `json:"text"`
}

func (s *Server) broadcast(w http.ResponseWriter, r *http.Request, c caller) {
	var req broadcastRequest
	if !s.decode(w, r, &req) {
		return
	}
	sc, err := s.cfg.Backend.Broadcast(r.Context(), c.session.Office, c.staff, req.List, req.Text)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"schedule": sc})
}

func (s *Server) listSends(w http.ResponseWriter, r *http.Request, c caller) {
	runs, err := s.cfg.Backend.Sends(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sends": nonNil(runs)})
}
