package balcao

import "time"

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
)

// MessageAdded is emitted when a message is stored in a conversation, either way.
type MessageAdded struct {
	Conversation string  `json:"conversation"`
	Message      Message `json:"message"`
}

// MessageStatusChanged is emitted when WhatsApp reports the delivery of an outbound message.
type MessageStatusChanged struct {
	Conversation string `json:"conversation"`
	Seq          uint64 `json:"id"`
	Status       string `json:"status"`
}

// ConversationChanged is emitted when a conversation's state, attendant or counters change.
type ConversationChanged struct {
	Conversation ConversationView `json:"conversation"`
	Reason       string           `json:"reason,omitempty"`
}

// Publisher receives the events of every office. Implementations never block the caller.
type Publisher interface {
	Publish(office string, typ string, data any)
}

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

// WhatsAppStatus is an office's WhatsApp connection as staff see it.
type WhatsAppStatus struct {
	State WhatsAppState `json:"state"`
	Phone string        `json:"phone,omitempty"` // the linked number when connected
	QR    string        `json:"qr,omitempty"`    // the code to scan while waiting for a QR
	Error string        `json:"error,omitempty"`
}
