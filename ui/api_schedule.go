package ui

import "net/http"

// Scheduling is what scheduled messages, broadcast lists and reminders need from the engine.
type Scheduling interface{}

// scheduleRoutes registers the scheduling and broadcast routes.
func (s *Server) scheduleRoutes(m *http.ServeMux) {}
