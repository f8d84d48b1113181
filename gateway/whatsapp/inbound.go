package whatsapp

import (
	"mime"
	"path"
	"strings"
	"unicode"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// Why a message stays out of the client flow. It is acknowledged all the same.
const (
	skipStatus     = "status_broadcast"
	skipNewsletter = "newsletter"
	skipGroup      = "group"
	skipFromMe     = "from_me"
	skipBot        = "bot"
	skipEdit       = "edit"
	skipContent    = "unsupported_content" // reactions, protocol messages, stickers, polls…
)

// skipReason says why a message is not a client writing to the office, "" when it is.
func skipReason(evt *events.Message) string {
	info := &evt.Info
	switch {
	case info.Chat.Server == types.BroadcastServer && info.Chat.User == types.StatusBroadcastJID.User:
		return skipStatus
	case info.Chat.Server == types.NewsletterServer || info.Sender.Server == types.NewsletterServer:
		return skipNewsletter
	case info.Chat.Server == types.GroupServer || info.IsGroup && !info.Chat.IsBroadcastList():
		return skipGroup
	case info.IsFromMe:
		return skipFromMe
	case info.Sender.IsBot():
		return skipBot
	case evt.IsEdit:
		return skipEdit
	}
	return ""
}

// content is what Balcão keeps of a message: its text, the message it quotes and its media.
type content struct {
	Text     string
	QuotedID string
	Media    *mediaRef
}

// mediaRef points at a message's attachment, to download.
type mediaRef struct {
	Msg  whatsmeow.DownloadableMessage
	Kind string // document, image, audio or video
	Name string
	MIME string
	Size uint64 // as the sender declared it
}

// parseContent extracts the text, quote and attachment of a message (whatsmeow has already
// unwrapped ephemeral, view-once and document-with-caption wrappers); ok is false for content
// Balcão does not handle. id names attachments that come without a file name.
func parseContent(msg *waE2E.Message, id string) (c content, ok bool) {
	switch {
	case msg.GetConversation() != "":
		return content{Text: msg.GetConversation()}, true
	case msg.GetExtendedTextMessage() != nil:
		m := msg.GetExtendedTextMessage()
		return content{Text: m.GetText(), QuotedID: m.GetContextInfo().GetStanzaID()}, true
	case msg.GetDocumentMessage() != nil:
		m := msg.GetDocumentMessage()
		return withMedia(m.GetCaption(), m.GetContextInfo(), m, "document", m.GetFileName(), m.GetMimetype(), m.GetFileLength(), id), true
	case msg.GetImageMessage() != nil:
		m := msg.GetImageMessage()
		return withMedia(m.GetCaption(), m.GetContextInfo(), m, "image", "", m.GetMimetype(), m.GetFileLength(), id), true
	case msg.GetAudioMessage() != nil:
		m := msg.GetAudioMessage()
		return withMedia("", m.GetContextInfo(), m, "audio", "", m.GetMimetype(), m.GetFileLength(), id), true
	case msg.GetVideoMessage() != nil:
		m := msg.GetVideoMessage()
		return withMedia(m.GetCaption(), m.GetContextInfo(), m, "video", "", m.GetMimetype(), m.GetFileLength(), id), true
	}
	return c, false
}

func withMedia(caption string, ci *waE2E.ContextInfo, m whatsmeow.DownloadableMessage, kind, name, mimeType string, size uint64, id string) content {
	mt := baseMIME(mimeType)
	if mt == "" {
		mt = "application/octet-stream"
	}
	return content{
		Text:     caption,
		QuotedID: ci.GetStanzaID(),
		Media:    &mediaRef{Msg: m, Kind: kind, Name: mediaName(name, kind, mt, id), MIME: mt, Size: size},
	}
}

// baseMIME drops a MIME type's parameters: "audio/ogg; codecs=opus" → "audio/ogg".
func baseMIME(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// extensions WhatsApp media commonly has, so that names do not depend on the system's MIME
// table.
var extensions = map[string]string{
	"application/pdf": ".pdf",
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"image/webp":      ".webp",
	"audio/ogg":       ".ogg",
	"audio/mpeg":      ".mp3",
	"audio/mp4":       ".m4a",
	"audio/aac":       ".aac",
	"audio/amr":       ".amr",
	"video/mp4":       ".mp4",
	"video/3gpp":      ".3gp",
	"text/plain":      ".txt",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       ".xlsx",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/zip": ".zip",
	"application/xml": ".xml",
	"text/xml":        ".xml",
}

// mimeOf returns the MIME type of a file name's extension, application/octet-stream if unknown.
func mimeOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	for t, e := range extensions {
		if e == ext && t != "text/xml" {
			return t
		}
	}
	if t := baseMIME(mime.TypeByExtension(ext)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// mediaName returns a file name for an attachment: the sender's name when given, else one made
// from the kind, the message id and the MIME type ("imagem-3EB0….jpg").
func mediaName(given, kind, mimeType, id string) string {
	if name := cleanName(given); name != "" {
		return name
	}
	base := map[string]string{"image": "imagem", "audio": "audio", "video": "video"}[kind]
	if base == "" {
		base = "documento"
	}
	ext := extensions[mimeType]
	if ext == "" && mimeType != "application/octet-stream" {
		if exts, _ := mime.ExtensionsByType(mimeType); len(exts) > 0 {
			ext = exts[0]
		}
	}
	name := base
	if id := cleanName(id); id != "" {
		name += "-" + id
	}
	return name + ext
}

// cleanName keeps a file name safe to show and store: no directories, no control characters,
// at most 200 bytes; "" when nothing is left.
func cleanName(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	s = path.Base("/" + s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if s == "/" || s == "." || s == ".." {
		return ""
	}
	if len(s) > 200 {
		ext := path.Ext(s)
		if len(ext) > 16 {
			ext = ""
		}
		cut := 200 - len(ext)
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + ext
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
