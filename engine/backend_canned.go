package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// CannedAnswers lists the shared answers and the caller's personal ones, by shortcut.
func (e *Engine) CannedAnswers(_ context.Context, office string, by balcao.Staff) ([]balcao.CannedAnswer, error) {
	all, err := e.db.CannedAnswers(office)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		if c.Owner == "" || c.Owner == by.User {
			out = append(out, c)
		}
	}
	return out, nil
}

// SaveCannedAnswer adds a canned answer: personal (anyone, for themselves) or shared
// (administrators and managers).
func (e *Engine) SaveCannedAnswer(ctx context.Context, office string, by balcao.Staff, c balcao.CannedAnswer, personal bool) (balcao.CannedAnswer, error) {
	if !personal && !canManageClients(by) {
		return c, forbidden("Só administradores e gerentes criam respostas compartilhadas.")
	}
	fields := map[string]string{}
	c.Validate(fields)
	// The shortcut is checked and the answer stored one save at a time: two saves at once both
	// found their shortcut free. The write is waited for even when the request ends first, so
	// that the next save sees it.
	e.canned.Lock()
	defer e.canned.Unlock()
	if len(fields) == 0 {
		existing, err := e.CannedAnswers(ctx, office, by)
		if err != nil {
			return c, err
		}
		for _, x := range existing {
			if x.Shortcut == c.Shortcut {
				fields["shortcut"] = "Já existe uma resposta com este atalho."
			}
		}
	}
	if len(fields) > 0 {
		return c, balcao.Invalid(fields)
	}
	var raw [6]byte
	_, _ = rand.Read(raw[:])
	c.ID, c.CreatedAt, c.Owner = hex.EncodeToString(raw[:]), time.Now(), ""
	if personal {
		c.Owner = by.User
	}
	b := &storage.Batch{}
	b.Put(storage.CannedKey(office, c.ID), &c)
	return c, e.db.Writer.CommitSettled(b)
}

// DeleteCannedAnswer removes a canned answer: one's own, or a shared one by an administrator
// or manager.
func (e *Engine) DeleteCannedAnswer(ctx context.Context, office string, by balcao.Staff, id string) error {
	var c balcao.CannedAnswer
	if err := e.db.Get(storage.CannedKey(office, id), &c); errors.Is(err, balcao.ErrNotFound) {
		return balcao.NewError(balcao.ErrNotFound, "unknown_canned", "Resposta não encontrada.")
	} else if err != nil {
		return fmt.Errorf("load canned answer %s: %w", id, err)
	}
	switch {
	case c.Owner != "" && c.Owner != by.User:
		return balcao.NewError(balcao.ErrNotFound, "unknown_canned", "Resposta não encontrada.")
	case c.Owner == "" && !canManageClients(by):
		return forbidden("Só administradores e gerentes removem respostas compartilhadas.")
	}
	b := &storage.Batch{}
	b.Delete(storage.CannedKey(office, id))
	return e.db.Writer.Commit(ctx, b)
}
