package actors

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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
	o.submit(ctx, b, &Result{Company: &c}, phones, nil)
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
	if m.Unlinked && len(contact.Companies) > 0 {
		msg := "Este telefone já é contato de uma empresa. Só administradores e gerentes mudam as empresas de um contato."
		if contact.Name != "" {
			msg = "Este telefone já é contato de uma empresa: " + contact.Name + ". Só administradores e gerentes mudam as empresas de um contato."
		}
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrConflict, "already_linked", msg)})
		return
	}
	if m.Unlinked && m.Name != "" && contact.Name != "" && m.Name != contact.Name {
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrForbidden, "rename_forbidden",
			"Este contato já se chama "+contact.Name+". Só administradores e gerentes mudam o nome de um contato.")})
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
	o.submit(ctx, b, &Result{Contact: &contact}, []string{contact.Phone}, nil)
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
	o.submit(ctx, b, &Result{Contact: &contact}, []string{contact.Phone}, nil)
}

// saveContact creates a contact or replaces its name and companies (Gerenciar contatos).
func (o *office) saveContact(ctx actor.Context, m *SaveContact) {
	db, c := o.sys.cfg.DB, m.Contact
	fields := map[string]string{}
	c.Companies = slices.Compact(slices.Sorted(slices.Values(c.Companies)))
	for _, id := range c.Companies {
		if _, err := db.Company(o.id, id); errors.Is(err, balcao.ErrNotFound) {
			fields["companies"] = "Empresa não encontrada: " + balcao.Preview(id) + "."
		} else if err != nil {
			ctx.Respond(&Result{Err: fmt.Errorf("load company: %w", err)})
			return
		}
	}
	old, err := db.Contact(o.id, c.Phone)
	switch {
	case err == nil && m.Create:
		fields["phone"] = "Já existe um contato com este telefone."
		if old.Name != "" {
			fields["phone"] = "Já existe um contato com este telefone: " + old.Name + "."
		}
	case errors.Is(err, balcao.ErrNotFound) && !m.Create:
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_contact", "Contato não encontrado.")})
		return
	case err != nil && !errors.Is(err, balcao.ErrNotFound):
		ctx.Respond(&Result{Err: fmt.Errorf("load contact: %w", err)})
		return
	}
	if len(fields) > 0 {
		ctx.Respond(&Result{Err: balcao.Invalid(fields)})
		return
	}
	c.CreatedAt = old.CreatedAt
	if m.Create {
		c.CreatedAt = o.sys.cfg.Now()
	}
	b := &storage.Batch{}
	for _, id := range old.Companies {
		if !slices.Contains(c.Companies, id) {
			b.Delete(storage.CompanyContactKey(o.id, id, c.Phone))
		}
	}
	for _, id := range c.Companies {
		if !slices.Contains(old.Companies, id) {
			b.Set(storage.CompanyContactKey(o.id, id, c.Phone), nil)
		}
	}
	b.Put(storage.ContactKey(o.id, c.Phone), &c)
	o.submit(ctx, b, &Result{Contact: &c}, []string{c.Phone}, nil)
}

// deleteContact removes a contact and its company links; the conversation stays and, told of
// the change, shows the bare phone, unlinked.
func (o *office) deleteContact(ctx actor.Context, m *DeleteContact) {
	old, err := o.sys.cfg.DB.Contact(o.id, m.Phone)
	if errors.Is(err, balcao.ErrNotFound) {
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_contact", "Contato não encontrado.")})
		return
	} else if err != nil {
		ctx.Respond(&Result{Err: fmt.Errorf("load contact: %w", err)})
		return
	}
	b := &storage.Batch{}
	for _, id := range old.Companies {
		b.Delete(storage.CompanyContactKey(o.id, id, old.Phone))
	}
	b.Delete(storage.ContactKey(o.id, old.Phone))
	// The conversation answers the sender once it has reloaded (and found no contact).
	o.submit(ctx, b, &Result{Contact: &balcao.Contact{Phone: old.Phone}}, []string{old.Phone}, nil)
}

// importContacts applies one batch of a contacts import. Only the conversations that run or
// are stored are told: a phone that never wrote loads its contact when it first does.
func (o *office) importContacts(ctx actor.Context, m *ImportContacts) {
	db := o.sys.cfg.DB
	companies, err := db.Companies(o.id)
	if err != nil {
		ctx.Respond(&Result{Err: fmt.Errorf("list companies: %w", err)})
		return
	}
	known := make(map[string]bool, len(companies))
	for _, c := range companies {
		known[c.ID] = true
	}
	var (
		order  []*balcao.Contact
		byP    = map[string]*balcao.Contact{}
		phones []string
		b      = &storage.Batch{}
	)
	for _, in := range m.Contacts {
		for _, id := range in.Companies {
			if !known[id] {
				ctx.Respond(&Result{Err: balcao.Invalid(map[string]string{"companies": "Empresa não encontrada: " + balcao.Preview(id) + "."})})
				return
			}
		}
		c, ok := byP[in.Phone]
		if !ok {
			cur, err := db.Contact(o.id, in.Phone)
			if errors.Is(err, balcao.ErrNotFound) {
				cur = balcao.Contact{Phone: in.Phone, CreatedAt: o.sys.cfg.Now()}
			} else if err != nil {
				ctx.Respond(&Result{Err: fmt.Errorf("load contact: %w", err)})
				return
			}
			cur.Companies = slices.Clone(cur.Companies)
			c = &cur
			byP[in.Phone] = c
			order = append(order, c)
			_, notify := o.convs[in.Phone]
			if !notify {
				if notify, err = db.Has(storage.ConversationKey(o.id, in.Phone)); err != nil {
					ctx.Respond(&Result{Err: fmt.Errorf("check conversation: %w", err)})
					return
				}
			}
			if notify {
				phones = append(phones, in.Phone)
			}
		}
		if in.Name != "" {
			c.Name = in.Name
		}
		for _, id := range in.Companies {
			if !slices.Contains(c.Companies, id) {
				c.Companies = append(c.Companies, id)
				b.Set(storage.CompanyContactKey(o.id, id, c.Phone), nil)
			}
		}
	}
	changed := make([]string, len(order))
	for i, c := range order {
		b.Put(storage.ContactKey(o.id, c.Phone), c)
		changed[i] = c.Phone
	}
	o.submit(ctx, b, &Result{}, phones, changed)
}

