package ui

import (
	"net/http"
	"time"
	_ "time/tzdata" // the zone database, wherever the binary runs

	"github.com/balcao/balcao"
)

// History (Histórico de Atendimentos) and dashboards. The backend answers 403 to attendants.

// historyFilter reads ?from=YYYY-MM-DD&to=YYYY-MM-DD (days in São Paulo, in the years
// balcao.FirstYear to LastYear; to inclusive, default the last 30 days)&contact=&company=&status=&staff=.
func historyFilter(r *http.Request) (balcao.HistoryFilter, bool) {
	q := r.URL.Query()
	loc := saoPaulo()
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	f := balcao.HistoryFilter{From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1),
		Contact: q.Get("contact"), Company: q.Get("company"), Status: balcao.Outcome(q.Get("status")), Staff: q.Get("staff")}
	day := func(v string) (time.Time, bool) {
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		return t, err == nil && t.Year() >= balcao.FirstYear && t.Year() <= balcao.LastYear
	}
	if v := q.Get("from"); v != "" {
		t, ok := day(v)
		if !ok {
			return f, false
		}
		f.From = t
	}
	if v := q.Get("to"); v != "" {
		t, ok := day(v)
		if !ok {
			return f, false
		}
		f.To = t.AddDate(0, 0, 1)
	}
	switch f.Status {
	case "", balcao.OutcomeAssistant, balcao.OutcomeStaff, balcao.OutcomeIgnored:
	default:
		return f, false
	}
	return f, f.From.Before(f.To) && len(f.Contact) <= 100
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, c caller) {
	f, ok := historyFilter(r)
	if !ok {
		writeProblem(w, http.StatusBadRequest, "invalid_filter", "Filtro inválido: datas em AAAA-MM-DD, de 2000 a 2100 (de ≤ até), e resultado assistente, atendente ou desconsiderado.")
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		s.historyCSV(w, r, c, f)
		return
	}
	limit, ok := pageLimit(r)
	if !ok {
		writeProblem(w, http.StatusBadRequest, "invalid_limit", "O limite deve estar entre 1 e 200.")
		return
	}
	list, next, err := s.cfg.Backend.History(r.Context(), c.session.Office, c.staff, f, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": nonNil(list), "next": next})
}

// historyCSV streams the export. The backend checks the permission before it writes
// anything, so the CSV headers go out with the first row, and a refusal is an ordinary error.
func (s *Server) historyCSV(w http.ResponseWriter, r *http.Request, c caller, f balcao.HistoryFilter) {
	out := &csvResponse{w: w}
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	err := s.cfg.Backend.HistoryCSV(r.Context(), c.session.Office, c.staff, f, out, flush)
	switch {
	case err != nil && !out.started:
		writeError(w, s.log, err)
	case err != nil:
		s.log.Warn("history export interrupted", "err", err)
	}
}

// csvResponse sets the CSV download headers on the first write.
type csvResponse struct {
	w       http.ResponseWriter
	started bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="historico-atendimentos.csv"`)
		h.Set("Cache-Control", "no-store")
	}
	return c.w.Write(p)
}

func (s *Server) serviceDetail(w http.ResponseWriter, r *http.Request, c caller) {
	svc, msgs, trs, err := s.cfg.Backend.ServiceDetail(r.Context(), c.session.Office, c.staff, r.PathValue("id"))
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"service": svc, "messages": nonNil(msgs), "transitions": nonNil(trs)})
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c caller) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = time.Now().In(saoPaulo()).Format("2006-01")
	}
	d, err := s.cfg.Backend.Dashboard(r.Context(), c.session.Office, c.staff, month)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// saoPauloLoc is the offices' time zone; days in filters are its days.
var saoPauloLoc = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("BRT", -3*3600)
	}
	return loc
}()

func saoPaulo() *time.Location { return saoPauloLoc }

func (s *Server) queues(w http.ResponseWriter, r *http.Request, c caller) {
	q, err := s.cfg.Backend.Queues(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func (s *Server) counts(w http.ResponseWriter, r *http.Request, c caller) {
	n, err := s.cfg.Backend.Counts(r.Context(), c.session.Office, c.staff)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}
