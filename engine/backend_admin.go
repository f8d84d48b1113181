package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
)

// Client enablement (companies and contacts) is for administrators and managers; staff
// accounts are for administrators only. The server enforces it here, whatever the UI shows.

func forbidden(message string) error {
	return balcao.NewError(balcao.ErrForbidden, "forbidden", message)
}

func canManageClients(s balcao.Staff) bool {
	return s.Role == balcao.RoleAdmin || s.Role == balcao.RoleManager
}

// SaveCompany creates (empty ID) or updates a company.
func (e *Engine) SaveCompany(ctx context.Context, office string, by balcao.Staff, c balcao.Company) (balcao.Company, error) {
	if !canManageClients(by) {
		return balcao.Company{}, forbidden("Só administradores e gerentes cadastram empresas.")
	}
	r, err := e.actors.Request(ctx, office, &actors.SaveCompany{Company: c})
	if err != nil {
		return balcao.Company{}, err
	}
	return *r.Company, nil
}

// Contacts lists the contacts of a company, or of the whole office when company is empty.
func (e *Engine) Contacts(_ context.Context, office, company string) ([]balcao.Contact, error) {
	if company == "" {
		return e.db.Contacts(office)
	}
	if _, err := e.db.Company(office, company); errors.Is(err, balcao.ErrNotFound) {
		return nil, balcao.NewError(balcao.ErrNotFound, "unknown_company", "Empresa não encontrada.")
	} else if err != nil {
		return nil, fmt.Errorf("load company %s: %w", company, err)
	}
	phones, err := e.db.CompanyContacts(office, company)
	if err != nil {
		return nil, err
	}
	out := make([]balcao.Contact, 0, len(phones))
	for _, p := range phones {
		c, err := e.db.Contact(office, p)
		if errors.Is(err, balcao.ErrNotFound) {
			continue // removed since the company's index was read
		} else if err != nil {
			return nil, fmt.Errorf("load contact: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// AddContact makes a phone a contact of companies.
func (e *Engine) AddContact(ctx context.Context, office string, by balcao.Staff, phone, name string, companies []string) (balcao.Contact, error) {
	if !canManageClients(by) {
		return balcao.Contact{}, forbidden("Só administradores e gerentes cadastram contatos.")
	}
	p, err := balcao.NormalizePhone(phone)
	fields := map[string]string{}
	if err != nil {
		fields["phone"] = "Número de telefone inválido."
	}
	if len(name) > 200 {
		fields["name"] = "O nome é longo demais."
	}
	if len(companies) == 0 {
		fields["companies"] = "Escolha ao menos uma empresa."
	}
	if len(fields) > 0 {
		return balcao.Contact{}, balcao.Invalid(fields)
	}
	r, err := e.actors.Request(ctx, office, &actors.AddContact{Phone: p, Name: strings.TrimSpace(name), Companies: companies})
	if err != nil {
		return balcao.Contact{}, err
	}
	return *r.Contact, nil
}

// RemoveContactCompany removes a company from a contact.
func (e *Engine) RemoveContactCompany(ctx context.Context, office string, by balcao.Staff, phone, company string) error {
	if !canManageClients(by) {
		return forbidden("Só administradores e gerentes alteram contatos.")
	}
	p, err := balcao.NormalizePhone(phone)
	if err != nil {
		return balcao.NewError(balcao.ErrNotFound, "unknown_contact", "Contato não encontrado.")
	}
	_, err = e.actors.Request(ctx, office, &actors.RemoveContactCompany{Phone: p, Company: company})
	return err
}

// StaffList lists the office's staff (names and roles, for every staff member to see).
func (e *Engine) StaffList(_ context.Context, office string) ([]balcao.Staff, error) {
	return e.db.StaffList(office)
}

var validUser = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// SaveStaff creates or updates a staff account; administrators only. An empty password keeps
// the current one (and is refused for a new account).
func (e *Engine) SaveStaff(ctx context.Context, office string, by balcao.Staff, s balcao.Staff, password string, create bool) (balcao.Staff, error) {
	if by.Role != balcao.RoleAdmin {
		return balcao.Staff{}, forbidden("Só administradores gerenciam a equipe.")
	}
	s.Name = strings.TrimSpace(s.Name)
	fields := map[string]string{}
	if !validUser.MatchString(s.User) {
		fields["user"] = "Use de 1 a 40 letras minúsculas, números, ponto, hífen ou sublinhado."
	}
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 100 {
		fields["name"] = "Informe o nome (até 100 caracteres)."
	}
	if s.Role != balcao.RoleAdmin && s.Role != balcao.RoleManager && s.Role != balcao.RoleAttendant {
		fields["role"] = "Escolha administrador, gerente ou atendente."
	}
	if (create || password != "") && (len(password) < 8 || len(password) > 72) {
		fields["password"] = "A senha deve ter de 8 a 72 caracteres."
	}
	var hash []byte // before the lock: bcrypt takes tens of milliseconds
	if password != "" && len(fields) == 0 {
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost); err != nil {
			return balcao.Staff{}, fmt.Errorf("hash password: %w", err)
		}
	}
	// The departments checked stay in the settings until the account is stored (SaveSettings
	// refuses to remove a department an account has).
	mu := e.teams.of(office)
	mu.Lock()
	defer mu.Unlock()
	settings, err := e.db.Settings(office)
	if err != nil {
		return balcao.Staff{}, err
	}
	for _, d := range s.Departments {
		if _, ok := settings.Department(d); !ok {
			fields["departments"] = "Setor desconhecido: " + balcao.Preview(d) + "."
		}
	}
	old, err := e.db.Staff(office, s.User)
	switch {
	case err == nil && create:
		fields["user"] = "Já existe alguém com este usuário."
	case errors.Is(err, balcao.ErrNotFound) && !create:
		return balcao.Staff{}, balcao.NewError(balcao.ErrNotFound, "unknown_staff", "Pessoa da equipe não encontrada.")
	case err != nil && !errors.Is(err, balcao.ErrNotFound):
		return balcao.Staff{}, err
	}
	if !create && by.User == s.User && s.Role != balcao.RoleAdmin {
		fields["role"] = "Você não pode tirar seu próprio acesso de administrador."
	}
	if len(fields) > 0 {
		return balcao.Staff{}, balcao.Invalid(fields)
	}
	s.PasswordHash, s.CreatedAt, s.Stamp = old.PasswordHash, old.CreatedAt, old.Stamp
	if create {
		s.CreatedAt = time.Now()
	}
	if password != "" {
		s.PasswordHash = hash
		s.Stamp = newStamp() // every session of the account ends (a new account's: none of an old one's)
	}
	if err := e.db.PutStaff(ctx, office, s); err != nil {
		return balcao.Staff{}, err
	}
	if !create && (password != "" || old.Role != s.Role || !slices.Equal(old.Departments, s.Departments)) {
		// Their sockets reconnect and reload what they may see now, or, after a new
		// password, find their session ended.
		e.hub.DropUser(office, s.User)
	}
	return s, nil
}

// DeleteStaff removes a staff account; their sessions stop working at once, and stay dead
// when an account of the same user name is made again (it has another stamp).
func (e *Engine) DeleteStaff(ctx context.Context, office string, by balcao.Staff, user string) error {
	if by.Role != balcao.RoleAdmin {
		return forbidden("Só administradores gerenciam a equipe.")
	}
	if user == by.User {
		return balcao.NewError(balcao.ErrConflict, "cannot_delete_self", "Você não pode remover a si mesmo.")
	}
	// The carteira checked stays without them until the account is gone (SaveSettings refuses
	// a carteira naming an account that is not there).
	mu := e.teams.of(office)
	mu.Lock()
	defer mu.Unlock()
	st, err := e.db.Staff(office, user)
	if errors.Is(err, balcao.ErrNotFound) {
		return balcao.NewError(balcao.ErrNotFound, "unknown_staff", "Pessoa da equipe não encontrada.")
	} else if err != nil {
		return fmt.Errorf("load staff %s: %w", user, err)
	}
	// The carteira naming a removed account would hide its companies' conversations from
	// every attendant (balcao.InScope): it is emptied of them first, in Preferências.
	settings, err := e.db.Settings(office)
	if err != nil {
		return fmt.Errorf("load settings: %w", err)
	}
	for _, p := range settings.Portfolio {
		if p.Staff == user {
			return balcao.NewError(balcao.ErrConflict, "staff_in_portfolio",
				st.Name+" ainda responde por empresas na carteira: tire-o da carteira em Preferências antes de removê-lo.")
		}
	}
	if err := e.db.DeleteStaff(ctx, office, user); err != nil {
		return err
	}
	e.hub.DropUser(office, user)
	return nil
}