// changeClients runs a company or contact change.
func (o *office) changeClients(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *SaveCompany:
		o.saveCompany(ctx, m)
	case *AddContact:
		o.addContact(ctx, m)
	case *RemoveContactCompany:
		o.removeContactCompany(ctx, m)
	case *SaveContact:
		o.saveContact(ctx, m)
	case *DeleteContact:
		o.deleteContact(ctx, m)
	case *ImportContacts:
		o.importContacts(ctx, m)
	}
}

// settleClients waits for the company and contact batches still in the writer: a change reads
// the stored contacts and companies to compute its own, and must see the ones before it.
func (o *office) settleClients() error {
	if o.clientWrites == 0 {
		return nil
	}
	return barrier(o.sys.cfg.DB)
}

// submit writes a client change; once durable, clientsSaved tells the conversations of notify,
// which reload it, and the staff's screens (contacts.changed) of the contacts changed: notify
// when nil (an import changes contacts that have no conversation to tell).
func (o *office) submit(ctx actor.Context, b *storage.Batch, r *Result, notify, changed []string) {
	if changed == nil {
		changed = notify
	}
	self, sender, root := ctx.Self(), ctx.Sender(), o.sys.as.Root
	o.nextGen++
	gen := o.nextGen
	b.Set(storage.ContactsGenKey(o.id), seqBytes(gen))
	if err := o.sys.cfg.DB.Writer.Submit(b, func(err error) {
		root.Send(self, &clientsSaved{result: r, phones: notify, changed: changed, gen: gen, err: err, sender: sender})
	}); err != nil {
		ctx.Respond(&Result{Err: err})
		return
	}
	o.clientWrites++
}

// clientsSaved updates the conversations of the phones; the conversation of a single phone
// answers the sender itself, once its own record is updated.
func (o *office) clientsSaved(ctx actor.Context, m *clientsSaved) {
	o.clientWrites--
	if m.err == nil {
		o.contactGen = max(o.contactGen, m.gen)
	}
	if m.err != nil || o.stopping {
		o.sys.as.Root.Send(m.sender, &Result{Err: cmp.Or(m.err, balcao.ErrClosed)})
		return
	}
	o.publishClients(m)
	if len(m.phones) == 1 && m.result.Contact != nil {
		c := o.conversation(ctx, m.phones[0])
		c.forwarded++
		ctx.RequestWithCustomSender(c.pid, &contactChanged{contact: *m.result.Contact, gen: m.gen}, m.sender)
		return
	}
	for _, p := range m.phones {
		c := o.conversation(ctx, p)
		c.forwarded++
		ctx.Send(c.pid, &contactChanged{gen: m.gen})
	}
	o.sys.as.Root.Send(m.sender, m.result)
}

// publishClients tells the staff's screens that companies or contacts changed.
func (o *office) publishClients(m *clientsSaved) {
	ev := balcao.ContactsChanged{Phones: m.changed[:min(len(m.changed), balcao.MaxChangedPhones)], Count: len(m.changed)}
	if ev.Phones == nil {
		ev.Phones = []string{}
	}
	if m.result.Company != nil {
		ev.Company = m.result.Company.ID
	}
	o.sys.cfg.Publisher.Publish(o.id, balcao.EventContactsChanged, ev)
}

// loadContactGen reads the office's contacts generation: 1 when no change ever wrote one (the
// conversation records then hold what their loads read). When it cannot be read, no copy is
// trusted until the next change, which writes a generation surely bigger than the stored one.
func (o *office) loadContactGen() {
	var raw []byte
	var err error
	if o.restarted {
		// A change of the failed instance may still be in the writer: once stored, its
		// generation is the one to go on from, not to write again.
		err = barrier(o.sys.cfg.DB)
	}
	if err == nil {
		raw, err = o.sys.cfg.DB.Value(storage.ContactsGenKey(o.id))
	}
	switch {
	case errors.Is(err, balcao.ErrNotFound):
		o.contactGen = 1
	case err == nil && len(raw) == 8:
		o.contactGen = binary.BigEndian.Uint64(raw)
	default:
		o.sys.cfg.Log.Warn("contacts generation unreadable: conversations read their contacts", "office", o.id, "err", err)
		o.contactGen, o.nextGen = 0, uint64(time.Now().UnixNano())
		return
	}
	o.nextGen = o.contactGen
}

// uniqueSlug makes an id from a name: lower case ASCII words joined by '-', unique by taken.
func uniqueSlug(name string, taken func(string) bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		r = balcao.FoldAccent(r)
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
