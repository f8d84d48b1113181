package ui

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/balcao/balcao"
)

// The client portal: server-rendered pages for the office's clients (no staff session). A
// client enters by the one-time link the assistant sends on WhatsApp, or downloads a document
// by the signed link that came with it.

// PortalCookie is the name of the client portal's session cookie.
const PortalCookie = "balcao_portal"

var portalPage = template.Must(template.New("portal").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.In(saoPaulo()).Format("02/01/2006") }, // the client's day, not the server's
	"kb":   func(n int64) int64 { return (n + 1023) / 1024 },
	"cnpj": balcao.FormatCNPJ,
}).Parse(`<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portal de documentos</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1f2933}
header{background:#0f5132;color:#fff;padding:16px 24px}main{max-width:760px;margin:24px auto;padding:0 16px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;margin-bottom:20px;padding:16px 20px}
h2{margin:0 0 4px;font-size:18px}small{color:#52606d}ul{list-style:none;padding:0;margin:12px 0 0}
li{display:flex;justify-content:space-between;gap:12px;padding:8px 0;border-top:1px solid #e4e7eb}
a{color:#0b6e4f;font-weight:600;text-decoration:none}.empty{color:#7b8794}
</style></head><body>
<header><strong>Portal de documentos</strong></header>
<main>
{{if .Message}}<section><p>{{.Message}}</p></section>{{end}}
{{range .Companies}}<section>
<h2>{{.Company.Name}}</h2><small>CNPJ {{cnpj .Company.CNPJ}}</small>
{{if .Documents}}<ul>{{range .Documents}}<li><a href="/portal/d/{{.ID}}">📄 {{.Name}}</a><small>{{date .CreatedAt}} · {{kb .Size}} KB</small></li>{{end}}</ul>
{{else}}<p class="empty">Nenhum documento publicado ainda.</p>{{end}}
</section>{{end}}
</main></body></html>`))

type portalView struct {
	Message   string
	Companies []balcao.PortalCompany
}

func (s *Server) renderPortal(w http.ResponseWriter, status int, v portalView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
	w.WriteHeader(status)
	if err := portalPage.Execute(w, v); err != nil {
		s.log.Warn("render portal", "err", err)
	}
}

// portalLogin spends a one-time link and opens the portal.
func (s *Server) portalLogin(w http.ResponseWriter, r *http.Request) {
	session, expires, err := s.cfg.Backend.PortalLogin(r.Context(), r.URL.Query().Get("t"))
	if errors.Is(err, balcao.ErrUnauthorized) {
		s.renderPortal(w, http.StatusUnauthorized, portalView{Message: "Este link expirou ou já foi usado. Peça um novo link ao escritório pelo WhatsApp (escreva \"portal\")."})
		return
	}
	if err != nil {
		s.log.Error("portal login", "err", err)
		s.renderPortal(w, http.StatusInternalServerError, portalView{Message: "Não foi possível abrir o portal agora. Tente novamente em alguns minutos."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: PortalCookie, Value: session, Path: "/portal", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

func (s *Server) portalCaller(r *http.Request) (office, phone string, ok bool) {
	ck, err := r.Cookie(PortalCookie)
	if err != nil {
		return "", "", false
	}
	office, phone, err = s.cfg.Backend.PortalSession(r.Context(), ck.Value)
	return office, phone, err == nil
}

func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) {
	askForLink := portalView{Message: "Para ver seus documentos, peça o link de acesso ao escritório pelo WhatsApp (escreva \"portal\")."}
	office, phone, ok := s.portalCaller(r)
	if !ok {
		s.renderPortal(w, http.StatusUnauthorized, askForLink)
		return
	}
	companies, err := s.cfg.Backend.PortalDocuments(r.Context(), office, phone)
	if errors.Is(err, balcao.ErrUnauthorized) || errors.Is(err, balcao.ErrNotFound) {
		// The session's phone is no longer a contact of the office: the session is over.
		http.SetCookie(w, &http.Cookie{Name: PortalCookie, Value: "", Path: "/portal", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		s.renderPortal(w, http.StatusUnauthorized, askForLink)
		return
	}
	if err != nil {
		s.log.Error("portal documents", "err", err)
		s.renderPortal(w, http.StatusInternalServerError, portalView{Message: "Não foi possível carregar seus documentos. Tente novamente."})
		return
	}
	s.renderPortal(w, http.StatusOK, portalView{Companies: companies})
}

// portalFile streams a document to a client who may see it.
func (s *Server) portalFile(w http.ResponseWriter, r *http.Request) {
	link := r.URL.Query().Get("t")
	office, phone, ok := s.portalCaller(r)
	if !ok && link == "" {
		s.renderPortal(w, http.StatusUnauthorized, portalView{Message: "Este link não é válido. Peça um novo ao escritório pelo WhatsApp."})
		return
	}
	doc, f, err := s.cfg.Backend.PortalFile(r.Context(), office, phone, r.PathValue("doc"), link)
	if err != nil {
		if !errors.Is(err, balcao.ErrNotFound) && !errors.Is(err, balcao.ErrUnauthorized) {
			s.log.Error("portal file", "err", err)
			s.renderPortal(w, http.StatusInternalServerError, portalView{Message: "Não foi possível abrir o documento agora. Tente novamente em alguns minutos."})
			return
		}
		s.renderPortal(w, http.StatusNotFound, portalView{Message: "Documento não encontrado, ou o link expirou. Peça um novo ao escritório pelo WhatsApp."})
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", doc.MIME)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFilename(doc.Name)+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", doc.CreatedAt, f)
}

// safeFilename keeps a file name printable inside a quoted header value.
func safeFilename(name string) string {
	b := []rune{}
	for _, r := range name {
		if r < 0x20 || r == '"' || r == '\\' || r == 0x7f {
			r = '_'
		}
		b = append(b, r)
	}
	return string(b)
}
