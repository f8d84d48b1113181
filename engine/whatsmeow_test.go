package engine_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/gateway/whatsapp"
	"github.com/balcao/balcao/gateway/whatsapp/whatsapptest"
)

func startWhatsmeowEngine(t *testing.T, wa *whatsapptest.Servers, logs *lockedBuffer) *engine.Engine {
	t.Helper()
	return startEngine(t, func(c *engine.Config) {
		c.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		c.WhatsApp = "whatsmeow"
		c.WhatsAppOptions = []whatsapp.Option{whatsapp.WithDial(wa.Dial), whatsapp.WithPacing(100, 100, 0)}
	})
}

// waitWhatsApp reads whatsapp.status frames until one satisfies ok, and checks that GET
// /api/whatsapp/status says the same.
func waitWhatsApp(t *testing.T, c *client, ws *websocket.Conn, what string, ok func(balcao.WhatsAppStatus) bool) balcao.WhatsAppStatus {
	t.Helper()
	for {
		f := next(t, ws, func(f wsFrame) bool { return f.Type == balcao.EventWhatsAppStatus })
		var st balcao.WhatsAppStatus
		if err := json.Unmarshal(f.Data, &st); err != nil {
			t.Fatalf("whatsapp.status %s: %v", f.Data, err)
		}
		if !ok(st) {
			continue
		}
		status, body := c.do("GET", "/api/whatsapp/status", nil)
		if got := decode[balcao.WhatsAppStatus](t, body); status != http.StatusOK || got != st {
			t.Fatalf("%s: GET /api/whatsapp/status = %d %s, want %+v as on the websocket", what, status, body, st)
		}
		return st
	}
}

// TestWhatsmeowPairingOverHTTP: with the real whatsmeow gateway (only WhatsApp's servers
// faked), the office pairs from the staff API: the QR code reaches GET /api/whatsapp/status
// and the websocket, expired codes leave it logged out until an administrator asks for new
// ones, the scan shows the number, a client's message reaches its conversation, and unlinking
// keeps the replies that could not go out in the outbox.
func TestWhatsmeowPairingOverHTTP(t *testing.T) {
	wa := whatsapptest.NewServers()
	var logs lockedBuffer
	e := startWhatsmeowEngine(t, wa, &logs)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	ws := admin.socket("")

	var st balcao.WhatsAppStatus
	eventually(t, "the first QR code", func() bool { // shown before the socket opened
		_, body := admin.do("GET", "/api/whatsapp/status", nil)
		st = decode[balcao.WhatsAppStatus](t, body)
		return st.State == balcao.WhatsAppWaitingQR
	})
	if st.QR != "2@code-1" {
		t.Fatalf("status = %+v, want the first QR code", st)
	}
	first := wa.Client(t, 10*time.Second)

	ana := newClient(t, e)
	ana.login("demo", "ana")
	for _, path := range []string{"/api/whatsapp/connect", "/api/whatsapp/logout"} {
		if status, body := ana.do("POST", path, nil); status != http.StatusForbidden {
			t.Errorf("POST %s as atendente = %d %s, want 403", path, status, body)
		}
	}

	// The codes run out (whatsmeow closes the pairing socket): logged out, with the reason.
	first.DangerousInternals().DispatchEvent(&events.Disconnected{})
	st = waitWhatsApp(t, admin, ws, "codes expired", func(s balcao.WhatsAppStatus) bool { return s.State == balcao.WhatsAppLoggedOut })
	if st.Error == "" || st.QR != "" {
		t.Errorf("status after the codes ran out = %+v, want the reason and no code", st)
	}
	if status, body := admin.do("POST", "/api/whatsapp/connect", nil); status != http.StatusAccepted {
		t.Fatalf("POST /api/whatsapp/connect = %d %s, want 202", status, body)
	}
	st = waitWhatsApp(t, admin, ws, "a new code", func(s balcao.WhatsAppStatus) bool { return s.State == balcao.WhatsAppWaitingQR })
	if st.QR != "2@code-2" {
		t.Fatalf("status after asking again = %+v, want a new code", st)
	}

	// The phone scans: whatsmeow stores the device, then reports.
	cli := wa.Client(t, 10*time.Second)
	own := types.JID{User: "554830000001", Device: 7, Server: types.DefaultUserServer}
	cli.Store.ID = &own
	cli.DangerousInternals().DispatchEvent(&events.PairSuccess{ID: own})
	cli.DangerousInternals().DispatchEvent(&events.Connected{})
	st = waitWhatsApp(t, admin, ws, "connected", func(s balcao.WhatsAppStatus) bool { return s.State == balcao.WhatsAppConnected })
	if st.Phone != "+554830000001" {
		t.Errorf("connected status = %+v, want the office's number", st)
	}

	// A client writes: stored (so acknowledged to WhatsApp) in its conversation; the
	// assistant's replies wait in the outbox (nothing really connects offline).
	const phone = "5548999990001" // Carlos Souza, a demo contact
	msg := &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: types.NewJID(phone, types.DefaultUserServer), Sender: types.NewJID(phone, types.DefaultUserServer)},
			ID:            "3EB0PAIR1",
			Timestamp:     time.Now().Truncate(time.Second),
		},
		Message: &waE2E.Message{Conversation: proto.String("bom dia")},
	}
	if failed := cli.DangerousInternals().DispatchEvent(msg); failed {
		t.Fatal("client's message not acknowledged to WhatsApp")
	}
	var replies int
	eventually(t, "the message stored and the replies queued", func() bool {
		msgs, _, err := e.DB().Messages("demo", phone, 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		in := 0
		replies = 0
		for _, m := range msgs {
			switch {
			case m.Direction == balcao.Inbound && m.Text == "bom dia":
				in++
			case m.Direction == balcao.Outbound:
				replies++
			}
		}
		return in == 1 && replies > 0
	})

	// Unlinked from the UI: logged out, and the replies stay queued in the outbox.
	before := len(logs.String())
	if status, body := admin.do("POST", "/api/whatsapp/logout", nil); status != http.StatusNoContent {
		t.Fatalf("POST /api/whatsapp/logout = %d %s, want 204", status, body)
	}
	st = waitWhatsApp(t, admin, ws, "logged out", func(s balcao.WhatsAppStatus) bool { return s.State == balcao.WhatsAppLoggedOut })
	if st.Phone != "" {
		t.Errorf("status after unlinking = %+v, want no number", st)
	}
	// Tried again and again (a failed send is transient): nothing is dropped or failed.
	eventually(t, "the replies retried while logged out", func() bool {
		return strings.Count(logs.String()[before:], `msg="send whatsapp message"`) >= 2
	})
	entries := 0
	if err := e.DB().Outbox("demo", func(string, uint64, bool) bool { entries++; return true }); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := e.DB().Messages("demo", phone, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Direction == balcao.Outbound && m.Status != balcao.StatusQueued {
			t.Errorf("reply %q is %s while WhatsApp is not linked, want queued", m.Text, m.Status)
		}
	}
	if entries == 0 {
		t.Errorf("outbox empty after unlinking with %d replies not sent", replies)
	}
}

