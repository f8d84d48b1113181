package whatsapp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

func testReceiver(sink gateway.Sink, download downloadFunc) *receiver {
	cfg := defaultConfig()
	cfg.maxMedia = 1 << 20
	return newReceiver("office-1", sink, newIdentities(nil), download, discardLog(), cfg)
}

func noDownload(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
	return nil, errors.New("no download expected")
}

func TestReceiverAck(t *testing.T) {
	text := &waE2E.Message{Conversation: proto.String("oi")}
	tests := []struct {
		name string
		ack  func(in *gateway.Inbound)
		want bool
	}{
		{"stored", func(in *gateway.Inbound) { in.Ack(nil) }, true},
		{"stored later", func(in *gateway.Inbound) { go in.Ack(nil) }, true},
		{"not stored", func(in *gateway.Inbound) { in.Ack(balcao.ErrOverloaded) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			sink.ack = tt.ack
			r := testReceiver(sink, noDownload)
			if got := r.message(context.Background(), dm("3EB0A1", text)); got != tt.want {
				t.Errorf("message() = %v, want %v", got, tt.want)
			}
			in, _, _ := sink.snapshot()
			if len(in) != 1 {
				t.Fatalf("delivered %d messages, want 1", len(in))
			}
			at := time.Date(2026, 10, 5, 9, 30, 0, 0, time.UTC)
			if got := in[0]; got.Office != "office-1" || got.From != "5548999990001" || got.ID != "3EB0A1" || got.Text != "oi" || !got.At.Equal(at) {
				t.Errorf("inbound = %s %s %s %q %v, want office-1 5548999990001 3EB0A1 \"oi\" %v", got.Office, got.From, got.ID, got.Text, got.At, at)
			}
		})
	}
}

// A message the engine never acknowledges stays unacknowledged for WhatsApp after the timeout.
func TestReceiverAckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := newFakeSink()
		sink.ack = func(*gateway.Inbound) {} // never
		r := testReceiver(sink, noDownload)
		start := time.Now()
		if r.message(context.Background(), dm("A", &waE2E.Message{Conversation: proto.String("oi")})) {
			t.Error("message() = true without an ack, want false")
		}
		if waited := time.Since(start); waited != DefaultAckTimeout {
			t.Errorf("waited %v, want %v", waited, DefaultAckTimeout)
		}
	})
}

func TestReceiverClosing(t *testing.T) {
	sink := newFakeSink()
	sink.ack = func(*gateway.Inbound) {}
	r := testReceiver(sink, noDownload)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r.message(ctx, dm("A", &waE2E.Message{Conversation: proto.String("oi")})) {
		t.Error("message() = true while closing, want false")
	}
}

func TestReceiverSkips(t *testing.T) {
	tests := []struct {
		name string
		evt  *events.Message
		want bool
	}{
		{"group is acked, not delivered", func() *events.Message {
			e := dm("G", &waE2E.Message{Conversation: proto.String("bom dia grupo")})
			e.Info.Chat, e.Info.IsGroup = groupJID, true
			return e
		}(), true},
		{"status is acked, not delivered", func() *events.Message {
			e := dm("S", &waE2E.Message{Conversation: proto.String("status")})
			e.Info.Chat = types.StatusBroadcastJID
			return e
		}(), true},
		{"newsletter is acked, not delivered", func() *events.Message {
			e := dm("N", &waE2E.Message{Conversation: proto.String("news")})
			e.Info.Chat = types.JID{User: "1", Server: types.NewsletterServer}
			return e
		}(), true},
		{"reaction is acked, not delivered", dm("R", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{}}), true},
		{"unknown lid waits for redelivery", func() *events.Message {
			e := dm("L", &waE2E.Message{Conversation: proto.String("oi")})
			e.Info.Chat, e.Info.Sender = clientLID, clientLID
			return e
		}(), false},
		{"sender that is no phone is dropped", func() *events.Message {
			e := dm("X", &waE2E.Message{Conversation: proto.String("oi")})
			e.Info.Chat = types.JID{User: "12", Server: types.DefaultUserServer}
			e.Info.Sender = e.Info.Chat
			return e
		}(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			r := testReceiver(sink, noDownload)
			if got := r.message(context.Background(), tt.evt); got != tt.want {
				t.Errorf("message() = %v, want %v", got, tt.want)
			}
			if in, _, _ := sink.snapshot(); len(in) != 0 {
				t.Errorf("delivered %+v, want nothing", in[0])
			}
		})
	}
}

