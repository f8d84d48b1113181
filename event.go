package balcao

import (
	"encoding/json"
	"time"
)

// Event is a change pushed live to the staff of an office. Seq is stamped by the office hub:
// consecutive per office, so a client that reconnects asks for everything after its last Seq.
type Event struct {
	Seq  uint64    `json:"seq"`
	Type string    `json:"type"`
	At   time.Time `json:"at"`
	Data any       `json:"data"`
}

// Event types, past tense like the Go events they mirror.
const (
	EventMessageAdded        = "message.added"        // MessageAdded
	EventMessageStatus       = "message.status"       // MessageStatusChanged
	EventConversationChanged = "conversation.changed" // ConversationChanged
	EventWhatsAppStatus      = "whatsapp.status"      // gateway.Status
	// EventConversationHidden tells one staff member that a conversation they could see left
	// their view (it went to another department, or to someone else under message restriction).
	EventConversationHidden = "conversation.hidden" // ConversationHidden
	// EventContactsChanged tells the staff that the office's companies or contacts changed
	// (another member saved, removed or imported them): the screens that list them reload.
	EventContactsChanged = "contacts.changed" // ContactsChanged
)

// ContactsChanged is EventContactsChanged's payload: the phones of the contacts changed (the
// first MaxChangedPhones of them; Count says how many) and the company saved, if one was.
type ContactsChanged struct {
	Phones  []string `json:"phones"`
	Count   int      `json:"count"`
	Company string   `json:"company,omitempty"`
}

// MaxChangedPhones bounds the phones a ContactsChanged lists (an import changes hundreds).
const MaxChangedPhones = 100

// Scoped is an event about one conversation: only the staff who may see the conversation get it
// (see CanSee). Prev is the conversation before the change, when it may have been seen by
// others than now; nil otherwise. An event whose cur is nil (the conversation is unknown) goes
// to administrators and managers only.
type Scoped interface {
	Scope() (cur, prev *ConversationView)
}

// ForManagers is an event only administrators and managers receive (e.g. the progress of a
// scheduled send, whose screens are theirs).
type ForManagers interface {
	ForManagers()
}

// Redactable is an event that carries something only administrators may see (the QR code of
// WhatsAppStatus): the other staff get the payload Redacted returns instead, the same event
// without it.
type Redactable interface {
	Redacted() any
}

// ConversationHidden is EventConversationHidden's payload.
type ConversationHidden struct {
	Conversation string `json:"conversation"`
}

// MessageAdded is emitted when a message is stored in a conversation, either way.
type MessageAdded struct {
	Conversation string            `json:"conversation"`
	Message      *Message          `json:"message"` // a pointer: the event is boxed once per message, without a copy
	View         *ConversationView `json:"-"`       // the conversation after the change, for Scope
}

// Scope implements Scoped.
func (e MessageAdded) Scope() (cur, prev *ConversationView) { return e.View, nil }

// MessageStatusChanged is emitted when WhatsApp reports the delivery of an outbound message.
type MessageStatusChanged struct {
	Conversation string            `json:"conversation"`
	Seq          uint64            `json:"id"`
	Status       string            `json:"status"`
	View         *ConversationView `json:"-"` // for Scope
}

// Scope implements Scoped.
func (e MessageStatusChanged) Scope() (cur, prev *ConversationView) { return e.View, nil }

// ConversationChanged is emitted when a conversation's state, attendant or counters change.
type ConversationChanged struct {
	Conversation *ConversationView `json:"conversation"` // a pointer: the event is boxed without a copy of the view
	Reason       string            `json:"reason,omitempty"`
	Prev         *ConversationView `json:"-"` // before the change, for Scope
}

// Scope implements Scoped.
func (e ConversationChanged) Scope() (cur, prev *ConversationView) { return e.Conversation, e.Prev }

// Publisher receives the events of every office. Implementations never block the caller.
type Publisher interface {
	Publish(office string, typ string, data any)
	// PublishAll publishes events that happened together (one conversation turn), in order:
	// a staff socket gets those it may see in one frame.
	PublishAll(office string, events []Outgoing)
}

// Outgoing is an event handed to a Publisher: its type and payload.
type Outgoing struct {
	Type string
	Data any
}

// Framed is event data already encoded as JSON into a buffer it shares with the other events
// of its publication, in order, with StampRoom plus its type's length free before each payload
// and 2 bytes after the last: a publisher may lay the frames out in that buffer (stamp,
// payload, separators) instead of copying each payload into a frame. The buffer is handed to
// one publisher, once, and read by nothing else afterwards.
type Framed interface {
	json.Marshaler
	// Framing returns the shared buffer (its length is its capacity) and the payload's place.
	Framing() (buf []byte, start, end int)
}

// StampRoom is the room Framed data leaves before a payload besides its type: the stamp's own
// text, a sequence number, a time in RFC 3339 and a JSON array's separators fit it.
const StampRoom = 96

// WhatsAppState is the state of an office's WhatsApp connection.
type WhatsAppState string

// WhatsApp connection states.
const (
	WhatsAppConnecting  WhatsAppState = "connecting"
	WhatsAppWaitingQR   WhatsAppState = "waiting_qr"
	WhatsAppConnected   WhatsAppState = "connected"
	WhatsAppLoggedOut   WhatsAppState = "logged_out"
	WhatsAppUnreachable WhatsAppState = "unreachable"
)

// WhatsAppStatus is an office's WhatsApp connection as staff see it. Only administrators see
// its QR code (see For).
type WhatsAppStatus struct {
	State WhatsAppState `json:"state"`
	Phone string        `json:"phone,omitempty"` // the linked number when connected
	QR    string        `json:"qr,omitempty"`    // the code to scan while waiting for a QR
	Error string        `json:"error,omitempty"`
}

// For is the status as a staff member may see it. The QR code links whichever phone scans it
// as the office's WhatsApp, and only administrators link one: anyone else who could see it
// could link their own account, and read and answer the office's clients from it.
func (s WhatsAppStatus) For(st *Staff) WhatsAppStatus {
	if st.Role != RoleAdmin {
		s.QR = ""
	}
	return s
}

// Redacted implements Redactable: the status without its QR code.
func (s WhatsAppStatus) Redacted() any {
	s.QR = ""
	return s
}
