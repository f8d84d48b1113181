package whatsapp

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/balcao/balcao/gateway"
)

// textOf is the text an outbound message carries: its text, and the document's name and portal
// link when the document goes as a link (no file bytes) and the text does not already hold it.
func textOf(m *gateway.Outbound) string {
	text := strings.TrimSpace(m.Text)
	if m.File == nil && m.Document != nil && m.Document.URL != "" && !strings.Contains(text, m.Document.URL) {
		link := m.Document.URL
		if m.Document.Name != "" {
			link = m.Document.Name + ": " + link
		}
		if text == "" {
			return link
		}
		return text + "\n\n" + link
	}
	return text
}

// textMessage builds a plain text message.
func textMessage(text string) (*waE2E.Message, error) {
	if strings.TrimSpace(text) == "" {
		return nil, ErrEmptyMessage
	}
	return &waE2E.Message{Conversation: proto.String(text)}, nil
}

// outFile is a file ready to upload: its bytes checked, its name and MIME type settled.
type outFile struct {
	Name string
	MIME string
	Data []byte
}

// checkFile refuses what must never reach a client: an empty file, one over the media limit,
// or a PDF whose bytes are not a PDF. doc names the file when File.Name is empty.
func checkFile(f *gateway.File, docName string, maxMedia int64) (outFile, error) {
	if f == nil || len(f.Data) == 0 {
		return outFile{}, ErrEmptyFile
	}
	if int64(len(f.Data)) > maxMedia {
		return outFile{}, fmt.Errorf("%d bytes over %d: %w", len(f.Data), maxMedia, ErrFileTooLarge)
	}
	name := cleanName(f.Name)
	if name == "" {
		name = cleanName(docName)
	}
	mt := baseMIME(f.MIME)
	if mt == "" || mt == "application/octet-stream" {
		if name != "" {
			mt = mimeOf(name)
		}
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	if name == "" {
		name = mediaName("", "document", mt, "")
	}
	if mt == "application/pdf" || strings.HasSuffix(strings.ToLower(name), ".pdf") {
		if !bytes.HasPrefix(f.Data, []byte("%PDF-")) {
			return outFile{}, fmt.Errorf("pdf %s does not start with %%PDF-: %w", name, ErrBrokenFile)
		}
		mt = "application/pdf"
	}
	return outFile{Name: name, MIME: mt, Data: f.Data}, nil
}

// checkUpload verifies that what WhatsApp stored is the file: same length, same hash.
func checkUpload(f outFile, up whatsmeow.UploadResponse) error {
	if up.FileLength != uint64(len(f.Data)) {
		return fmt.Errorf("upload has %d bytes, file %d: %w", up.FileLength, len(f.Data), ErrBrokenFile)
	}
	sum := sha256.Sum256(f.Data)
	if !bytes.Equal(up.FileSHA256, sum[:]) {
		return fmt.Errorf("upload hash differs from the file's: %w", ErrBrokenFile)
	}
	if up.DirectPath == "" || len(up.MediaKey) == 0 || len(up.FileEncSHA256) == 0 {
		return fmt.Errorf("upload response incomplete: %w", ErrBrokenFile)
	}
	return nil
}

// documentMessage builds the document message of an uploaded file, with caption.
func documentMessage(f outFile, caption string, up whatsmeow.UploadResponse, now time.Time) (*waE2E.Message, error) {
	if err := checkUpload(f, up); err != nil {
		return nil, err
	}
	doc := &waE2E.DocumentMessage{
		URL:               proto.String(up.URL),
		DirectPath:        proto.String(up.DirectPath),
		MediaKey:          up.MediaKey,
		FileEncSHA256:     up.FileEncSHA256,
		FileSHA256:        up.FileSHA256,
		FileLength:        proto.Uint64(up.FileLength),
		Mimetype:          proto.String(f.MIME),
		FileName:          proto.String(f.Name),
		Title:             proto.String(f.Name),
		MediaKeyTimestamp: proto.Int64(now.Unix()),
	}
	if caption != "" {
		doc.Caption = proto.String(caption)
	}
	return &waE2E.Message{DocumentMessage: doc}, nil
}
