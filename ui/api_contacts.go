package ui

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/balcao/balcao"
)

// Contacts management (Gerenciar contatos): every contact of the office, clients or not, under
// /api/addressbook. The older /api/contacts routes stay as the Habilitação de Clientes screen
// uses them (contacts seen from a company; POST adds companies to a phone). Permissions are
// checked by the backend; these handlers translate HTTP and read the CSV file format.

// ContactBook is what contacts management (Gerenciar contatos) needs from the engine.
type ContactBook interface {
	// AddressBook lists the office's contacts whose name, phone or company (name or CNPJ)
	// matches q (all when empty) and, when list is set, who belong to that broadcast list (as a
	// contact, or through a company), ordered by name, a page at a time; total counts them.
	AddressBook(ctx context.Context, office, q, list, cursor string, limit int) (contacts []balcao.Contact, next string, total int, err error)
	// CreateContact adds a contact; no company makes someone who is not a client user.
	CreateContact(ctx context.Context, office string, by balcao.Staff, c balcao.Contact) (balcao.Contact, error)
	// UpdateContact replaces a contact's name and companies.
	UpdateContact(ctx context.Context, office string, by balcao.Staff, phone, name string, companies []string) (balcao.Contact, error)
	// DeleteContact removes a contact; its conversation stays, unlinked.
	DeleteContact(ctx context.Context, office string, by balcao.Staff, phone string) error
	// ImportContacts checks the rows of a contacts file and, when apply is set, applies the
	// valid ones. The report has one line per row.
	ImportContacts(ctx context.Context, office string, by balcao.Staff, rows []ContactRow, apply bool) (ImportReport, error)
}

// ContactRow is one line of an imported contacts file, its cells as written.
type ContactRow struct {
	Line      int // in the file, 1-based (the header is line 1 when there is one)
	Phone     string
	Name      string
	Companies []string // CNPJs or company names
}

// Statuses of an import line.
const (
	ImportNew       = "new"       // the phone is not a contact yet
	ImportUpdate    = "update"    // the contact gets a new name or more companies
	ImportUnchanged = "unchanged" // the contact already is as the line says
	ImportError     = "error"     // the line is not applied; Error says why
)

// ImportLine is the outcome of one line of an import.
type ImportLine struct {
	Line      int                 `json:"line"`
	Phone     string              `json:"phone"` // E.164 digits, or as written when invalid
	Name      string              `json:"name"`
	Companies []balcao.CompanyRef `json:"companies"`
	Status    string              `json:"status"`
	Error     string              `json:"error,omitempty"` // Portuguese
}

