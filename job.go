package balcao

import "time"

// JobState is where a document request is in the request centre (Central de Pedidos).
type JobState string

// Job states, named as the office sees them.
const (
	JobWaiting    JobState = "aguardando"          // waiting for an agent
	JobProcessing JobState = "processando"         // an agent is producing it
	JobDone       JobState = "processado"          // documents produced and published
	JobPending    JobState = "pendente_escritorio" // the office must act (Reason says why)
)

// JobTab maps a request centre tab to its state.
var JobTab = map[string]JobState{
	"aguardando": JobWaiting, "processando": JobProcessing, "processados": JobDone, "pendentes": JobPending,
}

// Job is one document request of a client, carried out by the office's execution agent.
type Job struct {
	ID         string     `msgpack:"id" json:"id"`
	Company    string     `msgpack:"company" json:"company"`
	CNPJ       string     `msgpack:"cnpj" json:"cnpj"`
	Intent     string     `msgpack:"intent" json:"intent"`
	Competence string     `msgpack:"competence,omitempty" json:"competence,omitempty"`
	Person     string     `msgpack:"person,omitempty" json:"person,omitempty"`
	Phone      string     `msgpack:"phone" json:"phone"` // the contact who asked
	State      JobState   `msgpack:"state" json:"state"`
	Reason     string     `msgpack:"reason,omitempty" json:"reason,omitempty"` // why it is pending
	Hold       string     `msgpack:"hold,omitempty" json:"hold,omitempty"`     // rule that holds it: confirm, period_closed
	Confirmed  bool       `msgpack:"confirmed,omitempty" json:"confirmed,omitempty"`
	Attempts   int        `msgpack:"attempts" json:"attempts"`
	Documents  []string   `msgpack:"documents,omitempty" json:"documents,omitempty"` // stored document ids
	Delivered  bool       `msgpack:"delivered" json:"delivered"`                     // handed to the conversation
	ToldPend   bool       `msgpack:"told_pending,omitempty" json:"-"`                // the client was told the office will act
	History    []JobEvent `msgpack:"history" json:"history"`
	CreatedAt  time.Time  `msgpack:"created_at" json:"createdAt"`
	UpdatedAt  time.Time  `msgpack:"updated_at" json:"updatedAt"`
}

// JobEvent is one step in a job's history.
type JobEvent struct {
	State JobState  `msgpack:"state" json:"state"`
	Note  string    `msgpack:"note,omitempty" json:"note,omitempty"`
	At    time.Time `msgpack:"at" json:"at"`
}

// Open reports whether the job still waits for something.
func (j *Job) Open() bool { return j.State != JobDone || !j.Delivered }

// StoredDocument is a document published to the client portal, with its delivery record.
type StoredDocument struct {
	ID         string      `msgpack:"id" json:"id"`
	Company    string      `msgpack:"company" json:"company"`
	Intent     string      `msgpack:"intent" json:"intent"`
	Competence string      `msgpack:"competence,omitempty" json:"competence,omitempty"`
	Person     string      `msgpack:"person,omitempty" json:"person,omitempty"`
	Name       string      `msgpack:"name" json:"name"`
	MIME       string      `msgpack:"mime" json:"mime"`
	Size       int64       `msgpack:"size" json:"size"`
	SHA256     string      `msgpack:"sha256" json:"sha256"`
	Job        string      `msgpack:"job" json:"job"`
	Phone      string      `msgpack:"phone" json:"phone"`            // who asked
	MessageSeq uint64      `msgpack:"message_seq" json:"messageSeq"` // the WhatsApp message that carried it
	Downloads  []time.Time `msgpack:"downloads" json:"downloads"`    // from the portal, the last 50
	CreatedAt  time.Time   `msgpack:"created_at" json:"createdAt"`   // generated
}

// Events of the request centre.
const (
	EventJobChanged   = "job.changed"   // JobChanged
	EventAgentsOnline = "agents.online" // AgentsOnline
	// EventDocumentDownloaded is emitted when a client downloads a document from the portal.
	EventDocumentDownloaded = "document.downloaded" // DocumentDownloaded
	// EventSettingsChanged is emitted when the office's preferences change (data: Settings).
	EventSettingsChanged = "settings.changed"
)

// JobChanged is emitted when a job is created or changes state.
type JobChanged struct {
	Job  Job               `json:"job"`
	View *ConversationView `json:"-"` // the conversation of the job's phone, for Scope
}

// Scope implements Scoped: only the staff who may see the client's conversation see the job.
func (e JobChanged) Scope() (cur, prev *ConversationView) { return e.View, nil }

// DocumentDownloaded is emitted when a client downloads a document from the portal, once the
// download is recorded: an open delivery record of its job fetches it again.
type DocumentDownloaded struct {
	Document     string            `json:"document"`
	Job          string            `json:"job"`
	Conversation string            `json:"conversation"` // the phone of the client who asked
	At           time.Time         `json:"at"`
	View         *ConversationView `json:"-"` // the conversation of the job's phone, for Scope
}

// Scope implements Scoped: only the staff who may see the job (its client's conversation) see
// its downloads.
func (e DocumentDownloaded) Scope() (cur, prev *ConversationView) { return e.View, nil }

// AgentsOnline is emitted when an execution agent of the office connects or leaves.
type AgentsOnline struct {
	Remote   int  `json:"remote"`   // connected remote agents
	Embedded bool `json:"embedded"` // the server reads documents itself
}

// PortalCompany is a company and its published documents, as one of its contacts sees them.
type PortalCompany struct {
	Company   Company
	Documents []StoredDocument
}

// Delivery is the delivery record of one document: what the office shows a client who says it
// never came.
type Delivery struct {
	Document  StoredDocument       `json:"document"`
	Requested time.Time            `json:"requested"`
	Generated time.Time            `json:"generated"`
	Status    string               `json:"status"`   // of the WhatsApp message that carried it
	StatusAt  map[string]time.Time `json:"statusAt"` // sent, delivered, read
	Downloads []time.Time          `json:"downloads"`
}