func TestReceiverLIDSender(t *testing.T) {
	sink := newFakeSink()
	r := testReceiver(sink, noDownload)
	e := dm("L", &waE2E.Message{Conversation: proto.String("oi")})
	e.Info.Chat, e.Info.Sender = clientLID, types.JID{User: clientLID.User, Device: 4, Server: types.HiddenUserServer}
	e.Info.SenderAlt = types.JID{User: clientPN.User, Device: 4, Server: types.DefaultUserServer}
	e.Info.AddressingMode = types.AddressingModeLID
	if !r.message(context.Background(), e) {
		t.Fatal("message() = false, want true")
	}
	in, _, _ := sink.snapshot()
	if len(in) != 1 || in[0].From != "5548999990001" {
		t.Fatalf("delivered %+v, want one message from 5548999990001", in)
	}
}

// failingLIDs is whatsmeow's LID map when its SQLite query fails: busy past the 5 s timeout,
// an I/O error, or the session's context cancelled while Close runs.
type failingLIDs struct{ err error }

var _ lidStore = failingLIDs{}

func (f failingLIDs) GetPNForLID(context.Context, types.JID) (types.JID, error) {
	return types.JID{}, f.err
}

// A message from a LID whose phone cannot be looked up right now stays unacknowledged, so that
// WhatsApp delivers it again; acknowledging it would lose it for good.
func TestReceiverLIDLookupFails(t *testing.T) {
	tests := []struct {
		name string
		lids lidStore
		ctx  func() context.Context
	}{
		{"store busy", failingLIDs{err: errors.New("database is locked (5) (SQLITE_BUSY)")}, context.Background},
		{"store i/o error", failingLIDs{err: errors.New("disk I/O error (10)")}, context.Background},
		{"session closing", failingLIDs{err: context.Canceled}, context.Background},
		{"real store, session closing", testLIDs(t), func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the session's context once Close began: the query fails
			return ctx
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			r := newReceiver("office-1", sink, newIdentities(tt.lids), noDownload, discardLog(), defaultConfig())
			e := dm("3EB0LID1", &waE2E.Message{Conversation: proto.String("quero meu holerite")})
			e.Info.Chat, e.Info.Sender = clientLID, clientLID // no SenderAlt
			if r.message(tt.ctx(), e) {
				t.Error("message() = true, want false: acknowledged without reaching the engine")
			}
			if in, _, _ := sink.snapshot(); len(in) != 0 {
				t.Errorf("delivered %+v, want nothing", in[0])
			}
		})
	}
}

func TestReceiverMedia(t *testing.T) {
	pdf := []byte("%PDF-1.7 holerite")
	doc := func(size uint64) *waE2E.Message {
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			FileName: proto.String("holerite.pdf"), Mimetype: proto.String("application/pdf"),
			FileLength: proto.Uint64(size), Caption: proto.String("segue"), ContextInfo: quoteOf("Q9"),
		}}
	}
	tests := []struct {
		name      string
		msg       *waE2E.Message
		download  downloadFunc
		want      bool
		delivered bool
		media     bool
		text      string
	}{
		{name: "document", msg: doc(uint64(len(pdf))), download: func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
			return pdf, nil
		}, want: true, delivered: true, media: true, text: "segue"},
		{name: "declared over the limit", msg: doc(2 << 20), download: noDownload,
			want: true, delivered: true, text: "segue\n[arquivo não recebido: maior que o limite de 1 MB]"},
		{name: "larger than declared", msg: doc(10), download: func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
			return nil, ErrMediaTooLarge
		}, want: true, delivered: true, text: "segue\n[arquivo não recebido: maior que o limite de 1 MB]"},
		{name: "gone from whatsapp", msg: doc(10), download: func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
			return nil, whatsmeow.ErrMediaDownloadFailedWith410
		}, want: true, delivered: true, text: "segue\n" + noteMediaUnavailable},
		{name: "network failure waits for redelivery", msg: doc(10), download: func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
			return nil, errors.New("dial tcp: i/o timeout")
		}, want: false},
		{name: "image", msg: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg")}},
			download: func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) { return []byte{0xff, 0xd8}, nil },
			want:     true, delivered: true, media: true},
		{name: "audio", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: proto.String("audio/ogg; codecs=opus")}},
			download: func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) { return []byte("OggS"), nil },
			want:     true, delivered: true, media: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			r := testReceiver(sink, tt.download)
			if got := r.message(context.Background(), dm("3EB0M", tt.msg)); got != tt.want {
				t.Fatalf("message() = %v, want %v", got, tt.want)
			}
			in, _, _ := sink.snapshot()
			if !tt.delivered {
				if len(in) != 0 {
					t.Fatalf("delivered %+v, want nothing", in[0])
				}
				return
			}
			if len(in) != 1 {
				t.Fatalf("delivered %d messages, want 1", len(in))
			}
			if in[0].Text != tt.text {
				t.Errorf("text = %q, want %q", in[0].Text, tt.text)
			}
			if (in[0].Media != nil) != tt.media {
				t.Fatalf("media = %+v, want present %v", in[0].Media, tt.media)
			}
			if in[0].Media != nil && (len(in[0].Media.Data) == 0 || in[0].Media.Name == "" || in[0].Media.MIME == "") {
				t.Errorf("media = %+v, want name, type and bytes", in[0].Media)
			}
		})
	}
	t.Run("quoted document keeps the quote", func(t *testing.T) {
		sink := newFakeSink()
		r := testReceiver(sink, func(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) { return pdf, nil })
		r.message(context.Background(), dm("3EB0Q", doc(uint64(len(pdf)))))
		in, _, _ := sink.snapshot()
		if len(in) != 1 || in[0].QuotedID != "Q9" || in[0].Media.Name != "holerite.pdf" || in[0].Media.MIME != "application/pdf" || !strings.HasPrefix(string(in[0].Media.Data), "%PDF-") {
			t.Errorf("inbound = %+v", in)
		}
	})
}

