package whatsapp

import (
	"context"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow"

	"github.com/balcao/balcao/gateway"
)

// Retry classes. Every error Send returns wraps exactly one of them: the engine's gateway actor
// retries ErrTransient with backoff; ErrPermanent will fail the same way on every attempt.
var (
	// ErrTransient is wrapped by errors worth retrying: timeouts, a dropped or not yet open
	// connection, an account waiting to be paired again, WhatsApp's own 5xx and rate limits.
	ErrTransient = errors.New("whatsapp: transient failure")
	// ErrPermanent is wrapped by errors that retrying cannot fix: an invalid phone, a number
	// that is not on WhatsApp, an empty or broken file.
	ErrPermanent = fmt.Errorf("whatsapp: %w", gateway.ErrPermanent)
)

// Errors of the whatsmeow gateway, each wrapped in a retry class where Send returns it.
var (
	// ErrSessionClosed is returned by Send, PairPhone and Logout after Close.
	ErrSessionClosed = errors.New("whatsapp session closed")
	// ErrInvalidOffice is returned by Open for an office id that cannot name a file.
	ErrInvalidOffice = errors.New("invalid office id")
	// ErrInvalidPhone is returned by Send and PairPhone for a phone that is not a valid number.
	ErrInvalidPhone = errors.New("invalid phone number")
	// ErrNotOnWhatsApp is returned by Send when the number has no WhatsApp account.
	ErrNotOnWhatsApp = errors.New("phone is not on whatsapp")
	// ErrEmptyMessage is returned by Send for a message with no text and no file, or no id.
	ErrEmptyMessage = errors.New("empty message")
	// ErrEmptyFile is returned by Send for a file without bytes: a document never goes out empty.
	ErrEmptyFile = errors.New("empty file")
	// ErrFileTooLarge is returned by Send for a file over the media limit (see WithMaxMedia).
	ErrFileTooLarge = errors.New("file too large")
	// ErrBrokenFile is returned by Send for a file whose bytes do not match its type (a PDF
	// that does not start with %PDF-), or when the upload does not match the bytes.
	ErrBrokenFile = errors.New("broken file")
	// ErrNotLinked is returned by Send while no phone is linked (logged out, waiting for a QR).
	ErrNotLinked = errors.New("whatsapp account not linked")
	// ErrAlreadyLinked is returned by PairPhone when a phone is already linked.
	ErrAlreadyLinked = errors.New("whatsapp account already linked")
	// ErrMediaTooLarge is returned while downloading media past the limit.
	ErrMediaTooLarge = errors.New("media too large")
)

// transient wraps err as retryable, permanent as not.
func transient(err error) error { return fmt.Errorf("%w: %w", ErrTransient, err) }
func permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// classify wraps an error from whatsmeow in its retry class. Unknown errors are transient:
// a message is never dropped because an error was not recognised; the engine keeps it in the
// outbox and retries with backoff.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrTransient) || errors.Is(err, ErrPermanent) {
		return err
	}
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, whatsmeow.ErrRecipientADJID),
		errors.Is(err, whatsmeow.ErrUnknownServer),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported),
		errors.Is(err, whatsmeow.ErrInvalidInlineBotID),
		errors.Is(err, whatsmeow.ErrPhoneNumberTooShort),
		errors.Is(err, whatsmeow.ErrPhoneNumberIsNotInternational),
		errors.Is(err, ErrInvalidPhone),
		errors.Is(err, ErrNotOnWhatsApp),
		errors.Is(err, ErrEmptyMessage),
		errors.Is(err, ErrEmptyFile),
		errors.Is(err, ErrFileTooLarge),
		errors.Is(err, ErrBrokenFile):
		return permanent(err)
	case errors.As(err, &iq) && (iq.Code == 400 || iq.Code == 404 || iq.Code == 406):
		return permanent(err)
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled),
		errors.Is(err, whatsmeow.ErrNotConnected),
		errors.Is(err, whatsmeow.ErrNotLoggedIn),
		errors.Is(err, whatsmeow.ErrMessageTimedOut),
		errors.Is(err, whatsmeow.ErrIQTimedOut),
		errors.Is(err, whatsmeow.ErrIQDisconnected),
		errors.Is(err, ErrNotLinked),
		errors.Is(err, ErrSessionClosed):
		return transient(err)
	}
	return transient(err)
}
