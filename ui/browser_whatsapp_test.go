package ui_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/gateway/whatsapp"
	"github.com/balcao/balcao/gateway/whatsapp/whatsapptest"
)

// TestBrowserWhatsAppPairing: Conexão WhatsApp on the real whatsmeow gateway (only WhatsApp's
// servers faked). The QR code shows; when the codes expire the screen says so live and the
// administrador gets new ones with a button; a pairing code is asked from the screen (offline
// WhatsApp cannot give one: the Portuguese error shows); the scan shows the number; Desconectar
// unlinks and the screen asks to pair again. An atendente sees the state and that only an
// administrador connects the WhatsApp, never the QR code, and no such buttons. A client's reply
// that quotes a message shows the quoted text.
func TestBrowserWhatsAppPairing(t *testing.T) {
	browser(t)
	wa := whatsapptest.NewServers()
	dir := t.TempDir()
	e, err := engine.Start(engine.Config{
		DataDir: dir, Addr: "127.0.0.1:0", Demo: true, DemoPassword: browserPass,
		WhatsApp: "whatsmeow", WhatsAppOptions: []whatsapp.Option{whatsapp.WithDial(wa.Dial)},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = e.Stop(ctx)
		os.RemoveAll(dir)
	})
	base := "http://" + e.Addr()
	first := wa.Client(t, waitFor)

	p := newTab(t, base)
	p.login("admin")
	p.do("see the QR code",
		chromedp.Navigate(base+"/#/whatsapp"),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-waiting_qr`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp svg.qr`)),
	)

	// An atendente sees the state, not the code: whoever scans it links their phone as the
	// office's WhatsApp.
	ana := newTab(t, base)
	ana.login("ana")
	ana.do("atendente sees the pairing under way",
		chromedp.Navigate(base+"/#/whatsapp"),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-waiting_qr`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .wa-admin-only`)),
	)
	if got, want := ana.eval(`document.querySelector('#screen-whatsapp .wa-admin-only').textContent`), "Aguardando o administrador conectar o WhatsApp: só um administrador pode conectar o número do escritório."; got != want {
		t.Errorf("atendente's advice = %q, want %q", got, want)
	}
	if n := ana.eval(`String(document.querySelectorAll('#screen-whatsapp .qr, #screen-whatsapp [aria-label="QR Code"], #screen-whatsapp canvas, #screen-whatsapp img').length)`); n != "0" {
		t.Errorf("an atendente sees %s QR codes, want none", n)
	}

	// The codes run out: the screen follows at once and offers new ones.
	first.DangerousInternals().DispatchEvent(&events.Disconnected{})
	p.do("see the codes expired",
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-logged_out`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .wa-advice`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#screen-whatsapp svg.qr`)),
	)
	p.do("ask for new codes",
		chromedp.Click(chromedp.CSS(`#wa-connect`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-waiting_qr`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp svg.qr`)),
	)
	second := wa.Client(t, waitFor)
	if second == first {
		t.Fatal("new codes came from the expired attempt's client")
	}

	// A pairing code instead of the QR code: offline, WhatsApp cannot give one.
	p.do("ask for a pairing code",
		fill(`#screen-whatsapp .wa-pair input`, "+55 48 99999-0001"),
		chromedp.Click(chromedp.CSS(`#screen-whatsapp .wa-pair button`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .error`)),
	)
	if got, want := p.eval(`document.querySelector('#screen-whatsapp .error').textContent`), "Não foi possível gerar o código de pareamento. Confira o número e tente de novo."; got != want {
		t.Errorf("pairing code error = %q, want %q", got, want)
	}

	// The phone scans: connected as the office's number, and Desconectar is offered.
	own := types.JID{User: "554830000001", Device: 7, Server: types.DefaultUserServer}
	second.Store.ID = &own
	second.DangerousInternals().DispatchEvent(&events.PairSuccess{ID: own})
	second.DangerousInternals().DispatchEvent(&events.Connected{})
	p.do("see it connected",
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-connected`)),
		chromedp.WaitVisible(chromedp.CSS(`#wa-logout`)),
	)

	// A client replies quoting its own message: the staff see what it answers.
	from := types.NewJID("5548999990001", types.DefaultUserServer) // Carlos Souza, a demo contact
	at := time.Now().Truncate(time.Second)
	for i, m := range []*waE2E.Message{
		{Conversation: proto.String("Qual o vencimento do DAS deste mês?")},
		{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("Quero falar com um atendente sobre isso"), ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("3EB0QUOTE1")}}},
	} {
		evt := &events.Message{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: from, Sender: from},
			ID: types.MessageID(fmt.Sprintf("3EB0QUOTE%d", i+1)), Timestamp: at.Add(time.Duration(i) * time.Second)}, Message: m}
		if failed := second.DangerousInternals().DispatchEvent(evt); failed {
			t.Fatalf("client message %d not acknowledged", i+1)
		}
	}
	p.do("see the quote in the conversation",
		chromedp.Navigate(base+"/#/atendimento/contatos/5548999990001"),
		chromedp.WaitVisible(chromedp.CSS(`#history .quote`)),
	)
	if got := p.eval(`document.querySelector('#history .quote').textContent`); got != "Qual o vencimento do DAS deste mês?" {
		t.Errorf("quote = %q, want the message the client replied to", got)
	}
	p.do("back to the connection", chromedp.Navigate(base+"/#/whatsapp"), chromedp.WaitVisible(chromedp.CSS(`#wa-logout`)))

	ana.do("atendente sees the connection", chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-connected`)))
	if n := ana.eval(`String(document.querySelectorAll('#wa-logout, #wa-connect, #screen-whatsapp .wa-pair').length)`); n != "0" {
		t.Errorf("an atendente sees %s connection buttons, want 0", n)
	}

	p.do("unlink",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`#wa-logout`)),
		chromedp.WaitVisible(chromedp.CSS(`#screen-whatsapp .chip.wa-logged_out`)),
		chromedp.WaitVisible(chromedp.CSS(`#wa-connect`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#wa-logout`)),
	)
}
