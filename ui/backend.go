package ui

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/balcao/balcao"
)

// Backend is what the HTTP layer needs from the engine. Errors are balcao sentinels (or
// *balcao.Error carrying a Portuguese message), mapped to status codes by writeError.
type Backend interface {
	// Login checks a staff member's password and opens a session; the token goes in a cookie.
	Login(ctx context.Context, office, user, password string) (token string, s balcao.Session, err error)
	// Session returns the live session of a token, or balcao.ErrUnauthorized.
	Session(ctx context.Context, token string) (balcao.Session, balcao.Staff, error)
	Logout(ctx context.Context, token string) error

	// Conversations, their messages, files and counts are shown as the staff member may see
	// them (balcao.CanSee); a conversation they may not see is not found.
	Conversations(ctx context.Context, office string, by balcao.Staff, tab balcao.Tab, cursor string, limit int) ([]balcao.ConversationView, string, error)
	Conversation(ctx context.Context, office string, by balcao.Staff, id string) (balcao.ConversationView, error)
	Messages(ctx context.Context, office string, by balcao.Staff, id string, before uint64, limit int) ([]balcao.Message, bool, error)
	// CanSee filters the live events of one staff member's socket.
	CanSee(office string, by balcao.Staff) func(*balcao.ConversationView) bool
	Companies(ctx context.Context, office string) ([]balcao.Company, error)

	StartService(ctx context.Context, office, id string, staff balcao.Staff) (balcao.ConversationView, error)
	FinishService(ctx context.Context, office, id string, staff balcao.Staff) (balcao.ConversationView, error)
	SendMessage(ctx context.Context, office, id string, staff balcao.Staff, text string) (balcao.Message, error)
	SendAttachment(ctx context.Context, office, id string, staff balcao.Staff, name, mime string, data []byte, caption string) (balcao.Message, error)
	LinkContact(ctx context.Context, office string, by balcao.Staff, phone, company, name string) (balcao.Contact, balcao.ConversationView, error)

	// Client enablement (administrators and managers).
	SaveCompany(ctx context.Context, office string, by balcao.Staff, c balcao.Company) (balcao.Company, error)
	Contacts(ctx context.Context, office, company string) ([]balcao.Contact, error)
	AddContact(ctx context.Context, office string, by balcao.Staff, phone, name string, companies []string) (balcao.Contact, error)
	RemoveContactCompany(ctx context.Context, office string, by balcao.Staff, phone, company string) error

	// Canned answers (Respostas Padrão).
	CannedAnswers(ctx context.Context, office string, by balcao.Staff) ([]balcao.CannedAnswer, error)
	SaveCannedAnswer(ctx context.Context, office string, by balcao.Staff, c balcao.CannedAnswer, personal bool) (balcao.CannedAnswer, error)
	DeleteCannedAnswer(ctx context.Context, office string, by balcao.Staff, id string) error

	// Staff accounts (administrators).
	StaffList(ctx context.Context, office string) ([]balcao.Staff, error)
	SaveStaff(ctx context.Context, office string, by balcao.Staff, s balcao.Staff, password string, create bool) (balcao.Staff, error)
	DeleteStaff(ctx context.Context, office string, by balcao.Staff, user string) error

	// Request centre (Central de Pedidos).
	Jobs(ctx context.Context, office string, by balcao.Staff, tab, cursor string, limit int) ([]balcao.Job, string, error)
	Job(ctx context.Context, office string, by balcao.Staff, id string) (balcao.Job, []balcao.Delivery, error)
	RetryJob(ctx context.Context, office string, by balcao.Staff, id string) (balcao.Job, error)
	ReplyToJob(ctx context.Context, office string, by balcao.Staff, id, text string) (balcao.Message, error)
	Agents(ctx context.Context, office string) (balcao.AgentsOnline, error)

	// Preferences (administrators change them).
	Settings(ctx context.Context, office string) (balcao.Settings, error)
	SaveSettings(ctx context.Context, office string, by balcao.Staff, s balcao.Settings) (balcao.Settings, error)
	SettingsDefaults(ctx context.Context, office string) (balcao.SettingsDefaults, error) // ui/api_defaults.go
	NewAgentToken(ctx context.Context, office string, by balcao.Staff) (string, error)

	// The office's WhatsApp connection.
	WhatsAppStatus(ctx context.Context, office string, by balcao.Staff) (balcao.WhatsAppStatus, error) // the QR code for administrators only
	PairPhone(ctx context.Context, office string, by balcao.Staff, phone string) (string, error)
	LogoutWhatsApp(ctx context.Context, office string, by balcao.Staff) error
	ConnectWhatsApp(ctx context.Context, office string, by balcao.Staff) error

	// MessageFile opens the document or media a message carries.
	MessageFile(ctx context.Context, office string, by balcao.Staff, id string, seq uint64) (balcao.Document, *os.File, error)

	// Queues is the supervisors' live view (no message content; each sees what they may see).
	Queues(ctx context.Context, office string, by balcao.Staff) (balcao.Queues, error)
	// Counts are the sizes of the pending and attending tabs.
	Counts(ctx context.Context, office string, by balcao.Staff) (map[balcao.Tab]int, error)

	// History and dashboards (administrators and managers).
	History(ctx context.Context, office string, by balcao.Staff, f balcao.HistoryFilter, cursor string, limit int) ([]balcao.Service, string, error)
	HistoryCSV(ctx context.Context, office string, by balcao.Staff, f balcao.HistoryFilter, w io.Writer, flush func()) error
	ServiceDetail(ctx context.Context, office string, by balcao.Staff, id string) (balcao.Service, []balcao.Message, []balcao.Transition, error)
	Dashboard(ctx context.Context, office string, by balcao.Staff, month string) (balcao.Dashboard, error)

	// Client portal.
	PortalLogin(ctx context.Context, token string) (session string, expires time.Time, err error)
	PortalSession(ctx context.Context, session string) (office, phone string, err error)
	PortalDocuments(ctx context.Context, office, phone string) ([]balcao.PortalCompany, error)
	PortalFile(ctx context.Context, office, phone, doc, linkToken string) (balcao.StoredDocument, *os.File, error)

	// Contacts management (Gerenciar contatos, CSV import): ui/api_contacts.go.
	ContactBook
	// Scheduled messages, broadcast lists and tax-guide reminders: ui/api_schedule.go.
	Scheduling

	// Healthy reports whether storage and actors are up.
	Healthy(ctx context.Context) error
}
