package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// Staff commands. Each is sent to the office actor with System.Request and answered with a
// *Result once its effect is durable. Besides these, the office actor receives the gateway's
// *gateway.Inbound and *gateway.Receipt.

// StartService is sent when a staff member takes a conversation (Iniciar Atendimento).
type StartService struct {
	Phone string
	Staff string
}

// FinishService is sent when a staff member ends a service (Concluir Atendimento). Managers and
// administrators may finish another member's service (Override).
type FinishService struct {
	Phone    string
	Staff    string
	Override bool
}

// SendStaffMessage is sent when a staff member answers the client of a conversation they attend.
type SendStaffMessage struct {
	Phone    string
	Staff    string
	Name     string // the staff member's name, shown to the client when the office wants it
	Text     string
	Document *balcao.Document // an attachment already in the file store, or nil
}

// SaveCompany creates a company (when Company.ID is empty) or updates one. Answered with the
// stored company; a field that breaks a rule gives balcao.ErrValidation.
type SaveCompany struct {
	Company balcao.Company
}

// AddContact makes a phone a contact of companies, creating the contact when it is new; a
// non-empty Name replaces the contact's name. Linking an unlinked phone is this with one company.
type AddContact struct {
	Phone     string // normalized
	Name      string
	Companies []string
	// Unlinked is an attendant's link from the phone's conversation: a phone that is already a
	// contact of a company is refused (409 already_linked) instead of getting more companies,
	// and a Name that would rename a contact that has one is refused (403 rename_forbidden):
	// only administrators and managers rename contacts.
	Unlinked bool
}

// RemoveContactCompany removes a company from a contact's companies.
type RemoveContactCompany struct {
	Phone   string
	Company string
}

// SaveContact creates a contact (Create) or replaces the name and companies of an existing one
// (Gerenciar contatos); a contact with no company is someone who is not a client user. Unknown
// companies, or creating a phone that exists, give balcao.ErrValidation; editing an unknown
// phone gives balcao.ErrNotFound.
type SaveContact struct {
	Contact balcao.Contact // Phone normalized, Name trimmed
	Create  bool
}

// DeleteContact removes a contact; its conversation and messages stay, unlinked.
type DeleteContact struct {
	Phone string // normalized
}

// ImportContacts applies lines of a contacts import in one durable batch: each contact is
// created, or gets the Name (when not empty) and the Companies added to its own.
type ImportContacts struct {
	Contacts []balcao.Contact
}

// GetOfficeStats asks an office actor for its live figures; answered with *OfficeStats.
type GetOfficeStats struct{}

// OfficeStats are an office actor's live figures.
type OfficeStats struct {
	Conversations int // conversation actors running (not passivated)
	Jobs          int // job actors running
}

// Result answers a staff command (and a job's deliverDocuments: Job is then the job as the
// conversation recorded it delivered, nil when it found the documents sent before).
type Result struct {
	Err          error
	Conversation *balcao.ConversationView
	Message      *balcao.Message
	Contact      *balcao.Contact
	Company      *balcao.Company
	Job          *balcao.Job
}

// Internal messages.

// conversationCommand is a message the office routes to the conversation of a phone.
type conversationCommand interface{ phone() string }

func (m *StartService) phone() string     { return m.Phone }
func (m *FinishService) phone() string    { return m.Phone }
func (m *SendStaffMessage) phone() string { return m.Phone }
func (m *contactChanged) phone() string   { return m.contact.Phone }
func (m *deliveryChanged) phone() string  { return m.to }

// contactChanged tells a conversation that its contact record changed, in the change that made
// gen the office's contacts generation.
type contactChanged struct {
	contact balcao.Contact
	gen     uint64
}

// clientsSaved comes back to the office once a company or contact change is durable; the
// conversations of the phones are told, and the sender answered.
type clientsSaved struct {
	result  *Result
	phones  []string // whose conversations reload the change
	changed []string // the contacts changed, for contacts.changed
	gen     uint64   // the contacts generation the change wrote
	err     error
	sender  *actor.PID
}

// passivate asks the office to stop an idle conversation; the office agrees only when handled
// equals the number of messages it forwarded (nothing is in flight).
type passivate struct {
	pid     *actor.PID
	phone   string
	handled uint64
}

// deliveryChanged reports progress of an outbound message (sent, delivered, read, failed).
type deliveryChanged struct {
	to        string
	seq       uint64 // 0 when only waID is known
	waID      string
	status    string
	outboxEnd bool // handed over the last message of an outbox entry (storage.OutboxKey)
}

// whatsappStatus carries a new connection state of the office's WhatsApp session.
type whatsappStatus struct{ status gateway.Status }

// agentsConnected tells the office that one of its agents connected (System.AgentsConnected).
type agentsConnected struct{}
