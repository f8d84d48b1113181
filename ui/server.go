package ui

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/balcao/balcao"
)

//go:embed all:dist
var dist embed.FS

// Config configures the HTTP server.
type Config struct {
	Backend Backend
	Hub     *Hub
	Log     *slog.Logger
	// Sim serves /sim/ (the simulated WhatsApp) when set.
	Sim http.Handler
	// Agent serves GET /agent, the execution agents' websocket.
	Agent http.Handler
	// SecureCookies marks the session cookie Secure (serve behind TLS).
	SecureCookies bool
	// Context ends the staff sockets when canceled (the server's shutdown: http.Server does not
	// track hijacked connections); never when nil.
	Context context.Context
}

// Server is the staff HTTP server.
type Server struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// maxBody bounds every API request body; texts are at most balcao.MaxTextBytes.
const maxBody = 1 << 20

// SessionCookie is the name of the staff session cookie.
const SessionCookie = "balcao_session"

// New builds the server's routes.
func New(cfg Config) *Server {
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	s := &Server{cfg: cfg, log: cfg.Log, mux: http.NewServeMux()}
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("POST /api/login", s.login)
	m.HandleFunc("POST /api/logout", s.authed(s.logout))
	m.HandleFunc("GET /api/me", s.authed(s.me))
	m.HandleFunc("GET /api/conversations", s.authed(s.listConversations))
	m.HandleFunc("GET /api/conversations/{id}", s.authed(s.getConversation))
	m.HandleFunc("GET /api/conversations/{id}/messages", s.authed(s.listMessages))
	m.HandleFunc("POST /api/conversations/{id}/start", s.authed(s.startService))
	m.HandleFunc("POST /api/conversations/{id}/finish", s.authed(s.finishService))
	m.HandleFunc("POST /api/conversations/{id}/messages", s.authed(s.sendMessage))
	m.HandleFunc("GET /api/conversations/{id}/messages/{seq}/file", s.authed(s.messageFile))
	m.HandleFunc("POST /api/conversations/{id}/attachments", s.authed(s.sendAttachment))
	m.HandleFunc("POST /api/contacts/{phone}/link", s.authed(s.linkContact))
	m.HandleFunc("GET /api/whatsapp/status", s.authed(s.whatsappStatus))
	m.HandleFunc("POST /api/whatsapp/pair-phone", s.authed(s.pairPhone))
	m.HandleFunc("POST /api/whatsapp/logout", s.authed(s.logoutWhatsApp))
	m.HandleFunc("POST /api/whatsapp/connect", s.authed(s.connectWhatsApp))
	m.HandleFunc("GET /api/companies", s.authed(s.listCompanies))
	m.HandleFunc("POST /api/companies", s.authed(s.createCompany))
	m.HandleFunc("PUT /api/companies/{id}", s.authed(s.updateCompany))
	m.HandleFunc("GET /api/contacts", s.authed(s.listContacts))
	m.HandleFunc("POST /api/contacts", s.authed(s.addContact))
	m.HandleFunc("DELETE /api/contacts/{phone}/companies/{company}", s.authed(s.removeContactCompany))
	m.HandleFunc("GET /api/canned", s.authed(s.listCanned))
	m.HandleFunc("POST /api/canned", s.authed(s.createCanned))
	m.HandleFunc("DELETE /api/canned/{id}", s.authed(s.deleteCanned))
	m.HandleFunc("GET /api/staff", s.authed(s.listStaff))
	m.HandleFunc("POST /api/staff", s.authed(s.createStaff))
	m.HandleFunc("PUT /api/staff/{user}", s.authed(s.updateStaff))
	m.HandleFunc("DELETE /api/staff/{user}", s.authed(s.deleteStaff))
	m.HandleFunc("GET /api/queues", s.authed(s.queues))
	m.HandleFunc("GET /api/conversations/counts", s.authed(s.counts))
	m.HandleFunc("GET /api/history", s.authed(s.history))
	m.HandleFunc("GET /api/history/{id}", s.authed(s.serviceDetail))
	m.HandleFunc("GET /api/dashboard", s.authed(s.dashboard))
	m.HandleFunc("GET /api/jobs", s.authed(s.listJobs))
	m.HandleFunc("GET /api/jobs/{id}", s.authed(s.getJob))
	m.HandleFunc("POST /api/jobs/{id}/retry", s.authed(s.retryJob))
	m.HandleFunc("POST /api/jobs/{id}/reply", s.authed(s.replyToJob))
	m.HandleFunc("GET /api/agents", s.authed(s.agents))
	m.HandleFunc("POST /api/agents/token", s.authed(s.newAgentToken))
	m.HandleFunc("GET /api/settings", s.authed(s.getSettings))
	m.HandleFunc("PUT /api/settings", s.authed(s.putSettings))
	m.HandleFunc("GET /api/settings/defaults", s.authed(s.settingsDefaults))
	m.HandleFunc("GET /portal/entrar", s.portalLogin)
	m.HandleFunc("GET /portal", s.portalHome)
	m.HandleFunc("GET /portal/d/{doc}", s.portalFile)
	m.HandleFunc("GET /ws", s.authed(s.websocket))
	s.contactRoutes(m)
	s.scheduleRoutes(m)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "unknown_route", "Rota desconhecida.")
	})
	if cfg.Sim != nil {
		m.Handle("/sim/", cfg.Sim)
	}
	if cfg.Agent != nil {
		m.Handle("GET /agent", cfg.Agent)
	}
	static, _ := fs.Sub(dist, "dist")
	files := http.FileServerFS(static)
	m.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/"); name != "" {
			if _, err := fs.Stat(static, name); err != nil {
				notFoundPage(w) // not the file server's "404 page not found": a person reads it
				return
			}
		}
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	}))
	return s
}

