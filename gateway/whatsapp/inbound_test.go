package whatsapp

import (
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

var (
	clientPN  = types.JID{User: "5548999990001", Server: types.DefaultUserServer}
	clientLID = types.JID{User: "123456789012345", Server: types.HiddenUserServer}
	groupJID  = types.JID{User: "120363000000000001", Server: types.GroupServer}
	listJID   = types.JID{User: "1700000000", Server: types.BroadcastServer}
)

// dm builds a direct message from the test client.
func dm(id string, msg *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: clientPN, Sender: clientPN},
			ID:            types.MessageID(id),
			Timestamp:     time.Date(2026, 10, 5, 9, 30, 0, 0, time.UTC),
		},
		Message: msg,
	}
}

func quoteOf(id string) *waE2E.ContextInfo { return &waE2E.ContextInfo{StanzaID: proto.String(id)} }

func TestSkipReason(t *testing.T) {
	text := &waE2E.Message{Conversation: proto.String("oi")}
	tests := []struct {
		name string
		evt  func() *events.Message
		want string
	}{
		{"direct", func() *events.Message { return dm("A", text) }, ""},
		{"status broadcast", func() *events.Message {
			e := dm("A", text)
			e.Info.Chat, e.Info.IsGroup = types.StatusBroadcastJID, true
			return e
		}, skipStatus},
		{"newsletter", func() *events.Message {
			e := dm("A", text)
			e.Info.Chat = types.JID{User: "120363000000000002", Server: types.NewsletterServer}
			return e
		}, skipNewsletter},
		{"group", func() *events.Message {
			e := dm("A", text)
			e.Info.Chat, e.Info.IsGroup = groupJID, true
			return e
		}, skipGroup},
		{"broadcast list reaches the person", func() *events.Message {
			e := dm("A", text)
			e.Info.Chat, e.Info.IsGroup = listJID, true
			return e
		}, ""},
		{"from me", func() *events.Message {
			e := dm("A", text)
			e.Info.IsFromMe = true
			return e
		}, skipFromMe},
		{"edit", func() *events.Message {
			e := dm("A", text)
			e.IsEdit = true
			return e
		}, skipEdit},
		{"bot", func() *events.Message {
			e := dm("A", text)
			e.Info.Sender = types.NewMetaAIJID
			return e
		}, skipBot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := skipReason(tt.evt()); got != tt.want {
				t.Errorf("skipReason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseContent(t *testing.T) {
	pdf := &waE2E.DocumentMessage{
		FileName: proto.String("holerite-10-2026.pdf"), Mimetype: proto.String("application/pdf"),
		FileLength: proto.Uint64(2048), Caption: proto.String("segue"), ContextInfo: quoteOf("Q1"),
		DirectPath: proto.String("/v/doc"),
	}
	tests := []struct {
		name   string
		msg    *waE2E.Message
		ok     bool
		text   string
		quoted string
		media  *mediaRef // Msg is not compared
	}{
		{name: "conversation", msg: &waE2E.Message{Conversation: proto.String("me manda o holerite")}, ok: true, text: "me manda o holerite"},
		{name: "extended text with quote", msg: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String("esse aqui"), ContextInfo: quoteOf("3EB0AA"),
		}}, ok: true, text: "esse aqui", quoted: "3EB0AA"},
		{name: "extended text with link", msg: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String("veja https://example.com"),
		}}, ok: true, text: "veja https://example.com"},
		{name: "document", msg: &waE2E.Message{DocumentMessage: pdf}, ok: true, text: "segue", quoted: "Q1",
			media: &mediaRef{Kind: "document", Name: "holerite-10-2026.pdf", MIME: "application/pdf", Size: 2048}},
		{name: "image", msg: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Mimetype: proto.String("image/jpeg"), Caption: proto.String("comprovante"), FileLength: proto.Uint64(99),
		}}, ok: true, text: "comprovante",
			media: &mediaRef{Kind: "image", Name: "imagem-M1.jpg", MIME: "image/jpeg", Size: 99}},
		{name: "voice note", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			Mimetype: proto.String("audio/ogg; codecs=opus"), PTT: proto.Bool(true), FileLength: proto.Uint64(5000),
			ContextInfo: quoteOf("Q2"),
		}}, ok: true, quoted: "Q2",
			media: &mediaRef{Kind: "audio", Name: "audio-M1.ogg", MIME: "audio/ogg", Size: 5000}},
		{name: "video", msg: &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			Mimetype: proto.String("video/mp4"), Caption: proto.String("olha"),
		}}, ok: true, text: "olha",
			media: &mediaRef{Kind: "video", Name: "video-M1.mp4", MIME: "video/mp4"}},
		{name: "document without name or type", msg: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{}}, ok: true,
			media: &mediaRef{Kind: "document", Name: "documento-M1", MIME: "application/octet-stream"}},
		{name: "reaction", msg: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}}},
		{name: "protocol (revoke)", msg: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{}}},
		{name: "sticker", msg: &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}},
		{name: "nil", msg: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseContent(tt.msg, "M1")
			if ok != tt.ok || c.Text != tt.text || c.QuotedID != tt.quoted {
				t.Fatalf("parseContent = (%q, quoted %q, %v), want (%q, quoted %q, %v)", c.Text, c.QuotedID, ok, tt.text, tt.quoted, tt.ok)
			}
			if (c.Media == nil) != (tt.media == nil) {
				t.Fatalf("media = %+v, want %+v", c.Media, tt.media)
			}
			if c.Media == nil {
				return
			}
			got := *c.Media
			if got.Msg == nil {
				t.Error("media without a downloadable message")
			}
			got.Msg = nil
			if got != *tt.media {
				t.Errorf("media = %+v, want %+v", got, *tt.media)
			}
		})
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"guia DAS.pdf", "guia DAS.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ana\holerite.pdf`, "holerite.pdf"},
		{"a\x00b\nc.pdf", "abc.pdf"},
		{"..", ""},
		{"  ", ""},
		{"", ""},
		{strings.Repeat("ç", 150) + ".pdf", strings.Repeat("ç", 98) + ".pdf"},
	}
	for _, tt := range tests {
		if got := cleanName(tt.in); got != tt.want {
			t.Errorf("cleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMimeOf(t *testing.T) {
	tests := []struct{ name, want string }{
		{"guia.PDF", "application/pdf"},
		{"foto.jpg", "image/jpeg"},
		{"planilha.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"nota.xml", "application/xml"},
		{"sem-extensao", "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := mimeOf(tt.name); got != tt.want {
			t.Errorf("mimeOf(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
