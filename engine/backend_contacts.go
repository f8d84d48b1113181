package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/ui"
)

// Contacts management (Gerenciar contatos): every contact of the office, with or without
// companies. Lists read storage; changes go through the office actor, which tells the open
// conversations. Administrators and managers change contacts; every staff member lists them.

// importBatch is how many import lines go to the office actor (and to disk) at once.
const importBatch = 500

// AddressBook lists the contacts matching q, ordered by name (then phone), after the cursor.
// It reads every contact of the office (a few thousand decode in milliseconds) rather than
// keep a name index.
func (e *Engine) AddressBook(_ context.Context, office, q, list, cursor string, limit int) ([]balcao.Contact, string, int, error) {
	after, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, "", 0, balcao.NewError(balcao.ErrInvalid, "invalid_cursor", "Parâmetro cursor inválido.")
	}
	inList := func(balcao.Contact) bool { return true }
	if list != "" {
		bl, err := e.db.BroadcastList(office, list)
		if errors.Is(err, balcao.ErrNotFound) {
			return nil, "", 0, balcao.NewError(balcao.ErrNotFound, "unknown_list", "Lista não encontrada.")
		}
		if err != nil {
			return nil, "", 0, err
		}
		inList = func(c balcao.Contact) bool {
			return slices.Contains(bl.Contacts, c.Phone) || slices.ContainsFunc(c.Companies, func(id string) bool { return slices.Contains(bl.Companies, id) })
		}
	}
	contacts, err := e.db.Contacts(office)
	if err != nil {
		return nil, "", 0, fmt.Errorf("list contacts: %w", err)
	}
	companies, err := e.db.Companies(office)
	if err != nil {
		return nil, "", 0, fmt.Errorf("list companies: %w", err)
	}
	byID := make(map[string]balcao.Company, len(companies))
	for _, c := range companies {
		byID[c.ID] = c
	}
	words, digits := foldName(q), onlyDigits(q)
	type entry struct {
		key string
		c   balcao.Contact
	}
	var found []entry
	for _, c := range contacts {
		if (q == "" || matchContact(c, byID, words, digits)) && inList(c) {
			found = append(found, entry{contactSortKey(c), c})
		}
	}
	slices.SortFunc(found, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	i, _ := slices.BinarySearchFunc(found, string(after), func(e entry, k string) int {
		if e.key <= k {
			return -1
		}
		return 1
	})
	page := found[i:min(i+limit, len(found))]
	out := make([]balcao.Contact, len(page))
	for j, en := range page {
		out[j] = withCompanies(en.c)
	}
	next := ""
	if i+limit < len(found) {
		next = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].key))
	}
	return out, next, len(found), nil
}

// contactSortKey orders contacts by folded name, nameless ones last, then by phone.
func contactSortKey(c balcao.Contact) string {
	name := foldName(c.Name)
	if name == "" {
		name = "\xff"
	}
	return name + "\x00" + c.Phone
}

func matchContact(c balcao.Contact, byID map[string]balcao.Company, words, digits string) bool {
	if words != "" && strings.Contains(foldName(c.Name), words) {
		return true
	}
	if digits != "" && strings.Contains(c.Phone, digits) {
		return true
	}
	for _, id := range c.Companies {
		co := byID[id]
		if words != "" && strings.Contains(foldName(co.Name), words) || digits != "" && strings.Contains(co.CNPJ, digits) {
			return true
		}
	}
	return false
}

// withCompanies makes a contact's companies encode as [] rather than null.
func withCompanies(c balcao.Contact) balcao.Contact {
	if c.Companies == nil {
		c.Companies = []string{}
	}
	return c
}

// contactFields checks a contact's name, adding what is wrong to fields.
func contactFields(name string, fields map[string]string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		fields["name"] = "Informe o nome do contato."
	case utf8.RuneCountInString(name) > 200 || !utf8.ValidString(name):
		fields["name"] = "O nome deve ter até 200 caracteres."
	}
	return name
}

