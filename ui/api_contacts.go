package ui

import "net/http"

// ContactBook is what contacts management (Gerenciar contatos) needs from the engine.
type ContactBook interface{}

// contactRoutes registers the contacts management routes.
func (s *Server) contactRoutes(m *http.ServeMux) {}
