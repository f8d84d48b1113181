package actors

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// The office actor owns its companies and contacts: every change goes through it, one at a
// time, and once durable the conversations of the phones involved reload their contact.

func (o *office) saveCompany(ctx actor.Context, m *SaveCompany) {
	db, c := o.sys.cfg.DB, m.Company
	c.Name = strings.TrimSpace(c.Name)
	fields := map[string]string{}
	if c.Name == "" || len(c.Name) > 200 {
		fields["name"] = "Informe o nome da empresa (até 200 caracteres)."
	}
	cnpj, err := balcao.NormalizeCNPJ(c.CNPJ)
	if err != nil {
		fields["cnpj"] = "CNPJ inválido."
	}
	c.CNPJ = cnpj
	all, err := db.Companies(o.id)
	if err != nil {
		ctx.Respond(&Result{Err: fmt.Errorf("list companies: %w", err)})
		return
	}
	creating := c.ID == ""
	var old *balcao.Company
	for i := range all {
		if all[i].ID == c.ID {
			old = &all[i]
		} else if cnpj != "" && all[i].CNPJ == cnpj {
			fields["cnpj"] = "Já existe uma empresa com este CNPJ: " + all[i].Name + "."
		}
	}
	if !creating && old == nil {
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_company", "Empresa não encontrada.")})
		return
	}
	if len(fields) > 0 {
		ctx.Respond(&Result{Err: balcao.Invalid(fields)})
		return
	}
	if creating {
		c.ID = uniqueSlug(c.Name, func(id string) bool {
			return slices.ContainsFunc(all, func(x balcao.Company) bool { return x.ID == id })
		})
		c.CreatedAt = o.sys.cfg.Now()
	} else {
		c.CreatedAt = old.CreatedAt
	}
	b := &storage.Batch{}
	b.Put(storage.CompanyKey(o.id, c.ID), &c)
	var phones []string
	if !creating {
		if phones, err = db.CompanyContacts(o.id, c.ID); err != nil {
			ctx.Respond(&Result{Err: fmt.Errorf("list company contacts: %w", err)})
			return
		}
	}
	o.submit(ctx, b, &Result{Company: &c}, phones)
}

func (o *office) addContact(ctx actor.Context, m *AddContact) {
	db := o.sys.cfg.DB
	for _, id := range m.Companies {
		if _, err := db.Company(o.id, id); err != nil {
			ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_company", "Empresa não encontrada.")})
			return
		}
	}
	contact, err := db.Contact(o.id, m.Phone)
	if errors.Is(err, balcao.ErrNotFound) {
		contact = balcao.Contact{Phone: m.Phone, CreatedAt: o.sys.cfg.Now()}
	} else if err != nil {
		ctx.Respond(&Result{Err: fmt.Errorf("load contact: %w", err)})
		return
	}
	if m.Name != "" {
		contact.Name = m.Name
	}
	b := &storage.Batch{}
	contact.Companies = slices.Clone(contact.Companies)
	for _, id := range m.Companies {
		if !slices.Contains(contact.Companies, id) {
			contact.Companies = append(contact.Companies, id)
			b.Set(storage.CompanyContactKey(o.id, id, contact.Phone), nil)
		}
	}
	b.Put(storage.ContactKey(o.id, contact.Phone), &contact)
	o.submit(ctx, b, &Result{Contact: &contact}, []string{contact.Phone})
}

func (o *office) removeContactCompany(ctx actor.Context, m *RemoveContactCompany) {
	contact, err := o.sys.cfg.DB.Contact(o.id, m.Phone)
	if err != nil || !slices.Contains(contact.Companies, m.Company) {
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_contact", "Contato não encontrado nesta empresa.")})
		return
	}
	contact.Companies = slices.DeleteFunc(slices.Clone(contact.Companies), func(id string) bool { return id == m.Company })
	b := &storage.Batch{}
	b.Put(storage.ContactKey(o.id, contact.Phone), &contact)
	b.Delete(storage.CompanyContactKey(o.id, m.Company, contact.Phone))
	o.submit(ctx, b, &Result{Contact: &contact}, []string{contact.Phone})
}

// submit writes a client change; once durable, clientsSaved tells the phones' conversations.
func (o *office) submit(ctx actor.Context, b *storage.Batch, r *Result, phones []string) {
	self, sender, root := ctx.Self(), ctx.Sender(), o.sys.as.Root
	if err := o.sys.cfg.DB.Writer.Submit(b, func(err error) {
		root.Send(self, &clientsSaved{result: r, phones: phones, err: err, sender: sender})
	}); err != nil {
		ctx.Respond(&Result{Err: err})
	}
}

// clientsSaved updates the conversations of the phones; the conversation of a single phone
// answers the sender itself, once its own record is updated.
func (o *office) clientsSaved(ctx actor.Context, m *clientsSaved) {
	if m.err != nil || o.stopping {
		o.sys.as.Root.Send(m.sender, &Result{Err: cmp.Or(m.err, balcao.ErrClosed)})
		return
	}
	if len(m.phones) == 1 && m.result.Contact != nil {
		c := o.conversation(ctx, m.phones[0])
		c.forwarded++
		ctx.RequestWithCustomSender(c.pid, &contactChanged{contact: *m.result.Contact}, m.sender)
		return
	}
	for _, p := range m.phones {
		c := o.conversation(ctx, p)
		c.forwarded++
		ctx.Send(c.pid, &contactChanged{})
	}
	o.sys.as.Root.Send(m.sender, m.result)
}

// uniqueSlug makes an id from a name: lower case ASCII words joined by '-', unique by taken.
func uniqueSlug(name string, taken func(string) bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		r = foldAccent(r)
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	base := b.String()
	if base == "" {
		base = "empresa"
	}
	id := base
	for n := 2; taken(id); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

func foldAccent(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ã', 'ä':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'õ', 'ö':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	}
	return r
}
