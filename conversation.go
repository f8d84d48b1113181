package balcao

import (
	"time"
	"unicode/utf8"
)

// State is where a conversation is in its service cycle:
// assistant ──▶ pending ──▶ attending ──▶ assistant.
type State string

// Conversation states.
const (
	StateAssistant State = "assistant" // the virtual assistant answers
	StatePending   State = "pending"   // waiting for a person
	StateAttending State = "attending" // a staff member is serving it
)

// Tab names the staff inbox tabs.
type Tab string

// Inbox tabs.
const (
	TabContacts  Tab = "contatos"
	TabPending   Tab = "pendentes"
	TabAttending Tab = "atendimento"
)

// Conversation is the thread between the office and one contact phone. Its id is the phone.
type Conversation struct {
	ID          string       `msgpack:"id" json:"id"` // the contact's phone, E.164 digits
	State       State        `msgpack:"state" json:"state"`
	Attendant   string       `msgpack:"attendant,omitempty" json:"attendant,omitempty"`   // staff user while attending
	Department  string       `msgpack:"department,omitempty" json:"department,omitempty"` // chosen by the client or implied by the request
	Served      []string     `msgpack:"served,omitempty" json:"-"`                        // staff users who ever attended it
	Linked      bool         `msgpack:"linked" json:"-"`
	ContactName string       `msgpack:"contact_name" json:"-"`
	Companies   []CompanyRef `msgpack:"companies" json:"-"`
	LastSeq     uint64       `msgpack:"last_seq" json:"lastSeq"`       // last message sequence number
	Transitions uint64       `msgpack:"transitions" json:"-"`          // state transitions stored so far
	Unread      int          `msgpack:"unread" json:"unread"`          // inbound messages since staff last answered
	LastAt      time.Time    `msgpack:"last_at" json:"lastAt"`         // time of the last message
	Preview     string       `msgpack:"preview" json:"preview"`        // start of the last message
	StateSince  time.Time    `msgpack:"state_since" json:"stateSince"` // when the state last changed
	Dialog      []byte       `msgpack:"dialog,omitempty" json:"-"`     // assistant dialog state, msgpack
	Service     *Service     `msgpack:"service,omitempty" json:"-"`    // the service under way
	Services    uint64       `msgpack:"services" json:"-"`             // services opened so far
	// ClosedNoticeDay is the São Paulo date on which the client last heard the office's hours.
	ClosedNoticeDay string `msgpack:"closed_notice_day,omitempty" json:"-"`
	// Survey is the service whose satisfaction score the client may still send, until SurveyUntil.
	Survey      string    `msgpack:"survey,omitempty" json:"-"`
	SurveyStart time.Time `msgpack:"survey_start,omitempty" json:"-"`
	SurveyUntil time.Time `msgpack:"survey_until,omitempty" json:"-"`
	CreatedAt   time.Time `msgpack:"created_at" json:"createdAt"`
	// InboundAt is the latest WhatsApp timestamp among the stored inbound messages; zero in a
	// record stored before it existed (InboundKnown false). A stamped message later than it is
	// new: a redelivery carries its first delivery's timestamp.
	InboundAt    time.Time `msgpack:"inbound_at,omitempty" json:"-"`
	InboundKnown bool      `msgpack:"inbound_known,omitempty" json:"-"`
	// ContactGen is the office's contacts generation (see storage.ContactsGenKey) when
	// ContactName and Companies were last read from the contact and its companies: while the
	// office's is still the same, they are the stored ones. 0: never known.
	ContactGen uint64 `msgpack:"contact_gen,omitempty" json:"-"`
}

// CompanyRef names a company inside another record.
type CompanyRef struct {
	ID   string `msgpack:"id" json:"id"`
	Name string `msgpack:"name" json:"name"`
	CNPJ string `msgpack:"cnpj" json:"cnpj"`
	// Assistant is the company's UseAssistant, kept in a conversation record (see
	// Conversation.ContactGen).
	Assistant bool `msgpack:"assistant,omitempty" json:"-"`
}

// ContactView is the contact as the staff API shows it.
type ContactView struct {
	Phone  string `json:"phone"`
	Name   string `json:"name"`
	Linked bool   `json:"linked"`
}

