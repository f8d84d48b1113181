package balcao

import "time"

// Office is a tenant: one accounting office with its own WhatsApp number, clients and staff.
type Office struct {
	ID        string    `msgpack:"id" json:"id"`
	Name      string    `msgpack:"name" json:"name"`
	CreatedAt time.Time `msgpack:"created_at" json:"createdAt"`
}

// Company is a client of the office, identified by its CNPJ.
type Company struct {
	ID           string    `msgpack:"id" json:"id"`
	Name         string    `msgpack:"name" json:"name"`
	CNPJ         string    `msgpack:"cnpj" json:"cnpj"` // 14 digits
	Enabled      bool      `msgpack:"enabled" json:"enabled"`
	UseAssistant bool      `msgpack:"use_assistant" json:"useAssistant"`
	CreatedAt    time.Time `msgpack:"created_at" json:"createdAt"`
}

// Contact is a person who writes to the office, by phone number. One phone may speak for
// several companies.
type Contact struct {
	Phone     string    `msgpack:"phone" json:"phone"` // E.164 digits, see NormalizePhone
	Name      string    `msgpack:"name" json:"name"`
	Companies []string  `msgpack:"companies" json:"companies"` // company ids
	CreatedAt time.Time `msgpack:"created_at" json:"createdAt"`
}

// Role says what a staff member may do.
type Role string

// Roles of staff members.
const (
	RoleAdmin     Role = "administrador"
	RoleManager   Role = "gerente"
	RoleAttendant Role = "atendente"
)

// Staff is a person of the office who logs in to the web inbox.
type Staff struct {
	User string `msgpack:"user" json:"user"`
	Name string `msgpack:"name" json:"name"`
	Role Role   `msgpack:"role" json:"role"`
	// Departments the staff member attends; none means every department.
	Departments  []string  `msgpack:"departments,omitempty" json:"departments"`
	PasswordHash []byte    `msgpack:"password_hash" json:"-"`
	CreatedAt    time.Time `msgpack:"created_at" json:"createdAt"`
	// Stamp is random, made anew when the account is created and when its password changes;
	// a session is valid only with its account's stamp. Empty in accounts stored before it
	// existed (their sessions are bound to CreatedAt instead).
	Stamp string `msgpack:"stamp,omitempty" json:"-"`
}

// Session is a logged-in staff member's session.
type Session struct {
	Office  string    `msgpack:"office" json:"office"`
	User    string    `msgpack:"user" json:"user"`
	Expires time.Time `msgpack:"expires" json:"expires"`
	// Stamp is the account's stamp when the session began: a session of a removed account
	// whose user name was given again, or from before a password change, no longer matches.
	// Sessions stored before it existed have none and are refused.
	Stamp string `msgpack:"stamp,omitempty" json:"-"`
}