// TestWhatsmeowQRForAdminsOnly: with the real whatsmeow gateway (only WhatsApp's servers
// faked), the pairing QR codes reach administrators only. An atendente and a gerente follow the
// connection's state over GET /api/whatsapp/status and the websocket but never get a code:
// whoever scans one links their own phone as the office's WhatsApp.
func TestWhatsmeowQRForAdminsOnly(t *testing.T) {
	wa := whatsapptest.NewServers()
	var logs lockedBuffer
	e := startWhatsmeowEngine(t, wa, &logs)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "gil", "name": "Gil Gerente", "role": "gerente", "password": demoPassword}); status != http.StatusCreated {
		t.Fatalf("create gerente: %d %s", status, body)
	}
	ana, gil := newClient(t, e), newClient(t, e)
	ana.login("demo", "ana")
	gil.login("demo", "gil")
	staff := []struct {
		role   string
		c      *client
		ws     *websocket.Conn
		seesQR bool
	}{{"administrador", admin, admin.socket(""), true}, {"atendente", ana, ana.socket(""), false}, {"gerente", gil, gil.socket(""), false}}
	for _, s := range staff { // subscribed once the hello comes
		next(t, s.ws, func(f wsFrame) bool { return f.Type == "hello" })
	}

	// rest checks GET /api/whatsapp/status for everyone: the state, and the code for the
	// administrador alone.
	rest := func(state balcao.WhatsAppState, code string) {
		t.Helper()
		for _, s := range staff {
			status, body := s.c.do("GET", "/api/whatsapp/status", nil)
			st := decode[balcao.WhatsAppStatus](t, body)
			want := balcao.WhatsAppStatus{State: state}
			if s.seesQR {
				want.QR = code
			}
			if status != http.StatusOK || st != want || (!s.seesQR && strings.Contains(string(body), "2@code")) {
				t.Errorf("GET /api/whatsapp/status as %s = %d %s, want %+v", s.role, status, body, want)
			}
		}
	}
	// live reads each socket's whatsapp.status frames until one in state, and checks that only
	// the administrador's carry a code, the last one code.
	live := func(state balcao.WhatsAppState, code string) {
		t.Helper()
		for _, s := range staff {
			var st balcao.WhatsAppStatus
			next(t, s.ws, func(f wsFrame) bool {
				if f.Type != balcao.EventWhatsAppStatus {
					return false
				}
				if !s.seesQR && strings.Contains(string(f.Data), "2@code") {
					t.Errorf("whatsapp.status to the %s = %s, want no QR code", s.role, f.Data)
				}
				st = decode[balcao.WhatsAppStatus](t, f.Data)
				return st.State == state
			})
			if want := map[bool]string{true: code}[s.seesQR]; st.QR != want {
				t.Errorf("whatsapp.status %s to the %s = %+v, want QR %q", state, s.role, st, want)
			}
		}
	}

	eventually(t, "the first QR code", func() bool {
		_, body := admin.do("GET", "/api/whatsapp/status", nil)
		return decode[balcao.WhatsAppStatus](t, body).State == balcao.WhatsAppWaitingQR
	})
	rest(balcao.WhatsAppWaitingQR, "2@code-1")

	// The codes run out; the administrador asks for new ones: every socket follows, and only
	// the administrador's gets the new code.
	wa.Client(t, 10*time.Second).DangerousInternals().DispatchEvent(&events.Disconnected{})
	live(balcao.WhatsAppLoggedOut, "")
	if status, body := admin.do("POST", "/api/whatsapp/connect", nil); status != http.StatusAccepted {
		t.Fatalf("POST /api/whatsapp/connect = %d %s, want 202", status, body)
	}
	live(balcao.WhatsAppWaitingQR, "2@code-2")
	rest(balcao.WhatsAppWaitingQR, "2@code-2")

	// A socket that reconnects gets what it missed (replayed from the hub's window), and still
	// no code unless it is the administrador's.
	for i := range staff {
		s := &staff[i]
		s.ws.CloseNow()
		s.ws = s.c.socket("?since=0&epoch=" + e.Hub().Epoch())
		if hello := next(t, s.ws, func(f wsFrame) bool { return f.Type == "hello" }); hello.Resync {
			t.Fatalf("the %s's socket must resync: nothing replayed", s.role)
		}
	}
	live(balcao.WhatsAppLoggedOut, "")
	live(balcao.WhatsAppWaitingQR, "2@code-2")
}