// ConversationView is a conversation as the staff API and the websocket show it.
type ConversationView struct {
	ID         string       `json:"id"`
	State      State        `json:"state"`
	Attendant  string       `json:"attendant,omitempty"`
	Department string       `json:"department,omitempty"`
	Served     []string     `json:"-"` // for visibility checks, never shown
	Contact    ContactView  `json:"contact"`
	Companies  []CompanyRef `json:"companies"`
	Unread     int          `json:"unread"`
	LastAt     time.Time    `json:"lastAt"`
	Preview    string       `json:"preview"`
	StateSince time.Time    `json:"stateSince"`
	LastSeq    uint64       `json:"lastSeq"`
}

// View returns what staff see of the conversation.
func (c *Conversation) View() ConversationView {
	companies := c.Companies
	if companies == nil {
		companies = []CompanyRef{}
	}
	return ConversationView{
		ID: c.ID, State: c.State, Attendant: c.Attendant, Department: c.Department, Served: c.Served,
		Contact:   ContactView{Phone: c.ID, Name: c.ContactName, Linked: c.Linked},
		Companies: companies, Unread: c.Unread, LastAt: c.LastAt, Preview: c.Preview,
		StateSince: c.StateSince, LastSeq: c.LastSeq,
	}
}

// Direction of a message.
type Direction string

// Message directions.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Author kinds of a message.
const (
	AuthorClient    = "client"
	AuthorAssistant = "assistant"
	AuthorSystem    = "system"
	// A staff member appears as their user name.
)

// Delivery states of an outbound message.
const (
	StatusQueued    = "queued"
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
)

// Message is one message in a conversation, either way.
type Message struct {
	Seq       uint64    `msgpack:"seq" json:"id"`
	Direction Direction `msgpack:"dir" json:"direction"`
	Author    string    `msgpack:"author" json:"author"` // client, assistant, system or a staff user
	Text      string    `msgpack:"text" json:"text"`
	Document  *Document `msgpack:"doc,omitempty" json:"document"`
	WAID      string    `msgpack:"wa_id,omitempty" json:"waId,omitempty"` // WhatsApp message id
	Status    string    `msgpack:"status,omitempty" json:"status,omitempty"`
	At        time.Time `msgpack:"at" json:"at"`
	// StatusAt records when each delivery status was reached (sent, delivered, read).
	StatusAt map[string]time.Time `msgpack:"status_at,omitempty" json:"statusAt,omitempty"`
	// Quoted is the seq of the message of this conversation that this one replies to (the
	// client quoted it on WhatsApp); 0 for none, or for one Balcão does not have.
	Quoted uint64 `msgpack:"quoted,omitempty" json:"quoted,omitempty"`
}

// Document is a file attached to a message.
type Document struct {
	ID   string `msgpack:"id,omitempty" json:"id,omitempty"` // StoredDocument id
	Name string `msgpack:"name" json:"name"`
	URL  string `msgpack:"url" json:"url"`
	MIME string `msgpack:"mime,omitempty" json:"mime,omitempty"`
	Size int64  `msgpack:"size,omitempty" json:"size,omitempty"`
	SHA  string `msgpack:"sha,omitempty" json:"-"` // content address of the file
}

// Transition records a state change of a conversation.
type Transition struct {
	From   State     `msgpack:"from" json:"from"`
	To     State     `msgpack:"to" json:"to"`
	Staff  string    `msgpack:"staff,omitempty" json:"staff,omitempty"`
	Reason string    `msgpack:"reason" json:"reason"`
	At     time.Time `msgpack:"at" json:"at"`
}

// Transition reasons.
const (
	ReasonNotLinked     = "not_linked"
	ReasonAssistantGave = "assistant_handover"
	ReasonProcessFailed = "processing_failed"
	ReasonStarted       = "service_started"
	ReasonFinished      = "service_finished"
)

// MaxTextBytes is the longest text a message may carry (WhatsApp's own limit is 65536 chars).
const MaxTextBytes = 64 << 10

// Preview is the start of a text (120 characters), for inbox lists and to quote in an error
// what someone sent.
func Preview(text string) string {
	const max = 120
	n := 0
	for i := range text {
		if n == max {
			if head := text[:i]; utf8.ValidString(head) {
				return head + "…"
			}
			return string([]rune(text)[:max]) + "…" // invalid bytes become U+FFFD, as ever
		}
		n++
	}
	return text
}
