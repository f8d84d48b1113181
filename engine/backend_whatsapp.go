package engine

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/balcao/balcao"
)

// WhatsAppStatus is the state of the office's WhatsApp connection as by may see it: the QR
// code only for administrators.
func (e *Engine) WhatsAppStatus(ctx context.Context, office string, by balcao.Staff) (balcao.WhatsAppStatus, error) {
	s, err := e.actors.Session(ctx, office)
	if err != nil {
		return balcao.WhatsAppStatus{State: balcao.WhatsAppConnecting}, nil
	}
	return s.Status().For(&by), nil
}

// PairPhone asks for a pairing code to type on the office's phone; administrators only.
func (e *Engine) PairPhone(ctx context.Context, office string, by balcao.Staff, phone string) (string, error) {
	if by.Role != balcao.RoleAdmin {
		return "", forbidden("Só administradores conectam o WhatsApp do escritório.")
	}
	p, err := balcao.NormalizePhone(phone)
	if err != nil {
		return "", balcao.Invalid(map[string]string{"phone": "Número de telefone inválido."})
	}
	s, err := e.actors.Session(ctx, office)
	if err != nil {
		return "", err
	}
	code, err := s.PairPhone(ctx, p)
	if err != nil {
		e.log.Warn("pair phone", "office", office, "err", err)
		return "", balcao.NewError(balcao.ErrConflict, "pairing_failed", "Não foi possível gerar o código de pareamento. Confira o número e tente de novo.")
	}
	return code, nil
}

// LogoutWhatsApp unlinks the office's WhatsApp; administrators only. Queued messages stay in
// the outbox until a phone is linked again.
func (e *Engine) LogoutWhatsApp(ctx context.Context, office string, by balcao.Staff) error {
	if by.Role != balcao.RoleAdmin {
		return forbidden("Só administradores desconectam o WhatsApp do escritório.")
	}
	s, err := e.actors.Session(ctx, office)
	if err != nil {
		return err
	}
	return s.Logout(ctx)
}

// ConnectWhatsApp starts a new pairing (new QR codes) or reconnects now.
func (e *Engine) ConnectWhatsApp(ctx context.Context, office string, by balcao.Staff) error {
	if by.Role != balcao.RoleAdmin {
		return forbidden("Só administradores conectam o WhatsApp do escritório.")
	}
	s, err := e.actors.Session(ctx, office)
	if err != nil {
		return err
	}
	if c, ok := s.(interface{ Connect() error }); ok {
		return c.Connect()
	}
	return nil // the simulated WhatsApp is always connected
}

// MessageFile opens the document or media of a message, for the staff.
func (e *Engine) MessageFile(_ context.Context, office string, by balcao.Staff, id string, seq uint64) (balcao.Document, *os.File, error) {
	c, err := e.conversation(office, by, id)
	if err != nil {
		return balcao.Document{}, nil, err
	}
	m, err := e.db.Message(office, c.ID, seq)
	if err != nil && !errors.Is(err, balcao.ErrNotFound) {
		return balcao.Document{}, nil, fmt.Errorf("load message %d: %w", seq, err)
	}
	if err != nil || m.Document == nil || m.Document.SHA == "" {
		return balcao.Document{}, nil, balcao.NewError(balcao.ErrNotFound, "no_document", "Esta mensagem não tem arquivo.")
	}
	f, err := e.files.Open(m.Document.SHA)
	if errors.Is(err, os.ErrNotExist) {
		return balcao.Document{}, nil, balcao.NewError(balcao.ErrNotFound, "no_document", "O arquivo não está mais disponível.")
	}
	return *m.Document, f, err
}
