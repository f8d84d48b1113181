package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/balcao/balcao/gateway"
)

// fakeClient stands in for whatsmeow's Client at the sending edge.
type fakeClient struct {
	registered map[string]types.JID // "+phone" asked → account JID
	sendErr    []error              // errors of the next SendMessage calls, in order
	uploadErr  error
	upload     func(data []byte) whatsmeow.UploadResponse

	mu      sync.Mutex
	lookups [][]string
	uploads int
	sent    []sentMsg
}

type sentMsg struct {
	to  types.JID
	msg *waE2E.Message
	id  types.MessageID
}

var _ waClient = (*fakeClient)(nil)

func (f *fakeClient) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups = append(f.lookups, phones)
	var out []types.IsOnWhatsAppResponse
	for _, p := range phones {
		j, ok := f.registered[p]
		out = append(out, types.IsOnWhatsAppResponse{Query: p, JID: j, IsIn: ok})
	}
	return out, nil
}

func (f *fakeClient) Upload(_ context.Context, data []byte, mt whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads++
	if f.uploadErr != nil {
		return whatsmeow.UploadResponse{}, f.uploadErr
	}
	if mt != whatsmeow.MediaDocument {
		return whatsmeow.UploadResponse{}, fmt.Errorf("media type %s, want document", mt)
	}
	if f.upload != nil {
		return f.upload(data), nil
	}
	return uploaded(data), nil
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(extra) != 1 || extra[0].ID == "" {
		return whatsmeow.SendResponse{}, errors.New("send without the engine's id")
	}
	f.sent = append(f.sent, sentMsg{to: to, msg: msg, id: extra[0].ID})
	if len(f.sendErr) > 0 {
		err := f.sendErr[0]
		f.sendErr = f.sendErr[1:]
		return whatsmeow.SendResponse{}, err
	}
	return whatsmeow.SendResponse{ID: extra[0].ID}, nil
}

func newFakeClient() *fakeClient {
	return &fakeClient{registered: map[string]types.JID{
		"+5548999990001": clientPN,
		"+554899990002":  {User: "554899990002", Server: types.DefaultUserServer}, // registered without the ninth digit
	}}
}

func sendOne(t *testing.T, s *sender, cli waClient, m *gateway.Outbound) error {
	t.Helper()
	o, err := s.prepare(m)
	if err != nil {
		return err
	}
	return s.send(context.Background(), cli, o)
}

func TestSenderText(t *testing.T) {
	cli := newFakeClient()
	s := newSender(newIdentities(nil), DefaultMaxMedia)
	if err := sendOne(t, s, cli, &gateway.Outbound{To: "+55 (48) 99999-0001", ID: "3EB0T1", Text: "Olá!"}); err != nil {
		t.Fatal(err)
	}
	if len(cli.sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(cli.sent))
	}
	got := cli.sent[0]
	if got.to != clientPN || got.id != "3EB0T1" || got.msg.GetConversation() != "Olá!" {
		t.Errorf("sent %s %s %v, want to %s with id 3EB0T1", got.to, got.id, got.msg, clientPN)
	}
	if m := s.sentMessage("3EB0T1"); m.GetConversation() != "Olá!" {
		t.Errorf("sentMessage for retry receipts = %v", m)
	}
	// The JID found is remembered: no second lookup.
	_ = sendOne(t, s, cli, &gateway.Outbound{To: "5548999990001", ID: "3EB0T2", Text: "de novo"})
	if len(cli.lookups) != 1 {
		t.Errorf("looked up %d times, want 1", len(cli.lookups))
	}
}

