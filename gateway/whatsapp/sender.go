package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// waClient is what sending needs of whatsmeow's Client; tests stand in for it.
type waClient interface {
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
}

var _ waClient = (*whatsmeow.Client)(nil)

// Bounds of the sender's memories.
const (
	maxUploads = 32   // uploads kept for a retry of the same message id
	maxSent    = 2048 // sent messages kept to answer WhatsApp's retry receipts
)

// sender turns gateway.Outbound into whatsmeow messages and sends them: validation, recipient
// lookup, upload, the send itself with the engine's message id, and the retry class of errors.
type sender struct {
	ids      *identities
	maxMedia int64
	now      func() time.Time

	mu      sync.Mutex
	uploads *bounded[whatsmeow.UploadResponse] // by message id; mu guards it
	sent    *bounded[*waE2E.Message]           // by message id; mu guards it
}

func newSender(ids *identities, maxMedia int64) *sender {
	return &sender{ids: ids, maxMedia: maxMedia, now: time.Now, uploads: newBounded[whatsmeow.UploadResponse](maxUploads), sent: newBounded[*waE2E.Message](maxSent)}
}

// outgoing is an outbound message that passed validation.
type outgoing struct {
	id    string
	phone string
	text  string
	file  *outFile
}

// prepare validates m. Its errors are permanent: the same message fails the same way again.
func (s *sender) prepare(m *gateway.Outbound) (outgoing, error) {
	if m == nil || m.ID == "" {
		return outgoing{}, permanent(fmt.Errorf("message without id: %w", ErrEmptyMessage))
	}
	phone, err := balcao.NormalizePhone(m.To)
	if err != nil {
		return outgoing{}, permanent(fmt.Errorf("%w: %w", ErrInvalidPhone, err))
	}
	o := outgoing{id: m.ID, phone: phone, text: textOf(m)}
	if m.File != nil {
		name := ""
		if m.Document != nil {
			name = m.Document.Name
		}
		f, err := checkFile(m.File, name, s.maxMedia)
		if err != nil {
			return outgoing{}, permanent(err)
		}
		o.file = &f
	} else if o.text == "" {
		return outgoing{}, permanent(ErrEmptyMessage)
	}
	return o, nil
}

// send delivers o through cli with o's id, so that a retry never delivers twice.
func (s *sender) send(ctx context.Context, cli waClient, o outgoing) error {
	to, err := s.recipient(ctx, cli, o.phone)
	if err != nil {
		return classify(err)
	}
	var msg *waE2E.Message
	if o.file != nil {
		up, err := s.upload(ctx, cli, o.id, *o.file)
		if err != nil {
			return classify(err)
		}
		if msg, err = documentMessage(*o.file, o.text, up, s.now()); err != nil {
			s.forgetUpload(o.id)
			return classify(err)
		}
	} else if msg, err = textMessage(o.text); err != nil {
		return classify(err)
	}
	s.mu.Lock()
	s.sent.put(o.id, msg)
	s.mu.Unlock()
	if _, err := cli.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: types.MessageID(o.id)}); err != nil {
		return classify(fmt.Errorf("send message: %w", err))
	}
	return nil
}

// recipient returns the JID to send to: the one the phone wrote from, else the one WhatsApp
// names for the number (a Brazilian mobile is asked with and without the ninth digit).
func (s *sender) recipient(ctx context.Context, cli waClient, phone string) (types.JID, error) {
	if j, ok := s.ids.jid(phone); ok {
		return j, nil
	}
	queries := phoneVariants(phone)
	res, err := cli.IsOnWhatsApp(ctx, queries)
	if err != nil {
		return types.JID{}, fmt.Errorf("look up phone: %w", err)
	}
	for _, q := range queries { // in order of preference
		for _, r := range res {
			if r.IsIn && (r.Query == q || "+"+r.Query == q) {
				j := r.JID.ToNonAD()
				s.ids.remember(phone, j)
				return j, nil
			}
		}
	}
	for _, r := range res { // a server that echoes the query differently
		if r.IsIn && r.JID.Server == types.DefaultUserServer {
			j := r.JID.ToNonAD()
			s.ids.remember(phone, j)
			return j, nil
		}
	}
	return types.JID{}, ErrNotOnWhatsApp
}

// phoneVariants returns the numbers to ask WhatsApp about for a phone, "+" first: a Brazilian
// mobile may be registered with or without its ninth digit.
func phoneVariants(phone string) []string {
	out := []string{"+" + phone}
	if len(phone) == 13 && phone[:2] == "55" && phone[4] == '9' {
		out = append(out, "+"+phone[:4]+phone[5:])
	}
	return out
}

// upload uploads a file once per message id: a retry reuses what WhatsApp already holds.
func (s *sender) upload(ctx context.Context, cli waClient, id string, f outFile) (whatsmeow.UploadResponse, error) {
	sum := sha256.Sum256(f.Data)
	s.mu.Lock()
	up, ok := s.uploads.get(id)
	s.mu.Unlock()
	if ok && bytes.Equal(up.FileSHA256, sum[:]) {
		return up, nil
	}
	up, err := cli.Upload(ctx, f.Data, whatsmeow.MediaDocument)
	if err != nil {
		return up, fmt.Errorf("upload %s: %w", f.Name, err)
	}
	s.mu.Lock()
	s.uploads.put(id, up)
	s.mu.Unlock()
	return up, nil
}

func (s *sender) forgetUpload(id string) {
	s.mu.Lock()
	s.uploads.remove(id)
	s.mu.Unlock()
}

// sentMessage returns a message sent recently, for whatsmeow's GetMessageForRetry.
func (s *sender) sentMessage(id types.MessageID) *waE2E.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _ := s.sent.get(string(id))
	return m
}

// bounded is a map that keeps its last n entries, dropping the oldest. Not safe for concurrent
// use.
type bounded[V any] struct {
	n     int
	m     map[string]V
	order []string // insertion order, oldest first
}

func newBounded[V any](n int) *bounded[V] { return &bounded[V]{n: n, m: make(map[string]V, n)} }

func (b *bounded[V]) get(k string) (V, bool) {
	v, ok := b.m[k]
	return v, ok
}

func (b *bounded[V]) put(k string, v V) {
	if _, ok := b.m[k]; !ok {
		if len(b.order) >= b.n {
			delete(b.m, b.order[0])
			b.order = append(b.order[:0], b.order[1:]...)
		}
		b.order = append(b.order, k)
	}
	b.m[k] = v
}

func (b *bounded[V]) remove(k string) {
	if _, ok := b.m[k]; !ok {
		return
	}
	delete(b.m, k)
	for i, o := range b.order {
		if o == k {
			b.order = append(b.order[:i], b.order[i+1:]...)
			break
		}
	}
}
