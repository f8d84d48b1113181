package engine

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
)

// The history (Histórico de Atendimentos) reads the service records written as services end;
// it never scans messages. Only administrators and managers may see or export it.

func canSeeHistory(s balcao.Staff) bool {
	return s.Role == balcao.RoleAdmin || s.Role == balcao.RoleManager
}

func historyForbidden() error {
	return forbidden("Só administradores e gerentes veem o histórico de atendimentos.")
}

// History returns a page of services, newest first, and the cursor of the next page.
func (e *Engine) History(_ context.Context, office string, by balcao.Staff, f balcao.HistoryFilter, cursor string, limit int) ([]balcao.Service, string, error) {
	if !canSeeHistory(by) {
		return nil, "", historyForbidden()
	}
	var out []balcao.Service
	var next, lastCursor string
	err := e.db.Services(office, f.From, f.To, cursor, func(c string, s balcao.Service) bool {
		if !f.Match(&s) {
			return true
		}
		if len(out) == limit {
			next = lastCursor
			return false
		}
		out, lastCursor = append(out, s), c
		return true
	})
	if err != nil {
		return nil, "", cursorError(err)
	}
	return out, next, nil
}

// HistoryCSV streams the filtered services as CSV, newest first, csvPage rows at a time: an
// export of any size holds one page of rows in memory, and each page is read before it is
// written, so that no read of storage waits on the client (storage's Close waits for reads).
func (e *Engine) HistoryCSV(ctx context.Context, office string, by balcao.Staff, f balcao.HistoryFilter, w io.Writer, flush func()) error {
	if !canSeeHistory(by) {
		return historyForbidden()
	}
	settings, err := e.db.Settings(office)
	if err != nil {
		return err
	}
	names := e.staffNames(office) // the staff as the History screen names them, not by login
	cw := csv.NewWriter(w)
	cw.Comma = ';' // as a spreadsheet set to Portuguese (Brasil) reads and writes CSV
	header := slices.Clone(csvHeader)
	header[0] = "\ufeff" + header[0] // UTF-8 BOM: a spreadsheet reads the accents as UTF-8
	_ = cw.Write(header)
	cursor := ""
	for {
		page, next, err := e.History(ctx, office, by, f, cursor, csvPage)
		if err != nil {
			return err // what went out already stays; the first page's failure sends nothing
		}
		for _, s := range page {
			department := s.Department
			if d, ok := settings.Department(department); ok {
				department = d.Name
			}
			staff := s.Staff
			if n := names[staff]; n != "" {
				staff = n
			}
			rating := ""
			if s.Rating > 0 {
				rating = strconv.Itoa(s.Rating)
			}
			if err := cw.Write([]string{
				s.ID, csvTime(s.Start), csvTime(s.End),
				csvText(s.ContactName), s.Phone, csvText(s.CompanyName), string(s.Outcome), csvText(staff),
				seconds(s.FirstResponseTime()), seconds(s.End.Sub(s.Start)), rating, csvText(department),
			}); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || next == "" {
			return err
		}
		if flush != nil {
			flush()
		}
		cursor = next
	}
}

// csvHeader names the export's columns for the staff who open it in a spreadsheet.
var csvHeader = []string{"Código", "Início", "Fim", "Contato", "Telefone", "Empresa", "Resultado", "Atendente",
	"Primeira resposta (s)", "Duração (s)", "Avaliação", "Setor"}

// csvTime is an instant as a Brazilian spreadsheet reads it, in São Paulo: 03/11/2026 14:05:09.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(assistant.Location()).Format("02/01/2006 15:04:05")
}

// csvPage is how many rows of an export are read, then written and flushed, at a time.
const csvPage = 500

// csvText keeps a name from being read as a formula by a spreadsheet ("=HYPERLINK(…)" as a
// contact's name): a cell that starts like one gets a leading apostrophe, which spreadsheets hide.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func seconds(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strings.Replace(strconv.FormatFloat(d.Seconds(), 'f', 1, 64), ".", ",", 1) // 12,5
}

// ServiceDetail returns a service with its messages (every message of its time span) and the
// conversation's state changes in it.
func (e *Engine) ServiceDetail(_ context.Context, office string, by balcao.Staff, id string) (balcao.Service, []balcao.Message, []balcao.Transition, error) {
	if !canSeeHistory(by) {
		return balcao.Service{}, nil, nil, historyForbidden()
	}
	notFound := balcao.NewError(balcao.ErrNotFound, "unknown_service", "Atendimento não encontrado.")
	start, err := e.db.ServiceStart(office, id)
	if errors.Is(err, balcao.ErrNotFound) {
		return balcao.Service{}, nil, nil, notFound
	} else if err != nil {
		return balcao.Service{}, nil, nil, fmt.Errorf("load service %s: %w", id, err)
	}
	var svc *balcao.Service
	err = e.db.Services(office, start, start.Add(1), "", func(_ string, s balcao.Service) bool {
		if s.ID == id {
			svc = &s
			return false
		}
		return true
	})
	if err != nil {
		return balcao.Service{}, nil, nil, fmt.Errorf("load service %s: %w", id, err)
	}
	if svc == nil {
		return balcao.Service{}, nil, nil, notFound
	}
	var msgs []balcao.Message
	before := uint64(0)
	for len(msgs) < 2000 {
		page, more, err := e.db.Messages(office, svc.Phone, before, 200)
		if err != nil {
			return *svc, nil, nil, err
		}
		done := !more || len(page) == 0
		for i := len(page) - 1; i >= 0; i-- {
			m := page[i]
			switch {
			case m.At.After(svc.End):
				continue
			case m.At.Before(svc.Start):
				done = true
			default:
				msgs = append(msgs, m)
			}
		}
		if done {
			break
		}
		before = page[0].Seq
	}
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	all, err := e.db.Transitions(office, svc.Phone)
	if err != nil {
		return *svc, msgs, nil, err
	}
	var trs []balcao.Transition
	for _, t := range all {
		if !t.At.Before(svc.Start) && !t.At.After(svc.End) {
			trs = append(trs, t)
		}
	}
	return *svc, msgs, trs, nil
}