// CreateContact adds a contact; one with no company is someone who is not a client user.
func (e *Engine) CreateContact(ctx context.Context, office string, by balcao.Staff, c balcao.Contact) (balcao.Contact, error) {
	if !canManageClients(by) {
		return balcao.Contact{}, forbidden("Só administradores e gerentes cadastram contatos.")
	}
	fields := map[string]string{}
	p, err := balcao.NormalizePhone(c.Phone)
	if err != nil {
		fields["phone"] = "Telefone inválido: informe o DDD e o número, como (48) 99999-0001."
	}
	name := contactFields(c.Name, fields)
	if len(fields) > 0 {
		return balcao.Contact{}, balcao.Invalid(fields)
	}
	r, err := e.actors.Request(ctx, office, &actors.SaveContact{Contact: balcao.Contact{Phone: p, Name: name, Companies: c.Companies}, Create: true})
	if err != nil {
		return balcao.Contact{}, err
	}
	return withCompanies(*r.Contact), nil
}

// UpdateContact replaces a contact's name and companies; the phone is its identity.
func (e *Engine) UpdateContact(ctx context.Context, office string, by balcao.Staff, phone, name string, companies []string) (balcao.Contact, error) {
	if !canManageClients(by) {
		return balcao.Contact{}, forbidden("Só administradores e gerentes alteram contatos.")
	}
	p, err := balcao.NormalizePhone(phone)
	if err != nil {
		return balcao.Contact{}, balcao.NewError(balcao.ErrNotFound, "unknown_contact", "Contato não encontrado.")
	}
	fields := map[string]string{}
	name = contactFields(name, fields)
	if len(fields) > 0 {
		return balcao.Contact{}, balcao.Invalid(fields)
	}
	r, err := e.actors.Request(ctx, office, &actors.SaveContact{Contact: balcao.Contact{Phone: p, Name: name, Companies: companies}})
	if err != nil {
		return balcao.Contact{}, err
	}
	return withCompanies(*r.Contact), nil
}

// DeleteContact removes a contact; its conversation and messages stay, unlinked.
func (e *Engine) DeleteContact(ctx context.Context, office string, by balcao.Staff, phone string) error {
	if !canManageClients(by) {
		return forbidden("Só administradores e gerentes removem contatos.")
	}
	p, err := balcao.NormalizePhone(phone)
	if err != nil {
		return balcao.NewError(balcao.ErrNotFound, "unknown_contact", "Contato não encontrado.")
	}
	_, err = e.actors.Request(ctx, office, &actors.DeleteContact{Phone: p})
	return err
}

