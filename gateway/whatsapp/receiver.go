package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// downloadFunc fetches and decrypts an attachment (whatsmeow's Client.Download).
type downloadFunc func(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)

// receiver turns whatsmeow's message and receipt events into the office's gateway.Inbound and
// gateway.Receipt. Its methods run on whatsmeow's event goroutine, one event at a time.
type receiver struct {
	office     string
	sink       gateway.Sink
	ids        *identities
	download   downloadFunc
	log        *slog.Logger
	ackTimeout time.Duration
	maxMedia   int64
	now        func() time.Time
}

// downloadTimeout bounds fetching one attachment.
const downloadTimeout = 5 * time.Minute

// message hands a client's message to the sink and waits for its acknowledgement. It returns
// true when WhatsApp may forget the message: it is durably stored, or it is not for the client
// flow (groups, status, newsletters…). False leaves it unacknowledged, and WhatsApp delivers it
// again later; the engine drops what it already stored by message id.
func (r *receiver) message(ctx context.Context, evt *events.Message) bool {
	id := string(evt.Info.ID)
	if reason := skipReason(evt); reason != "" {
		r.log.Debug("whatsapp message ignored", "reason", reason, "id", id)
		return true
	}
	c, ok := parseContent(evt.Message, id)
	if !ok {
		r.log.Debug("whatsapp message ignored", "reason", skipContent, "id", id)
		return true
	}
	from, alt := evt.Info.Sender, evt.Info.SenderAlt
	if from.IsEmpty() {
		from = evt.Info.Chat
	}
	phone, err := r.ids.phone(ctx, from, alt)
	// Only a sender that is no person is dropped for good; a LID not mapped yet, or a look-up
	// of the store that failed (busy, I/O, the session closing), waits for WhatsApp to deliver
	// the message again: acknowledging it would lose it.
	switch {
	case errors.Is(err, errNotPerson):
		r.log.Warn("whatsapp sender not a phone, message dropped", "id", id, "server", from.Server, "err", err)
		return true
	case errors.Is(err, errUnknownLID):
		r.log.Warn("whatsapp sender unknown, left for redelivery", "id", id, "server", from.Server)
		return false
	case err != nil:
		r.log.Warn("whatsapp sender look-up failed, left for redelivery", "id", id, "server", from.Server, "err", err)
		return false
	}
	var media *gateway.File
	if c.Media != nil {
		var retry bool
		media, retry = r.fetch(ctx, c.Media, id, &c.Text)
		if retry {
			return false
		}
	}
	at, stamped := evt.Info.Timestamp, !evt.Info.Timestamp.IsZero()
	if !stamped {
		at = r.now()
	}
	done := make(chan error, 1)
	in := gateway.NewInbound(r.office, phone, id, c.Text, at, func(err error) { done <- err })
	in.Stamped = stamped
	in.Media = media
	in.QuotedID = c.QuotedID
	r.sink.Deliver(in)

	t := time.NewTimer(r.ackTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			r.log.Warn("whatsapp message not stored, left for redelivery", "id", id, "err", err)
			return false
		}
		return true
	case <-t.C:
		r.log.Warn("whatsapp message not acknowledged in time, left for redelivery", "id", id, "timeout", r.ackTimeout)
		return false
	case <-ctx.Done():
		return false
	}
}