// notFoundPage answers an address that is no page: a mistyped link of the portal or of the web
// client.
func notFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, `<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Página não encontrada</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1f2933}main{max-width:560px;margin:64px auto;padding:0 16px}</style>
</head><body><main><h1>Página não encontrada</h1><p>Confira o endereço. Se você recebeu este link do escritório pelo WhatsApp, peça um novo.</p></main></body></html>
`)
}

// ServeHTTP serves every route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Backend.Healthy(r.Context()); err != nil {
		s.log.Warn("health check failed", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "unhealthy", "Serviço indisponível.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// caller is the logged-in staff member of a request.
type caller struct {
	session balcao.Session
	staff   balcao.Staff
	token   string
}

type authedHandler func(w http.ResponseWriter, r *http.Request, c caller)

// authed resolves the session cookie; requests without a live session get 401.
func (s *Server) authed(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(SessionCookie)
		if err != nil || ck.Value == "" {
			writeProblem(w, http.StatusUnauthorized, "not_logged_in", "Entre com seu usuário para continuar.")
			return
		}
		sess, staff, err := s.cfg.Backend.Session(r.Context(), ck.Value)
		if err != nil {
			if errors.Is(err, balcao.ErrUnauthorized) {
				writeProblem(w, http.StatusUnauthorized, "session_expired", "Sua sessão expirou. Entre novamente.")
				return
			}
			writeError(w, s.log, err)
			return
		}
		h(w, r, caller{session: sess, staff: staff, token: ck.Value})
	}
}

// decode reads a JSON request body into v. Bodies must be JSON (which a cross-site form
// cannot send without a CORS preflight), at most maxBody bytes, with no unknown fields.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, "json_required", "Envie os dados como JSON.")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "body_too_large", "A requisição é grande demais.")
		} else {
			writeProblem(w, http.StatusBadRequest, "malformed_json", "O corpo da requisição não é um JSON válido.")
		}
		return false
	}
	return true
}