// ImportContacts checks every row of a contacts file and, when apply is set, applies the valid
// ones in batches of importBatch through the office actor. A new contact gets the row's name
// and companies; an existing one gets the name (when the row has one) and the companies added
// to its own, so importing the same file twice changes nothing the second time. When a batch
// fails the ones before it stay applied and the error is returned: repeating the import
// finishes it.
func (e *Engine) ImportContacts(ctx context.Context, office string, by balcao.Staff, rows []ui.ContactRow, apply bool) (ui.ImportReport, error) {
	if !canManageClients(by) {
		return ui.ImportReport{}, forbidden("Só administradores e gerentes importam contatos.")
	}
	companies, err := e.db.Companies(office)
	if err != nil {
		return ui.ImportReport{}, fmt.Errorf("list companies: %w", err)
	}
	find := companyFinder(companies)
	rep := ui.ImportReport{Lines: make([]ui.ImportLine, 0, len(rows))}
	seen := make(map[string]int, len(rows)) // phone → first line
	var valid []balcao.Contact
	for _, row := range rows {
		l := ui.ImportLine{Line: row.Line, Phone: row.Phone, Name: strings.TrimSpace(row.Name), Companies: []balcao.CompanyRef{}}
		var errs []string
		p, err := balcao.NormalizePhone(row.Phone)
		switch {
		case row.Phone == "":
			errs = append(errs, "Informe o telefone")
		case err != nil:
			errs = append(errs, "Telefone inválido")
		default:
			l.Phone = p
			if first, dup := seen[p]; dup {
				errs = append(errs, fmt.Sprintf("Telefone repetido na linha %d", first))
			} else {
				seen[p] = row.Line
			}
		}
		if utf8.RuneCountInString(l.Name) > 200 {
			errs = append(errs, "Nome longo demais (até 200 caracteres)")
		}
		ids := make([]string, 0, len(row.Companies))
		for _, cell := range row.Companies {
			co, msg := find(cell)
			if msg != "" {
				errs = append(errs, msg)
				continue
			}
			if !slices.Contains(ids, co.ID) {
				ids = append(ids, co.ID)
				l.Companies = append(l.Companies, balcao.CompanyRef{ID: co.ID, Name: co.Name, CNPJ: co.CNPJ})
			}
		}
		if len(errs) == 0 {
			old, err := e.db.Contact(office, p)
			switch {
			case errors.Is(err, balcao.ErrNotFound):
				if l.Name == "" {
					errs = append(errs, "Informe o nome do novo contato")
				}
				l.Status = ui.ImportNew
			case err != nil:
				return ui.ImportReport{}, fmt.Errorf("load contact: %w", err)
			case (l.Name == "" || l.Name == old.Name) && !slices.ContainsFunc(ids, func(id string) bool { return !slices.Contains(old.Companies, id) }):
				l.Status = ui.ImportUnchanged
			default:
				l.Status = ui.ImportUpdate
			}
		}
		if len(errs) > 0 {
			l.Status, l.Error = ui.ImportError, strings.Join(errs, "; ")
		}
		switch l.Status {
		case ui.ImportNew:
			rep.Counts.New++
		case ui.ImportUpdate:
			rep.Counts.Update++
		case ui.ImportUnchanged:
			rep.Counts.Unchanged++
		default:
			rep.Counts.Error++
		}
		if l.Status == ui.ImportNew || l.Status == ui.ImportUpdate {
			valid = append(valid, balcao.Contact{Phone: p, Name: l.Name, Companies: ids})
		}
		rep.Lines = append(rep.Lines, l)
	}
	if !apply {
		return rep, nil
	}
	for batch := range slices.Chunk(valid, importBatch) {
		if _, err := e.actors.Request(ctx, office, &actors.ImportContacts{Contacts: batch}); err != nil {
			return ui.ImportReport{}, fmt.Errorf("import contacts: %w", err)
		}
	}
	rep.Applied = true
	return rep, nil
}

// companyFinder finds a company of an import by CNPJ (any punctuation), id or name (case,
// accents and punctuation aside); a miss gives the Portuguese message for the line.
func companyFinder(companies []balcao.Company) func(cell string) (balcao.Company, string) {
	byCNPJ := map[string]balcao.Company{}
	byID := map[string]balcao.Company{}
	byName := map[string][]balcao.Company{}
	for _, c := range companies {
		byCNPJ[c.CNPJ], byID[c.ID] = c, c
		byName[foldName(c.Name)] = append(byName[foldName(c.Name)], c)
	}
	return func(cell string) (balcao.Company, string) {
		if d := onlyDigits(cell); len(d) >= 8 && strings.Trim(cell, "0123456789./- ") == "" {
			if c, ok := byCNPJ[d]; ok {
				return c, ""
			}
			return balcao.Company{}, "Empresa não encontrada: " + cell
		}
		if c, ok := byID[cell]; ok {
			return c, ""
		}
		switch list := byName[foldName(cell)]; len(list) {
		case 1:
			return list[0], ""
		case 0:
			return balcao.Company{}, "Empresa não encontrada: " + cell
		}
		return balcao.Company{}, "Há mais de uma empresa chamada " + cell + "; use o CNPJ"
	}
}

// foldName is a name for comparing: lower case, without accents, runs of anything but letters
// and digits as one space.
func foldName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		r = balcao.FoldAccent(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
