package ui

import (
	"net/http"

	"github.com/balcao/balcao"
)

// Client enablement (Habilitação de Clientes) and staff accounts. Permissions are checked by
// the backend; these handlers only translate HTTP.

func (s *Server) listCompanies(w http.ResponseWriter, r *http.Request, c caller) {
	list, err := s.cfg.Backend.Companies(r.Context(), c.session.Office)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"companies": nonNil(list)})
}

type companyRequest struct {
	Name         string `json:"name"`
	CNPJ         string `json:"cnpj"`
	Enabled      bool   `json:"enabled"`
	UseAssistant bool   `json:"useAssistant"`
}

func (s *Server) createCompany(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveCompany(w, r, c, "", http.StatusCreated)
}

func (s *Server) updateCompany(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveCompany(w, r, c, r.PathValue("id"), http.StatusOK)
}

func (s *Server) saveCompany(w http.ResponseWriter, r *http.Request, c caller, id string, status int) {
	var req companyRequest
	if !s.decode(w, r, &req) {
		return
	}
	co, err := s.cfg.Backend.SaveCompany(r.Context(), c.session.Office, c.staff, balcao.Company{
		ID: id, Name: req.Name, CNPJ: req.CNPJ, Enabled: req.Enabled, UseAssistant: req.UseAssistant,
	})
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, status, map[string]any{"company": co})
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, c caller) {
	list, err := s.cfg.Backend.Contacts(r.Context(), c.session.Office, r.URL.Query().Get("company"))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": nonNil(list)})
}

type contactRequest struct {
	Phone     string   `json:"phone"`
	Name      string   `json:"name"`
	Companies []string `json:"companies"`
}

func (s *Server) addContact(w http.ResponseWriter, r *http.Request, c caller) {
	var req contactRequest
	if !s.decode(w, r, &req) {
		return
	}
	contact, err := s.cfg.Backend.AddContact(r.Context(), c.session.Office, c.staff, req.Phone, req.Name, req.Companies)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"contact": contact})
}

func (s *Server) removeContactCompany(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.RemoveContactCompany(r.Context(), c.session.Office, c.staff, r.PathValue("phone"), r.PathValue("company")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// staffView is what the API shows of a staff account (never the password hash).
type staffView struct {
	User        string      `json:"user"`
	Name        string      `json:"name"`
	Role        balcao.Role `json:"role"`
	Departments []string    `json:"departments"` // none: every department
}

func viewStaff(st balcao.Staff) staffView {
	deps := st.Departments
	if deps == nil {
		deps = []string{}
	}
	return staffView{User: st.User, Name: st.Name, Role: st.Role, Departments: deps}
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request, c caller) {
	list, err := s.cfg.Backend.StaffList(r.Context(), c.session.Office)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	out := make([]staffView, len(list))
	for i, st := range list {
		out[i] = viewStaff(st)
	}
	writeJSON(w, http.StatusOK, map[string]any{"staff": out})
}

type staffRequest struct {
	User        string      `json:"user"`
	Name        string      `json:"name"`
	Role        balcao.Role `json:"role"`
	Password    string      `json:"password"`
	Departments []string    `json:"departments"`
}

func (s *Server) createStaff(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveStaff(w, r, c, "", true)
}

func (s *Server) updateStaff(w http.ResponseWriter, r *http.Request, c caller) {
	s.saveStaff(w, r, c, r.PathValue("user"), false)
}

func (s *Server) saveStaff(w http.ResponseWriter, r *http.Request, c caller, user string, create bool) {
	var req staffRequest
	if !s.decode(w, r, &req) {
		return
	}
	if !create {
		req.User = user
	}
	st, err := s.cfg.Backend.SaveStaff(r.Context(), c.session.Office, c.staff,
		balcao.Staff{User: req.User, Name: req.Name, Role: req.Role, Departments: req.Departments}, req.Password, create)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"staff": viewStaff(st)})
}

func (s *Server) deleteStaff(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.DeleteStaff(r.Context(), c.session.Office, c.staff, r.PathValue("user")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func (s *Server) listCanned(w http.ResponseWriter, r *http.Request, c caller) {
	list, err := s.cfg.Backend.CannedAnswers(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"canned": nonNil(list)})
}

type cannedRequest struct {
	Shortcut string `json:"shortcut"`
	Text     string `json:"text"`
	Personal bool   `json:"personal"`
}

func (s *Server) createCanned(w http.ResponseWriter, r *http.Request, c caller) {
	var req cannedRequest
	if !s.decode(w, r, &req) {
		return
	}
	saved, err := s.cfg.Backend.SaveCannedAnswer(r.Context(), c.session.Office, c.staff, balcao.CannedAnswer{Shortcut: req.Shortcut, Text: req.Text}, req.Personal)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"canned": saved})
}

func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.DeleteCannedAnswer(r.Context(), c.session.Office, c.staff, r.PathValue("id")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