// ImportCounts counts the lines of an import by status.
type ImportCounts struct {
	New       int `json:"new"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Error     int `json:"error"`
}

// ImportReport is the answer to an import, previewed or applied.
type ImportReport struct {
	Lines   []ImportLine `json:"lines"`
	Counts  ImportCounts `json:"counts"`
	Applied bool         `json:"applied"`
}

// Limits of an imported contacts file.
const (
	MaxImportBytes = 2 << 20
	MaxImportLines = 5000
)

// contactRoutes registers the contacts management routes.
func (s *Server) contactRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/addressbook", s.authed(s.listAddressBook))
	m.HandleFunc("POST /api/addressbook", s.authed(s.createContact))
	m.HandleFunc("POST /api/addressbook/import", s.authed(s.importContacts))
	m.HandleFunc("PUT /api/addressbook/{phone}", s.authed(s.updateContact))
	m.HandleFunc("DELETE /api/addressbook/{phone}", s.authed(s.deleteContact))
}

func (s *Server) listAddressBook(w http.ResponseWriter, r *http.Request, c caller) {
	limit, ok := pageLimit(r)
	if !ok {
		writeProblem(w, http.StatusBadRequest, "invalid_limit", "O limite deve estar entre 1 e 200.")
		return
	}
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		writeProblem(w, http.StatusBadRequest, "query_too_long", "A busca é longa demais.")
		return
	}
	list, next, total, err := s.cfg.Backend.AddressBook(r.Context(), c.session.Office, q, r.URL.Query().Get("list"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": nonNil(list), "next": next, "total": total})
}

type addressBookRequest struct {
	Phone     string   `json:"phone"`
	Name      string   `json:"name"`
	Companies []string `json:"companies"`
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request, c caller) {
	var req addressBookRequest
	if !s.decode(w, r, &req) {
		return
	}
	contact, err := s.cfg.Backend.CreateContact(r.Context(), c.session.Office, c.staff, balcao.Contact{Phone: req.Phone, Name: req.Name, Companies: req.Companies})
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"contact": contact})
}

type contactEditRequest struct {
	Name      string   `json:"name"`
	Companies []string `json:"companies"`
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, c caller) {
	var req contactEditRequest
	if !s.decode(w, r, &req) {
		return
	}
	contact, err := s.cfg.Backend.UpdateContact(r.Context(), c.session.Office, c.staff, r.PathValue("phone"), req.Name, req.Companies)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact": contact})
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.cfg.Backend.DeleteContact(r.Context(), c.session.Office, c.staff, r.PathValue("phone")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// importContacts takes a CSV file as the body (text/csv) or as the field "file" of a
// multipart form; with ?preview=1 nothing changes.
func (s *Server) importContacts(w http.ResponseWriter, r *http.Request, c caller) {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host && o != "https://"+r.Host {
		writeProblem(w, http.StatusForbidden, "cross_origin", "Envio de outra origem recusado.")
		return
	}
	data, ok := readImportFile(w, r)
	if !ok {
		return
	}
	rows, err := ParseContactsCSV(data)
	if err != nil {
		var fe *fileError
		if errors.As(err, &fe) {
			writeProblem(w, fe.status, fe.code, fe.message)
			return
		}
		writeError(w, s.log, err)
		return
	}
	preview := r.URL.Query().Get("preview")
	rep, err := s.cfg.Backend.ImportContacts(r.Context(), c.session.Office, c.staff, rows, preview != "1" && preview != "true")
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// readImportFile reads the CSV of an import request, answering the error when it cannot.
func readImportFile(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	tooBig := func() ([]byte, bool) {
		writeProblem(w, http.StatusRequestEntityTooLarge, "file_too_large", "O arquivo tem mais de 2 MB; divida-o em arquivos menores.")
		return nil, false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	switch mt {
	case "text/csv":
		src = r.Body
	case "multipart/form-data":
		// The form's own fields and boundaries add a little to the file.
		r.Body = http.MaxBytesReader(w, r.Body, MaxImportBytes+64<<10)
		mr, err := r.MultipartReader()
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "file_required", "Escolha um arquivo CSV para importar.")
			return nil, false
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return tooBig()
				}
				writeProblem(w, http.StatusBadRequest, "file_required", "Escolha um arquivo CSV para importar.")
				return nil, false
			}
			if p.FormName() == "file" {
				src = p
				break
			}
		}
	default:
		writeProblem(w, http.StatusUnsupportedMediaType, "csv_required", "Envie um arquivo CSV (text/csv, ou o campo file de um formulário).")
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(src, MaxImportBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooBig()
		}
		writeProblem(w, http.StatusBadRequest, "unreadable_body", "Não foi possível receber o arquivo.")
		return nil, false
	}
	if len(data) > MaxImportBytes {
		return tooBig()
	}
	return data, true
}

// fileError is a contacts file that cannot be read at all: nothing of it is applied.
type fileError struct {
	status        int
	code, message string
}

func (e *fileError) Error() string { return e.code }

func unreadable(message string) error {
	return &fileError{status: http.StatusUnprocessableEntity, code: "unreadable_file", message: message}
}

// ParseContactsCSV reads a contacts file: columns telefone, nome and empresas (CNPJs or names,
// several separated by "|", or by the separator the file does not use), separated by ";" or
// ","; an optional header row, whose names may reorder the columns; UTF-8 with or without a
// BOM, or Windows-1252 (Latin-1) as Excel saves it. Blank lines are skipped. The error is a
// *fileError when the file cannot be read.
func ParseContactsCSV(data []byte) ([]ContactRow, error) {
	if len(data) >= 2 && (data[0] == 0xff && data[1] == 0xfe || data[0] == 0xfe && data[1] == 0xff) {
		return nil, unreadable("O arquivo está em UTF-16; salve a planilha como \"CSV (separado por vírgulas)\" ou \"CSV UTF-8\".")
	}
	if strings.HasPrefix(string(data), "PK\x03\x04") || strings.IndexByte(string(data), 0) >= 0 {
		return nil, unreadable("O arquivo não é um CSV (parece uma planilha .xlsx); salve-o como \"CSV UTF-8\" e tente de novo.")
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	if !utf8.ValidString(text) {
		text = decodeWindows1252(text)
	}
	if strings.TrimSpace(text) == "" {
		return nil, unreadable("O arquivo está vazio.")
	}
	if line := unclosedQuote(text); line > 0 {
		return nil, unreadable(fmt.Sprintf("O arquivo não pôde ser lido a partir da linha %d: aspas sem fechamento.", line))
	}
	sep := guessSeparator(text)
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.TrimLeadingSpace = sep, -1, true, true
	cols := [3]int{0, 1, 2} // phone, name, companies
	var rows []ContactRow
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, unreadable(fmt.Sprintf("O arquivo não pôde ser lido a partir da linha %d: aspas sem fechamento.", pe.StartLine))
			}
			return nil, unreadable("O arquivo não pôde ser lido.")
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			blank = blank && rec[i] == ""
		}
		if blank {
			continue
		}
		if first {
			first = false
			// A header has no digit (so no phone) and names at least one known column.
			if h, ok, err := headerColumns(rec); err != nil {
				return nil, err
			} else if ok {
				cols = h
				continue
			}
		}
		if len(rows) == MaxImportLines {
			return nil, &fileError{status: http.StatusRequestEntityTooLarge, code: "too_many_lines",
				message: fmt.Sprintf("O arquivo tem mais de %s contatos; divida-o em arquivos menores.", "5.000")}
		}
		cell := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return rec[i]
		}
		rows = append(rows, ContactRow{Line: line, Phone: cell(cols[0]), Name: cell(cols[1]), Companies: splitCompanies(cell(cols[2]), sep)})
	}
	if len(rows) == 0 {
		return nil, unreadable("O arquivo não tem nenhum contato.")
	}
	return rows, nil
}

// unclosedQuote returns the line where a quote opens that nothing closes, or 0. The reader is
// lenient with quotes (a stray pair inside a cell stays as written) but would otherwise read
// an unclosed quote as one cell running to the end of the file.
func unclosedQuote(text string) int {
	line, opened, open := 1, 0, false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			line++
		case '"':
			if open = !open; open {
				opened = line
			}
		}
	}
	if open {
		return opened
	}
	return 0
}

// guessSeparator picks ';', ',' or tab, whichever the first line has most of outside quotes
// (';' on a tie: Excel in Brazil writes it).
func guessSeparator(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
		} else if r == '\n' && !quoted {
			if len(counts) > 0 {
				break
			}
		} else if !quoted && (r == ';' || r == ',' || r == '\t') {
			counts[r]++
		}
	}
	best := ';'
	for _, r := range []rune{',', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// headerColumns finds the phone, name and companies columns in a header row; ok is false when
// it names none of them.
func headerColumns(rec []string) (cols [3]int, ok bool, err error) {
	cols, known := [3]int{-1, -1, -1}, false
	for i, h := range rec {
		if strings.ContainsAny(h, "0123456789") {
			return cols, false, nil
		}
		h = foldHeader(h)
		var k int
		switch {
		case containsAny(h, "fone", "celular", "whatsapp", "phone", "numero", "tel"):
			k = 0
		case containsAny(h, "empresa", "cnpj", "compan", "client"):
			k = 2
		case containsAny(h, "nome", "name", "contato"):
			k = 1
		default:
			continue
		}
		known = true
		if cols[k] < 0 {
			cols[k] = i
		}
	}
	if !known {
		return cols, false, nil
	}
	if cols[0] < 0 {
		return cols, false, unreadable("O cabeçalho do arquivo não tem a coluna telefone.")
	}
	return cols, true, nil
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// foldHeader lowers a header name and drops the accents Portuguese uses.
func foldHeader(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'á', 'à', 'â', 'ã':
			return 'a'
		case 'é', 'ê':
			return 'e'
		case 'í':
			return 'i'
		case 'ó', 'ô', 'õ':
			return 'o'
		case 'ú', 'ü':
			return 'u'
		case 'ç':
			return 'c'
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// splitCompanies splits a companies cell on '|', line breaks and the separator the file does
// not use between columns.
func splitCompanies(cell string, sep rune) []string {
	if cell == "" {
		return nil
	}
	other := ','
	if sep == ',' {
		other = ';'
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == '\n' || r == '\r' || r == other })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// decodeWindows1252 reads text saved by Excel in Windows-1252 (Latin-1 with typographic
// characters in 0x80–0x9f).
func decodeWindows1252(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xa0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

var cp1252 = [32]rune{
	'€', '\ufffd', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\ufffd', 'Ž', '\ufffd',
	'\ufffd', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\ufffd', 'ž', 'Ÿ',
}
