package ui

import "net/http"

// settingsDefaults answers GET /api/settings/defaults: the default texts of the editable
// messages (the greeting naming the office), their variables and the default departments, for
// the Preferências page. Any logged-in staff member may read them.
func (s *Server) settingsDefaults(w http.ResponseWriter, r *http.Request, c caller) {
	d, err := s.cfg.Backend.SettingsDefaults(r.Context(), c.session.Office)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
