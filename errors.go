package balcao

import "errors"

// Sentinel errors shared by every layer. Match them with errors.Is; the HTTP layer maps each to
// a status code and a Portuguese message.
var (
	// ErrNotFound is returned when an office, conversation, contact or company does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid is returned for input that breaks a rule (bad phone, empty text, bad CNPJ).
	ErrInvalid = errors.New("invalid input")
	// ErrValidation is returned when fields of a form are wrong; *Error.Fields says which.
	ErrValidation = errors.New("validation failed")
	// ErrConflict is returned when the action does not fit the current state (reply while not
	// attending, start a conversation someone else took).
	ErrConflict = errors.New("conflict")
	// ErrForbidden is returned when the staff member may not do what was asked.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthorized is returned for a wrong user or password, or an expired session.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrOverloaded is returned when a bounded queue is full; the caller should retry later.
	ErrOverloaded = errors.New("overloaded")
	// ErrClosed is returned after the engine began shutting down.
	ErrClosed = errors.New("closed")
)

// Error carries a sentinel kind plus a Portuguese message meant for people. Wrap it with %w like
// any error; errors.Is matches the kind.
type Error struct {
	Kind    error  // one of the sentinels above
	Code    string // snake_case code for API clients
	Message string // Portuguese, shown to staff
	// Fields maps a form field to what is wrong with it (Portuguese), for ErrValidation.
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Kind.Error() }
func (e *Error) Unwrap() error { return e.Kind }

// NewError builds an *Error.
func NewError(kind error, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Invalid builds the ErrValidation error of a form whose fields are wrong.
func Invalid(fields map[string]string) *Error {
	return &Error{Kind: ErrValidation, Code: "invalid_fields", Message: "Corrija os campos destacados.", Fields: fields}
}