type loginRequest struct {
	Office   string `json:"office"`
	User     string `json:"user"`
	Password string `json:"password"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !s.decode(w, r, &req) {
		return
	}
	token, sess, err := s.cfg.Backend.Login(r.Context(), req.Office, req.User, req.Password)
	if errors.Is(err, balcao.ErrUnauthorized) {
		writeProblem(w, http.StatusUnauthorized, "invalid_credentials", "Escritório, usuário ou senha incorretos.")
		return
	}
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: sess.Expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
	})
	_, staff, err := s.cfg.Backend.Session(r.Context(), token)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, meResponse{Office: sess.Office, User: staff.User, Name: staff.Name, Role: staff.Role, Expires: sess.Expires})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.Logout(r.Context(), c.token); err != nil {
		writeError(w, s.log, err)
		return
	}
	s.cfg.Hub.Drop(c.session.Office, c.token)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

type meResponse struct {
	Office  string      `json:"office"`
	User    string      `json:"user"`
	Name    string      `json:"name"`
	Role    balcao.Role `json:"role"`
	Expires time.Time   `json:"expires"`
}

func (s *Server) me(w http.ResponseWriter, _ *http.Request, c caller) {
	writeJSON(w, http.StatusOK, meResponse{Office: c.session.Office, User: c.staff.User, Name: c.staff.Name, Role: c.staff.Role, Expires: c.session.Expires})
}

// pageLimit reads ?limit= (1..200, default 50).
func pageLimit(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 50, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, false
	}
	return n, true
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request, c caller) {
	tab := balcao.Tab(r.URL.Query().Get("tab"))
	if tab == "" {
		tab = balcao.TabContacts
	}
	if tab != balcao.TabContacts && tab != balcao.TabPending && tab != balcao.TabAttending {
		writeProblem(w, http.StatusBadRequest, "invalid_tab", "Aba inválida: use contatos, pendentes ou atendimento.")
		return
	}
	limit, ok := pageLimit(r)
	if !ok {
		writeProblem(w, http.StatusBadRequest, "invalid_limit", "O limite deve estar entre 1 e 200.")
		return
	}
	list, next, err := s.cfg.Backend.Conversations(r.Context(), c.session.Office, c.staff, tab, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": list, "next": next})
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request, c caller) {
	v, err := s.cfg.Backend.Conversation(r.Context(), c.session.Office, c.staff, r.PathValue("id"))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversation": v})
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, c caller) {
	limit, ok := pageLimit(r)
	if !ok {
		writeProblem(w, http.StatusBadRequest, "invalid_limit", "O limite deve estar entre 1 e 200.")
		return
	}
	var before uint64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "invalid_cursor", "Parâmetro before inválido.")
			return
		}
		before = n
	}
	msgs, more, err := s.cfg.Backend.Messages(r.Context(), c.session.Office, c.staff, r.PathValue("id"), before, limit)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": nonNil(msgs), "more": more})
}

func (s *Server) startService(w http.ResponseWriter, r *http.Request, c caller) {
	v, err := s.cfg.Backend.StartService(r.Context(), c.session.Office, r.PathValue("id"), c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversation": v})
}

func (s *Server) finishService(w http.ResponseWriter, r *http.Request, c caller) {
	v, err := s.cfg.Backend.FinishService(r.Context(), c.session.Office, r.PathValue("id"), c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversation": v})
}

type sendRequest struct {
	Text string `json:"text"`
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, c caller) {
	var req sendRequest
	if !s.decode(w, r, &req) {
		return
	}
	if !validText(w, req.Text) {
		return
	}
	m, err := s.cfg.Backend.SendMessage(r.Context(), c.session.Office, r.PathValue("id"), c.staff, req.Text)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
}

// validText checks a staff message's text, answering the error when it is not valid.
func validText(w http.ResponseWriter, text string) bool {
	switch {
	case strings.TrimSpace(text) == "":
		writeProblem(w, http.StatusBadRequest, "empty_text", "Escreva uma mensagem antes de enviar.")
	case len(text) > balcao.MaxTextBytes:
		writeProblem(w, http.StatusRequestEntityTooLarge, "text_too_long", "A mensagem é longa demais (máximo de 64 KB).")
	case !utf8.ValidString(text):
		writeProblem(w, http.StatusBadRequest, "invalid_text", "A mensagem tem caracteres inválidos.")
	default:
		return true
	}
	return false
}

type linkRequest struct {
	Company string `json:"company"`
	Name    string `json:"name"`
}

func (s *Server) linkContact(w http.ResponseWriter, r *http.Request, c caller) {
	var req linkRequest
	if !s.decode(w, r, &req) {
		return
	}
	if req.Company == "" {
		writeProblem(w, http.StatusBadRequest, "company_required", "Escolha a empresa do contato.")
		return
	}
	if len(req.Name) > 200 {
		writeProblem(w, http.StatusBadRequest, "name_too_long", "O nome é longo demais.")
		return
	}
	contact, conv, err := s.cfg.Backend.LinkContact(r.Context(), c.session.Office, c.staff, r.PathValue("phone"), req.Company, strings.TrimSpace(req.Name))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact": contact, "conversation": conv})
}
