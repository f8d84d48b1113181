package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
)

// turnFrames are the websocket messages a staff socket gets for one answered inbound message:
// the turn's events in one array (inbound, reply, conversation), then the reply's statuses.
func turnFrames(tb testing.TB, seq uint64) [][]byte {
	tb.Helper()
	at := turnTime
	view := balcao.ConversationView{
		ID: "5511961234567", State: balcao.StateAssistant,
		Contact:   balcao.ContactView{Phone: "5511961234567", Name: "Cliente 123 da Silva", Linked: true},
		Companies: []balcao.CompanyRef{{ID: "c1", Name: "Empresa Exemplo 7 Ltda"}},
		LastAt:    at, Preview: "Digite o número ou escreva o que precisa", StateSince: at, LastSeq: 42,
	}
	in := balcao.Message{Seq: 41, Direction: balcao.Inbound, Author: balcao.AuthorClient,
		Text: "me manda o holerite de outubro", WAID: benchID(123456), At: at}
	out := balcao.Message{Seq: 42, Direction: balcao.Outbound, Author: balcao.AuthorAssistant,
		Text: "Olá, Cliente! 👋 Como posso ajudar?\n" + msgMenuForTest, Status: balcao.StatusQueued, At: at}
	ev := func(typ string, data any) string {
		seq++
		b, err := json.Marshal(balcao.Event{Seq: seq, Type: typ, At: at, Data: data})
		if err != nil {
			tb.Fatal(err)
		}
		return string(b)
	}
	turn := "[" + strings.Join([]string{
		ev(balcao.EventMessageAdded, balcao.MessageAdded{Conversation: view.ID, Message: &in}),
		ev(balcao.EventMessageAdded, balcao.MessageAdded{Conversation: view.ID, Message: &out}),
		ev(balcao.EventConversationChanged, balcao.ConversationChanged{Conversation: &view, Reason: "message"}),
	}, ",") + "]"
	sent := ev(balcao.EventMessageStatus, balcao.MessageStatusChanged{Conversation: view.ID, Seq: 42, Status: balcao.StatusSent})
	delivered := ev(balcao.EventMessageStatus, balcao.MessageStatusChanged{Conversation: view.ID, Seq: 42, Status: balcao.StatusDelivered})
	return [][]byte{[]byte(turn), []byte(sent), []byte(delivered)}
}

// turnTime is when turnFrames's events happen and are stamped.
var turnTime = time.Date(2026, 11, 25, 13, 0, 0, 123456789, time.UTC)

// eachTurnFrame reads every event of turnFrames with parse and hands it to fn.
func eachTurnFrame(t *testing.T, parse func([]byte, *frame) bool, fn func(f *frame)) {
	t.Helper()
	var (
		f      frame
		frames [][]byte
	)
	for _, msg := range turnFrames(t, 100) {
		frames = splitFrames(frames, msg)
		for _, one := range frames {
			if !parse(one, &f) {
				t.Fatalf("unparsed frame %s", one)
			}
			fn(&f)
		}
	}
}

const msgMenuForTest = "Digite o número ou escreva o que precisa (ex.: *DAS de outubro*):\n1 - Holerite\n" +
	"2 - Guias de impostos (DAS, FGTS, INSS…)\n3 - Informe de rendimentos\n4 - Férias / 13º / rescisão\n" +
	"5 - Balancete, DRE e balanço\n6 - Situação de um pedido\n7 - Falar com um atendente"

// TestStaffFramesOfATurn: of a turn's messages a staff socket finds the inbound's bench id and
// the last seq.
func TestStaffFramesOfATurn(t *testing.T) {
	var (
		ids  []uint64
		last uint64
	)
	eachTurnFrame(t, parseStaffFrame, func(f *frame) {
		last = max(last, f.seq)
		if string(f.typ) == balcao.EventMessageAdded && string(f.direction) == "in" {
			n, ok := parseBenchID(f.waID)
			if !ok {
				t.Fatalf("bench id %q", f.waID)
			}
			ids = append(ids, n)
		}
	})
	if len(ids) != 1 || ids[0] != 123456 || last != 105 {
		t.Errorf("ids %v, last seq %d; want [123456], 105", ids, last)
	}
}

// BenchmarkStaffFrames is a staff socket's parsing of one answered message's websocket
// messages (a turn's array of three events, two statuses): the harness runs it for every
// socket of the office, in the engine's process.
func BenchmarkStaffFrames(b *testing.B) {
	msgs := turnFrames(b, 100)
	var (
		f      frame
		frames [][]byte
		found  int
	)
	size := 0
	for _, m := range msgs {
		size += len(m)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, msg := range msgs {
			frames = splitFrames(frames, msg)
			for _, one := range frames {
				if parseStaffFrame(one, &f) && string(f.direction) == "in" {
					if _, ok := parseBenchID(f.waID); ok {
						found++
					}
				}
			}
		}
	}
	if found == 0 {
		b.Fatal("no inbound message found")
	}
}

// TestWatcherFramesCarryTheirStamp: the in-process watcher times a reply by the hub's stamp of
// its frame, read in place.
func TestWatcherFramesCarryTheirStamp(t *testing.T) {
	want := turnTime
	n := 0
	eachTurnFrame(t, parseFrame, func(f *frame) {
		if got := f.stampedAt(time.Time{}); !got.Equal(want) {
			t.Fatalf("frame %d stamped %v (%q), want %v", f.seq, got, f.at, want)
		}
		n++
	})
	if n != 5 {
		t.Fatalf("%d frames, want 5", n)
	}
	var bare frame
	if !parseFrame([]byte(`{"type":"message.added","seq":3,"data":{}}`), &bare) || !bare.stampedAt(want.Add(time.Hour)).Equal(want.Add(time.Hour)) {
		t.Fatalf("a frame without the stamp's order: %+v", bare)
	}
}