// fetch downloads an attachment within the media limit. A file over the limit, or one
// WhatsApp no longer has, is replaced by a note in text; retry is true when the download failed
// in a way worth another delivery (network, a closing session).
func (r *receiver) fetch(ctx context.Context, m *mediaRef, id string, text *string) (f *gateway.File, retry bool) {
	tooLarge := func(size int64) (*gateway.File, bool) {
		r.log.Warn("whatsapp media over the limit, not downloaded", "id", id, "kind", m.Kind, "bytes", size, "limit", r.maxMedia)
		*text = joinNote(*text, fmt.Sprintf(noteMediaTooLarge, r.maxMedia>>20))
		return nil, false
	}
	if m.Size > uint64(r.maxMedia) {
		return tooLarge(int64(m.Size))
	}
	dctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	data, err := r.download(dctx, m.Msg)
	switch {
	case errors.Is(err, ErrMediaTooLarge):
		return tooLarge(r.maxMedia + 1)
	case err != nil && mediaGone(err):
		r.log.Warn("whatsapp media unavailable", "id", id, "kind", m.Kind, "err", err)
		*text = joinNote(*text, noteMediaUnavailable)
		return nil, false
	case err != nil:
		r.log.Warn("whatsapp media download failed, left for redelivery", "id", id, "kind", m.Kind, "err", err)
		return nil, true
	case int64(len(data)) > r.maxMedia:
		return tooLarge(int64(len(data)))
	}
	return &gateway.File{Name: m.Name, MIME: m.MIME, Data: data}, false
}

// mediaGone reports download errors that another attempt cannot fix.
func mediaGone(err error) bool {
	return errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith403) ||
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404) ||
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410) ||
		errors.Is(err, whatsmeow.ErrNoURLPresent) ||
		errors.Is(err, whatsmeow.ErrFileLengthMismatch) ||
		errors.Is(err, whatsmeow.ErrTooShortFile) ||
		errors.Is(err, whatsmeow.ErrInvalidMediaHMAC) ||
		errors.Is(err, whatsmeow.ErrInvalidMediaEncSHA256) ||
		errors.Is(err, whatsmeow.ErrInvalidMediaSHA256) ||
		errors.Is(err, whatsmeow.ErrUnknownMediaType)
}

func joinNote(text, note string) string {
	if text == "" {
		return note
	}
	return text + "\n" + note
}

// receipt reports delivered and read receipts of the office's own messages. It returns false,
// leaving the receipt unacknowledged for WhatsApp to deliver again, when the sender's look-up
// failed for a passing reason (the store busy, the session closing). A receipt from no person,
// or from a LID with no known phone, is dropped: it only moves a message's ticks, not worth
// redeliveries that may never resolve.
func (r *receiver) receipt(ctx context.Context, evt *events.Receipt) bool {
	status := receiptStatus(evt)
	if status == "" {
		return true
	}
	phone, err := r.ids.phone(ctx, evt.Chat, evt.SenderAlt)
	switch {
	case errors.Is(err, errNotPerson), errors.Is(err, errUnknownLID):
		r.log.Debug("whatsapp receipt without a phone", "server", evt.Chat.Server, "err", err)
		return true
	case err != nil:
		r.log.Warn("whatsapp receipt sender look-up failed, left for redelivery", "server", evt.Chat.Server, "err", err)
		return false
	}
	for _, rc := range receipts(r.office, phone, status, evt) {
		r.sink.Receipt(rc)
	}
	return true
}

// receiptStatus is the Balcão status a receipt reports, "" for receipts Balcão ignores (groups,
// the office's own devices, retries, server acks).
func receiptStatus(evt *events.Receipt) string {
	if evt.IsGroup || evt.IsFromMe || evt.Chat.Server == types.GroupServer || evt.Chat.Server == types.BroadcastServer || evt.Chat.Server == types.NewsletterServer {
		return ""
	}
	switch evt.Type {
	case types.ReceiptTypeDelivered:
		return balcao.StatusDelivered
	case types.ReceiptTypeRead, types.ReceiptTypePlayed:
		return balcao.StatusRead
	}
	return ""
}

// receipts builds one gateway.Receipt per message id of evt.
func receipts(office, phone, status string, evt *events.Receipt) []*gateway.Receipt {
	out := make([]*gateway.Receipt, 0, len(evt.MessageIDs))
	for _, id := range evt.MessageIDs {
		out = append(out, &gateway.Receipt{Office: office, To: phone, ID: string(id), Status: status, At: evt.Timestamp})
	}
	return out
}
