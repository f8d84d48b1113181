// Package gateway defines the edge between Balcão and WhatsApp: the Go interface that both the
// simulated gateway (gateway/whatsim) and the whatsmeow gateway (gateway/whatsapp) implement.
// It knows the domain types and nothing of actors, storage or HTTP handlers of the staff API.
package gateway

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/balcao/balcao"
)

// WhatsApp opens one session per office's WhatsApp account.
type WhatsApp interface {
	// Open starts the office's session; what WhatsApp sends to the office goes to sink.
	Open(ctx context.Context, office string, sink Sink) (Session, error)
}

// Session is one office's linked WhatsApp account.
type Session interface {
	// Send hands a message to WhatsApp and returns once WhatsApp accepted it. Retrying with the
	// same ID must never deliver it twice.
	Send(ctx context.Context, m *Outbound) error
	// Status reports the connection state.
	Status() Status
	// PairPhone asks for a pairing code to type on the phone instead of scanning the QR code.
	PairPhone(ctx context.Context, phone string) (code string, err error)
	// Logout unlinks the account: a new pairing is needed afterwards.
	Logout(ctx context.Context) error
	// Close ends the session (the account stays linked).
	Close() error
}

// Sink receives what WhatsApp sends to an office. Its methods never block for long: they hand
// the event to the office actor.
type Sink interface {
	Deliver(in *Inbound)
	Receipt(r *Receipt)
	// StatusChanged reports a new connection state (a new QR code, connected, logged out…).
	StatusChanged(s Status)
}

// Inbound is emitted when a phone sends the office a message.
type Inbound struct {
	Office   string
	From     string // E.164 digits, see balcao.NormalizePhone
	ID       string // WhatsApp message id
	Text     string
	Document *balcao.Document // set by the engine once Media is stored
	Media    *File            // a document, image or audio the message carried
	QuotedID string           // the WhatsApp id of the message this one replies to
	At       time.Time
	// Stamped says that At is WhatsApp's own timestamp of the message, the same on every
	// delivery of it: a conversation that stored nothing later needs no look in storage to know
	// the message is new. Unstamped messages (At is the time of arrival) are always looked up.
	Stamped bool
	ack     func(error)
	once    sync.Once
}

// NewInbound builds an inbound message whose ack is called exactly once: with nil when the
// message is durably stored (or was stored before), or with the reason it was not.
func NewInbound(office, from, id, text string, at time.Time, ack func(error)) *Inbound {
	return &Inbound{Office: office, From: from, ID: id, Text: text, At: at, ack: ack}
}

// Ack reports the outcome to the sender; calls after the first are ignored.
func (in *Inbound) Ack(err error) {
	in.once.Do(func() {
		if in.ack != nil {
			in.ack(err)
		}
	})
}

// Receipt is emitted when WhatsApp reports the delivery or reading of an outbound message.
type Receipt struct {
	Office string
	To     string // the phone the message went to
	ID     string // the WhatsApp message id given in Outbound.ID
	Status string // balcao.StatusDelivered or balcao.StatusRead
	At     time.Time
}

// Outbound is a message the office sends to a phone.
type Outbound struct {
	Office   string
	To       string
	ID       string // WhatsApp message id, chosen before the first attempt
	Text     string
	Document *balcao.Document // the document's name and portal link
	File     *File            // its bytes, sent as a document message with Text as caption
}

// File is the content of a document, image or audio crossing the gateway.
type File struct {
	Name string
	MIME string
	Data []byte
}

// State of an office's WhatsApp connection.
type State = balcao.WhatsAppState

// Connection states.
const (
	StateConnecting  = balcao.WhatsAppConnecting
	StateWaitingQR   = balcao.WhatsAppWaitingQR
	StateConnected   = balcao.WhatsAppConnected
	StateLoggedOut   = balcao.WhatsAppLoggedOut
	StateUnreachable = balcao.WhatsAppUnreachable
)

// Status is an office's WhatsApp connection as staff see it.
type Status = balcao.WhatsAppStatus

// ErrPermanent marks a send that can never succeed (not on WhatsApp, invalid number, broken
// file): the message is marked failed instead of retried. Gateways wrap it.
var ErrPermanent = errors.New("permanent send failure")

// NewMessageID returns a random message id shaped like WhatsApp's ("3EB0" and 16 hex digits).
func NewMessageID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("3EB0%X", b[:])
}