// TestWhatsmeowQuotedReply: a client's reply that quotes a message on WhatsApp (its own, or
// one the office sent) keeps which message it answers, for the staff; a quote of a message
// Balcão does not have is no quote. The quote was parsed by the gateway and then dropped.
func TestWhatsmeowQuotedReply(t *testing.T) {
	wa := whatsapptest.NewServers()
	var logs lockedBuffer
	e := startWhatsmeowEngine(t, wa, &logs)
	cli := wa.Client(t, 10*time.Second) // pairing: the handler takes messages all the same
	const phone = "5548999990001"       // Carlos Souza, a demo contact
	from := types.NewJID(phone, types.DefaultUserServer)
	at := time.Now().Truncate(time.Second)
	send := func(id string, msg *waE2E.Message) {
		t.Helper()
		at = at.Add(time.Second)
		evt := &events.Message{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: from, Sender: from}, ID: types.MessageID(id), Timestamp: at}, Message: msg}
		if failed := cli.DangerousInternals().DispatchEvent(evt); failed {
			t.Fatalf("message %s not acknowledged", id)
		}
	}
	quoting := func(text, id string) *waE2E.Message {
		return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(text), ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(id)}}}
	}
	send("3EB0A1B2C3D4E5F6A7B8C9D0", &waE2E.Message{Conversation: proto.String("qual o valor da guia?")})
	var reply balcao.Message
	eventually(t, "a reply", func() bool {
		msgs, _, err := e.DB().Messages("demo", phone, 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Direction == balcao.Outbound {
				reply = m
				return true
			}
		}
		return false
	})
	send("ABCD0002", quoting("essa aqui", "3EB0A1B2C3D4E5F6A7B8C9D0"))
	send("ABCD0003", quoting("e esta?", reply.WAID))
	send("ABCD0004", quoting("e aquela de antes?", "3EB0FFFFFFFF000000000001"))

	admin := newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/conversations/"+phone+"/messages?limit=50", nil)
	var list struct {
		Messages []balcao.Message `json:"messages"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("messages %s: %v", body, err)
	}
	seqOf := map[string]uint64{}
	quotes := map[string]uint64{}
	for _, m := range list.Messages {
		seqOf[m.Text] = m.Seq
		quotes[m.Text] = m.Quoted
	}
	for text, want := range map[string]uint64{
		"qual o valor da guia?": 0,
		"essa aqui":             seqOf["qual o valor da guia?"],
		"e esta?":               reply.Seq,
		"e aquela de antes?":    0,
	} {
		if _, ok := seqOf[text]; !ok {
			t.Fatalf("message %q not stored: %s", text, body)
		}
		if quotes[text] != want {
			t.Errorf("%q quotes message %d, want %d", text, quotes[text], want)
		}
	}
}
