package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
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
	Phone string
	Staff string
	Text  string
}

// LinkContact links a phone to a company as one of its contacts, with the contact's name.
type LinkContact struct {
	Phone   string
	Company string
	Name    string
}

// GetOfficeStats asks an office actor for its live figures; answered with *OfficeStats.
type GetOfficeStats struct{}

// OfficeStats are an office actor's live figures.
type OfficeStats struct {
	Conversations int // conversation actors running (not passivated)
}

// Result answers a staff command.
type Result struct {
	Err          error
	Conversation *balcao.ConversationView
	Message      *balcao.Message
	Contact      *balcao.Contact
}

// Internal messages.

// conversationCommand is a message the office routes to the conversation of a phone.
type conversationCommand interface{ phone() string }

func (m *StartService) phone() string     { return m.Phone }
func (m *FinishService) phone() string    { return m.Phone }
func (m *SendStaffMessage) phone() string { return m.Phone }
func (m *contactChanged) phone() string   { return m.contact.Phone }
func (m *deliveryChanged) phone() string  { return m.to }

// contactChanged tells a conversation that its contact record changed.
type contactChanged struct{ contact balcao.Contact }

// contactSaved comes back to the office once a contact change is durable.
type contactSaved struct {
	contact balcao.Contact
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
	to     string
	seq    uint64 // 0 when only waID is known
	waID   string
	status string
}