func TestReceipts(t *testing.T) {
	at := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)
	receipt := func(typ types.ReceiptType, chat types.JID) *events.Receipt {
		return &events.Receipt{
			MessageSource: types.MessageSource{Chat: chat, Sender: chat},
			MessageIDs:    []types.MessageID{"3EB0X1", "3EB0X2"},
			Timestamp:     at,
			Type:          typ,
		}
	}
	tests := []struct {
		name   string
		evt    *events.Receipt
		lids   lidStore
		want   string // status of both receipts, "" for none
		unAckd bool   // left for WhatsApp to deliver again
	}{
		{name: "delivered", evt: receipt(types.ReceiptTypeDelivered, clientPN), want: balcao.StatusDelivered},
		{name: "read", evt: receipt(types.ReceiptTypeRead, clientPN), want: balcao.StatusRead},
		{name: "played", evt: receipt(types.ReceiptTypePlayed, clientPN), want: balcao.StatusRead},
		{name: "read by the office itself", evt: receipt(types.ReceiptTypeReadSelf, clientPN)},
		{name: "server ack", evt: receipt(types.ReceiptTypeSender, clientPN)},
		{name: "group", evt: func() *events.Receipt {
			r := receipt(types.ReceiptTypeRead, groupJID)
			r.IsGroup = true
			return r
		}()},
		{name: "lid with its phone", evt: func() *events.Receipt {
			r := receipt(types.ReceiptTypeRead, clientLID)
			r.SenderAlt = clientPN
			return r
		}(), want: balcao.StatusRead},
		{name: "lid unknown is dropped", evt: receipt(types.ReceiptTypeRead, clientLID), lids: testLIDs(t)},
		{name: "lid look-up fails", evt: receipt(types.ReceiptTypeRead, clientLID), lids: failingLIDs{err: errors.New("database is locked (5) (SQLITE_BUSY)")}, unAckd: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			r := testReceiver(sink, noDownload)
			r.ids = newIdentities(tt.lids)
			if acked := r.receipt(context.Background(), tt.evt); acked == tt.unAckd {
				t.Errorf("receipt() = %v, want %v", acked, !tt.unAckd)
			}
			_, got, _ := sink.snapshot()
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("receipts = %+v, want none", got[0])
				}
				return
			}
			if len(got) != 2 {
				t.Fatalf("got %d receipts, want 2", len(got))
			}
			for i, id := range []string{"3EB0X1", "3EB0X2"} {
				want := gateway.Receipt{Office: "office-1", To: "5548999990001", ID: id, Status: tt.want, At: at}
				if *got[i] != want {
					t.Errorf("receipt %d = %+v, want %+v", i, *got[i], want)
				}
			}
		})
	}
}
