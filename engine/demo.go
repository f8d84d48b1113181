package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// DemoOffice is the id of the demo office.
const DemoOffice = "demo"

// demoPasswordFile keeps a generated demo password so that every start can print it.
const demoPasswordFile = "demo-password"

type demoCompany struct {
	id, name, cnpjBase string
	assistant          bool
}

var demoCompanies = []demoCompany{
	{"padaria-pao-quente", "Padaria Pão Quente Ltda", "123456780001", true},
	{"auto-mecanica-sul", "Auto Mecânica Sul Ltda", "234567890001", true},
	{"clinica-vida", "Clínica Vida Saudável ME", "345678900001", true},
	{"tech-floripa", "Tech Floripa Sistemas Ltda", "456789010001", true},
	{"construtora-ilha", "Construtora Ilha Bela S.A.", "567890120001", false},
}

var demoContacts = []balcao.Contact{
	{Phone: "5548999990001", Name: "Carlos Souza", Companies: []string{"padaria-pao-quente"}},
	{Phone: "5548999990002", Name: "Mariana Lima", Companies: []string{"auto-mecanica-sul", "clinica-vida"}},
	{Phone: "5548999990003", Name: "João Pereira", Companies: []string{"tech-floripa"}},
	{Phone: "5548999990004", Name: "Fernanda Costa", Companies: []string{"construtora-ilha"}},
}

var demoStaff = []balcao.Staff{
	{User: "admin", Name: "Administrador", Role: balcao.RoleAdmin},
	{User: "ana", Name: "Ana Ribeiro", Role: balcao.RoleAttendant},
	{User: "bruno", Name: "Bruno Alves", Role: balcao.RoleAttendant},
}

// seedDemo creates the demo office unless it exists, and returns the demo users' password and
// whether it created the office. Seeding is idempotent: when the office exists nothing is
// written (password is not applied: the users keep theirs), and the password returned is the
// one saved at the first seed, or none when one was given then.
func seedDemo(ctx context.Context, db *storage.DB, dataDir, password string) (string, bool, error) {
	pwFile := filepath.Join(dataDir, demoPasswordFile)
	if _, err := db.Office(DemoOffice); err == nil {
		saved, err := os.ReadFile(pwFile)
		if err != nil {
			return "", false, nil // seeded with a password given on the command line: not ours to print
		}
		return strings.TrimSpace(string(saved)), false, nil
	} else if !errors.Is(err, balcao.ErrNotFound) {
		return "", false, err
	}
	if password == "" {
		var raw [9]byte
		_, _ = rand.Read(raw[:])
		password = base64.RawURLEncoding.EncodeToString(raw[:])
		// Durably, before the office: an office whose password file a power cut emptied would
		// start with a password nobody can read.
		if err := storage.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
			return "", false, fmt.Errorf("save demo password: %w", err)
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", false, fmt.Errorf("hash demo password: %w", err)
	}
	now := time.Now()
	spec := OfficeSpec{Office: balcao.Office{ID: DemoOffice, Name: "Escritório Demo", CreatedAt: now}}
	for _, c := range demoCompanies {
		spec.Companies = append(spec.Companies, balcao.Company{
			ID: c.id, Name: c.name, CNPJ: balcao.CNPJCheckDigits(c.cnpjBase),
			Enabled: true, UseAssistant: c.assistant, CreatedAt: now,
		})
	}
	for _, c := range demoContacts {
		c.CreatedAt = now
		spec.Contacts = append(spec.Contacts, c)
	}
	for _, s := range demoStaff {
		s.PasswordHash, s.CreatedAt = hash, now
		spec.Staff = append(spec.Staff, s)
	}
	if err := writeOffice(ctx, db, spec); err != nil {
		return "", false, err
	}
	return password, true, nil
}

// OfficeSpec is everything a new office starts with.
type OfficeSpec struct {
	Office    balcao.Office
	Companies []balcao.Company
	Contacts  []balcao.Contact // phones already normalized
	Staff     []balcao.Staff   // with PasswordHash set
}

// writeOffice stores a new office in one durable batch. The office record is in the same
// batch as everything else, so its presence means the office is complete.
func writeOffice(ctx context.Context, db *storage.DB, spec OfficeSpec) error {
	id := spec.Office.ID
	b := &storage.Batch{}
	for i := range spec.Companies {
		b.Put(storage.CompanyKey(id, spec.Companies[i].ID), &spec.Companies[i])
	}
	for i := range spec.Contacts {
		c := &spec.Contacts[i]
		b.Put(storage.ContactKey(id, c.Phone), c)
		for _, co := range c.Companies {
			b.Set(storage.CompanyContactKey(id, co, c.Phone), nil)
		}
	}
	for _, s := range spec.Staff {
		if s.Stamp == "" {
			s.Stamp = newStamp()
		}
		b.Put(storage.StaffKey(id, s.User), &s)
	}
	b.Put(storage.OfficeKey(id), &spec.Office)
	return db.Writer.Commit(ctx, b)
}

// CreateOffice stores a new office and starts its actors. It fails with balcao.ErrConflict
// when the office exists.
func (e *Engine) CreateOffice(ctx context.Context, spec OfficeSpec) error {
	if _, err := e.db.Office(spec.Office.ID); err == nil {
		return fmt.Errorf("office %s: %w", spec.Office.ID, balcao.ErrConflict)
	} else if !errors.Is(err, balcao.ErrNotFound) {
		return err
	}
	if err := writeOffice(ctx, e.db, spec); err != nil {
		return fmt.Errorf("store office %s: %w", spec.Office.ID, err)
	}
	if err := e.actors.EnsureOffice(spec.Office.ID); err != nil {
		return err
	}
	e.awaitSimSession(ctx, spec.Office.ID)
	return nil
}