// A Brazilian mobile registered without its ninth digit is found and written to as registered.
func TestSenderNinthDigit(t *testing.T) {
	cli := newFakeClient()
	s := newSender(newIdentities(nil), DefaultMaxMedia)
	if err := sendOne(t, s, cli, &gateway.Outbound{To: "5548999990002", ID: "3EB0N", Text: "oi"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"+5548999990002", "+554899990002"}; strings.Join(cli.lookups[0], ",") != strings.Join(want, ",") {
		t.Errorf("asked %v, want %v", cli.lookups[0], want)
	}
	if got := cli.sent[0].to.User; got != "554899990002" {
		t.Errorf("sent to %s, want the registered 554899990002", got)
	}
}

// Replies go to the JID the client wrote from, without asking WhatsApp.
func TestSenderReplyToInboundJID(t *testing.T) {
	cli := newFakeClient()
	ids := newIdentities(nil)
	old := types.JID{User: "554799990003", Server: types.DefaultUserServer}
	if _, err := ids.phone(context.Background(), old, types.JID{}); err != nil {
		t.Fatal(err)
	}
	s := newSender(ids, DefaultMaxMedia)
	if err := sendOne(t, s, cli, &gateway.Outbound{To: "5547999990003", ID: "3EB0R", Text: "oi"}); err != nil {
		t.Fatal(err)
	}
	if len(cli.lookups) != 0 || cli.sent[0].to != old {
		t.Errorf("lookups %v, sent to %s; want no lookup and %s", cli.lookups, cli.sent[0].to, old)
	}
}

func TestSenderDocument(t *testing.T) {
	cli := newFakeClient()
	cli.sendErr = []error{whatsmeow.ErrMessageTimedOut}
	s := newSender(newIdentities(nil), DefaultMaxMedia)
	m := &gateway.Outbound{To: "5548999990001", ID: "3EB0D1", Text: "Segue o holerite.", File: &gateway.File{Name: "holerite.pdf", MIME: "application/pdf", Data: testPDF}}
	err := sendOne(t, s, cli, m)
	if !errors.Is(err, ErrTransient) {
		t.Fatalf("first attempt = %v, want transient", err)
	}
	if err := sendOne(t, s, cli, m); err != nil {
		t.Fatalf("retry = %v", err)
	}
	if cli.uploads != 1 {
		t.Errorf("uploaded %d times, want once for both attempts", cli.uploads)
	}
	if len(cli.sent) != 2 || cli.sent[0].id != cli.sent[1].id {
		t.Fatalf("attempts sent %+v, want two with one id", cli.sent)
	}
	d := cli.sent[1].msg.GetDocumentMessage()
	if d.GetFileLength() != uint64(len(testPDF)) || d.GetFileName() != "holerite.pdf" || d.GetCaption() != "Segue o holerite." || d.GetMimetype() != "application/pdf" {
		t.Errorf("document = %v", d)
	}
}

// An upload WhatsApp stored short is refused, and the next attempt uploads again.
func TestSenderShortUpload(t *testing.T) {
	cli := newFakeClient()
	cli.upload = func(data []byte) whatsmeow.UploadResponse {
		up := uploaded(data)
		up.FileLength = 0
		return up
	}
	s := newSender(newIdentities(nil), DefaultMaxMedia)
	m := &gateway.Outbound{To: "5548999990001", ID: "3EB0S", File: &gateway.File{Name: "guia.pdf", Data: testPDF}}
	if err := sendOne(t, s, cli, m); !errors.Is(err, ErrBrokenFile) || !errors.Is(err, ErrPermanent) {
		t.Fatalf("send = %v, want permanent ErrBrokenFile", err)
	}
	cli.upload = nil
	if err := sendOne(t, s, cli, m); err != nil {
		t.Fatalf("send after a good upload = %v", err)
	}
	if cli.uploads != 2 || len(cli.sent) != 1 {
		t.Errorf("uploads %d, sent %d; want 2 and 1", cli.uploads, len(cli.sent))
	}
}

func TestSenderErrors(t *testing.T) {
	tests := []struct {
		name    string
		m       *gateway.Outbound
		setup   func(*fakeClient)
		class   error
		wantErr error
	}{
		{name: "invalid phone", m: &gateway.Outbound{To: "abc", ID: "1", Text: "oi"}, class: ErrPermanent, wantErr: ErrInvalidPhone},
		{name: "no id", m: &gateway.Outbound{To: "5548999990001", Text: "oi"}, class: ErrPermanent, wantErr: ErrEmptyMessage},
		{name: "nothing to send", m: &gateway.Outbound{To: "5548999990001", ID: "1", Text: "  "}, class: ErrPermanent, wantErr: ErrEmptyMessage},
		{name: "empty pdf", m: &gateway.Outbound{To: "5548999990001", ID: "1", File: &gateway.File{Name: "a.pdf"}}, class: ErrPermanent, wantErr: ErrEmptyFile},
		{name: "not on whatsapp", m: &gateway.Outbound{To: "5511988887777", ID: "1", Text: "oi"}, class: ErrPermanent, wantErr: ErrNotOnWhatsApp},
		{name: "send timed out", m: &gateway.Outbound{To: "5548999990001", ID: "1", Text: "oi"},
			setup: func(c *fakeClient) { c.sendErr = []error{whatsmeow.ErrMessageTimedOut} }, class: ErrTransient, wantErr: whatsmeow.ErrMessageTimedOut},
		{name: "disconnected", m: &gateway.Outbound{To: "5548999990001", ID: "1", Text: "oi"},
			setup: func(c *fakeClient) { c.sendErr = []error{whatsmeow.ErrNotConnected} }, class: ErrTransient, wantErr: whatsmeow.ErrNotConnected},
		{name: "upload failed", m: &gateway.Outbound{To: "5548999990001", ID: "1", File: &gateway.File{Name: "a.pdf", Data: testPDF}},
			setup: func(c *fakeClient) { c.uploadErr = errors.New("upload: 503") }, class: ErrTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cli := newFakeClient()
			if tt.setup != nil {
				tt.setup(cli)
			}
			err := sendOne(t, newSender(newIdentities(nil), DefaultMaxMedia), cli, tt.m)
			if !errors.Is(err, tt.class) || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("send = %v, want %v wrapping %v", err, tt.class, tt.wantErr)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	b := newBounded[int](2)
	b.put("a", 1)
	b.put("b", 2)
	b.put("a", 3) // an update keeps its place
	b.put("c", 4) // drops the oldest
	if _, ok := b.get("a"); ok {
		t.Error("oldest entry kept past the bound")
	}
	if v, _ := b.get("c"); v != 4 {
		t.Errorf("get(c) = %d, want 4", v)
	}
	b.remove("b")
	b.remove("zz")
	if len(b.m) != 1 || len(b.order) != 1 {
		t.Errorf("after remove: %v %v", b.m, b.order)
	}
}
