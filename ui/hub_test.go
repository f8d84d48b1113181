package ui_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/ui"
)

func seqOf(t *testing.T, frame []byte) uint64 {
	t.Helper()
	var f struct {
		Seq  uint64 `json:"seq"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(frame, &f); err != nil {
		t.Fatalf("frame %s: %v", frame, err)
	}
	return f.Seq
}

func TestHubOrdersAndIsolatesOffices(t *testing.T) {
	h := ui.NewHub()
	a, _, _ := h.Subscribe("a", "s1", "u", nil, "", 0)
	b, _, _ := h.Subscribe("b", "s2", "u", nil, "", 0)
	for i := range 5 {
		h.Publish("a", "message.added", map[string]int{"n": i})
	}
	h.Publish("b", "message.added", "<script>")
	for want := uint64(1); want <= 5; want++ {
		if got := seqOf(t, <-a.C); got != want {
			t.Fatalf("office a frame seq = %d, want %d", got, want)
		}
	}
	if got := seqOf(t, <-b.C); got != 1 {
		t.Fatalf("office b seq = %d, want its own numbering from 1", got)
	}
	if len(a.C) != 0 {
		t.Fatal("office a received office b's event")
	}
}

func TestHubReplaysWhatWasMissed(t *testing.T) {
	h := ui.NewHub()
	for range 10 {
		h.Publish("a", "x", nil)
	}
	s, seq, missed := h.Subscribe("a", "s", "u", nil, h.Epoch(), 7)
	if seq != 10 || missed {
		t.Fatalf("subscribe = seq %d missed %v", seq, missed)
	}
	for want := uint64(8); want <= 10; want++ {
		if got := seqOf(t, <-s.C); got != want {
			t.Fatalf("replayed seq = %d, want %d", got, want)
		}
	}
	cases := []struct {
		name  string
		epoch string
		since uint64
	}{
		{"another epoch", "old", 7},
		{"from the future", h.Epoch(), 11},
		{"no epoch", "", 3},
	}
	for _, tc := range cases {
		if _, _, missed := h.Subscribe("a", "s", "u", nil, tc.epoch, tc.since); !missed {
			t.Errorf("%s: missed = false, want a resync", tc.name)
		}
	}
	for range ui.WindowSize {
		h.Publish("a", "x", nil)
	}
	if _, _, missed := h.Subscribe("a", "s", "u", nil, h.Epoch(), 5); !missed {
		t.Error("subscribe far behind the window: missed = false, want a resync")
	}
}

func TestHubDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	h := ui.NewHub()
	slow, _, _ := h.Subscribe("a", "s1", "u", nil, "", 0)
	fast, _, _ := h.Subscribe("a", "s2", "u", nil, "", 0)
	for range ui.SubscriberQueue + 10 {
		h.Publish("a", "x", nil)
		for len(fast.C) > 0 {
			<-fast.C
		}
	}
	select {
	case <-slow.Dropped:
	default:
		t.Fatal("slow subscriber not dropped")
	}
	select {
	case <-fast.Dropped:
		t.Fatal("fast subscriber dropped")
	default:
	}
	if n := h.Subscribers("a"); n != 1 {
		t.Fatalf("subscribers = %d, want 1", n)
	}
	h.Drop("a", "s2")
	if n := h.Subscribers("a"); n != 0 {
		t.Fatalf("subscribers after Drop = %d, want 0", n)
	}
}

// TestHubFiltersScopedEvents: an event about a conversation reaches only the subscribers whose
// filter accepts it, live and on replay; one who saw the conversation before the change gets a
// conversation.hidden frame instead.
func TestHubFiltersScopedEvents(t *testing.T) {
	h := ui.NewHub()
	fiscalOnly := func(v *balcao.ConversationView) bool { return v.Department == "fiscal" }
	mine, _, _ := h.Subscribe("a", "s1", "bia", fiscalOnly, "", 0)
	all, _, _ := h.Subscribe("a", "s2", "ger", nil, "", 0)
	fiscal := balcao.ConversationView{ID: "5511", Department: "fiscal"}
	pessoal := balcao.ConversationView{ID: "5522", Department: "pessoal"}

	h.Publish("a", balcao.EventMessageAdded, balcao.MessageAdded{Conversation: "5522", View: &pessoal})
	h.Publish("a", balcao.EventMessageAdded, balcao.MessageAdded{Conversation: "5511", View: &fiscal})
	h.Publish("a", balcao.EventConversationChanged, balcao.ConversationChanged{Conversation: &pessoal, Prev: &fiscal})
	h.Publish("a", balcao.EventSettingsChanged, map[string]string{})

	if len(all.C) != 4 {
		t.Fatalf("unfiltered subscriber got %d frames, want 4", len(all.C))
	}
	want := []struct {
		seq uint64
		typ string
	}{{2, balcao.EventMessageAdded}, {3, balcao.EventConversationHidden}, {4, balcao.EventSettingsChanged}}
	check := func(s *ui.Subscriber) {
		t.Helper()
		for _, w := range want {
			var f struct {
				Seq  uint64          `json:"seq"`
				Type string          `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			frame := <-s.C
			if err := json.Unmarshal(frame, &f); err != nil || f.Seq != w.seq || f.Type != w.typ {
				t.Fatalf("frame %s, want seq %d type %s", frame, w.seq, w.typ)
			}
			if strings.Contains(string(frame), "5522") && f.Type != balcao.EventConversationHidden {
				t.Fatalf("a filtered subscriber saw the other department's conversation: %s", frame)
			}
		}
		if len(s.C) != 0 {
			t.Fatalf("%d frames more than allowed", len(s.C))
		}
	}
	check(mine)
	replay, _, missed := h.Subscribe("a", "s3", "bia", fiscalOnly, h.Epoch(), 0+1)
	if missed {
		t.Fatal("replay: missed")
	}
	check(replay)
}

// managersOnly is an event for administrators and managers.
type managersOnly struct{ N int }

func (managersOnly) ForManagers() {}

// TestHubRestrictedEvents: events for managers, and events about an unknown conversation, reach
// only the subscribers without a filter.
func TestHubRestrictedEvents(t *testing.T) {
	h := ui.NewHub()
	everything := func(*balcao.ConversationView) bool { return true }
	attendant, _, _ := h.Subscribe("a", "s1", "ana", everything, "", 0)
	manager, _, _ := h.Subscribe("a", "s2", "ger", nil, "", 0)
	h.Publish("a", balcao.EventScheduleProgress, managersOnly{1})
	h.Publish("a", balcao.EventJobChanged, balcao.JobChanged{}) // no conversation view
	h.Publish("a", balcao.EventAgentsOnline, balcao.AgentsOnline{Remote: 1})
	if len(manager.C) != 3 {
		t.Fatalf("manager got %d frames, want 3", len(manager.C))
	}
	if len(attendant.C) != 1 || seqOf(t, <-attendant.C) != 3 {
		t.Fatalf("attendant got restricted events")
	}
}

// TestHubRedactsForNonAdmins: the WhatsApp pairing QR code reaches administrators only; the
// managers and attendants get the same status without it, alone, in a turn's array and in the
// replay of a socket that reconnects.
func TestHubRedactsForNonAdmins(t *testing.T) {
	h := ui.NewHub()
	everything := func(*balcao.ConversationView) bool { return true }
	admin, _, _ := h.SubscribeAdmin("a", "s1", "admin", "", 0)
	manager, _, _ := h.Subscribe("a", "s2", "ger", nil, "", 0)
	attendant, _, _ := h.Subscribe("a", "s3", "ana", everything, "", 0)
	pairing := balcao.WhatsAppStatus{State: balcao.WhatsAppWaitingQR, QR: "2@secret-code"}
	h.Publish("a", balcao.EventWhatsAppStatus, pairing)
	h.PublishAll("a", []balcao.Outgoing{
		{Type: balcao.EventWhatsAppStatus, Data: pairing},
		{Type: balcao.EventAgentsOnline, Data: balcao.AgentsOnline{Remote: 1}},
	})
	// check reads what s has queued: both statuses, with or without the code.
	check := func(who string, s *ui.Subscriber, wantQR bool) {
		t.Helper()
		var got strings.Builder
		for len(s.C) > 0 {
			got.Write(<-s.C)
		}
		if n := strings.Count(got.String(), `"state":"waiting_qr"`); n != 2 {
			t.Errorf("%s got %s: %d statuses, want 2", who, got.String(), n)
		}
		if n, want := strings.Count(got.String(), `"qr":"2@secret-code"`), map[bool]int{true: 2}[wantQR]; n != want {
			t.Errorf("%s got %s: %d QR codes, want %d", who, got.String(), n, want)
		}
	}
	check("admin", admin, true)
	check("manager", manager, false)
	check("attendant", attendant, false)
	check("manager's replay", subscriberOf(h.Subscribe("a", "s4", "ger", nil, h.Epoch(), 0)), false)
	check("attendant's replay", subscriberOf(h.Subscribe("a", "s5", "ana", everything, h.Epoch(), 0)), false)
	check("admin's replay", subscriberOf(h.SubscribeAdmin("a", "s6", "admin", h.Epoch(), 0)), true)
}

func subscriberOf(s *ui.Subscriber, _ uint64, _ bool) *ui.Subscriber { return s }

// TestHubPublishAllOneFramePerTurn: the events of one turn reach each subscriber as one frame
// holding those it may see, in order (a lone one as it is), and are kept one by one for replay.
func TestHubPublishAllOneFramePerTurn(t *testing.T) {
	h := ui.NewHub()
	fiscalOnly := func(v *balcao.ConversationView) bool { return v.Department == "fiscal" }
	bia, _, _ := h.Subscribe("a", "s1", "bia", fiscalOnly, "", 0)
	ger, _, _ := h.Subscribe("a", "s2", "ger", nil, "", 0)
	ana, _, _ := h.Subscribe("a", "s3", "ana", nil, "", 0)
	fiscal := balcao.ConversationView{ID: "5511", Department: "fiscal"}
	pessoal := balcao.ConversationView{ID: "5522", Department: "pessoal"}
	h.PublishAll("a", []balcao.Outgoing{
		{Type: balcao.EventMessageAdded, Data: balcao.MessageAdded{Conversation: "5511", View: &fiscal}},
		{Type: balcao.EventMessageAdded, Data: balcao.MessageAdded{Conversation: "5522", View: &pessoal}},
		{Type: balcao.EventConversationChanged, Data: balcao.ConversationChanged{Conversation: &pessoal, Prev: &fiscal}},
	})
	type frame struct {
		Seq  uint64 `json:"seq"`
		Type string `json:"type"`
	}
	read := func(s *ui.Subscriber) ([]frame, []byte) {
		t.Helper()
		if len(s.C) != 1 {
			t.Fatalf("%d frames queued, want the turn's one", len(s.C))
		}
		raw := <-s.C
		var fs []frame
		if err := json.Unmarshal(raw, &fs); err != nil {
			t.Fatalf("frame %s is not an array of events: %v", raw, err)
		}
		return fs, raw
	}
	gotBia, _ := read(bia)
	wantBia := []frame{{1, balcao.EventMessageAdded}, {3, balcao.EventConversationHidden}}
	if len(gotBia) != 2 || gotBia[0] != wantBia[0] || gotBia[1] != wantBia[1] {
		t.Fatalf("filtered subscriber got %v, want %v", gotBia, wantBia)
	}
	gotGer, rawGer := read(ger)
	_, rawAna := read(ana)
	if len(gotGer) != 3 || gotGer[0].Seq != 1 || gotGer[2].Seq != 3 || string(rawGer) != string(rawAna) {
		t.Fatalf("managers got %s and %s, want the same three events", rawGer, rawAna)
	}

	// One visible event goes as it is; none, nothing.
	h.PublishAll("a", []balcao.Outgoing{
		{Type: balcao.EventMessageAdded, Data: balcao.MessageAdded{Conversation: "5522", View: &pessoal}},
		{Type: balcao.EventMessageAdded, Data: balcao.MessageAdded{Conversation: "5511", View: &fiscal}},
	})
	if got := seqOf(t, <-bia.C); got != 5 || len(bia.C) != 0 {
		t.Fatalf("filtered subscriber got seq %d (+%d frames), want the lone event 5", got, len(bia.C))
	}
	h.PublishAll("a", []balcao.Outgoing{{Type: balcao.EventMessageAdded, Data: balcao.MessageAdded{Conversation: "5522", View: &pessoal}}})
	if len(bia.C) != 0 {
		t.Fatal("filtered subscriber got an event it may not see")
	}

	// A reconnecting socket gets the events one by one.
	replay, _, missed := h.Subscribe("a", "s4", "ger", nil, h.Epoch(), 1)
	if missed || len(replay.C) != 5 || seqOf(t, <-replay.C) != 2 {
		t.Fatalf("replay after 1: missed %v, %d frames", missed, len(replay.C))
	}
}

// TestHubPublishAllManyEvents: more events than half the window go out in several frames, so
// that every one is still in the window when its frame is queued, and in order.
func TestHubPublishAllManyEvents(t *testing.T) {
	h := ui.NewHub()
	s, _, _ := h.Subscribe("a", "s", "ger", nil, "", 0)
	events := make([]balcao.Outgoing, ui.WindowSize/2+88)
	for i := range events {
		events[i] = balcao.Outgoing{Type: "x", Data: i}
	}
	h.PublishAll("a", events)
	want := uint64(1)
	for len(s.C) > 0 {
		var frames []struct{ Seq uint64 }
		if err := json.Unmarshal(<-s.C, &frames); err != nil {
			t.Fatal(err)
		}
		for _, f := range frames {
			if f.Seq != want {
				t.Fatalf("seq %d, want %d", f.Seq, want)
			}
			want++
		}
	}
	if want != uint64(len(events))+1 {
		t.Fatalf("got %d events, want %d", want-1, len(events))
	}
	replay, _, missed := h.Subscribe("a", "s2", "ger", nil, h.Epoch(), uint64(len(events))-10)
	if missed || len(replay.C) != 10 {
		t.Fatalf("replay of the last 10: missed %v, %d frames", missed, len(replay.C))
	}
}

// eventsOf returns the seqs and types of a frame: one event, or a JSON array of them.
func eventsOf(t *testing.T, frame []byte) (seqs []uint64, types []string) {
	t.Helper()
	var evs []struct {
		Seq  uint64 `json:"seq"`
		Type string `json:"type"`
	}
	if len(frame) > 0 && frame[0] != '[' {
		frame = append(append([]byte{'['}, frame...), ']')
	}
	if err := json.Unmarshal(frame, &evs); err != nil {
		t.Fatalf("frame %s: %v", frame, err)
	}
	for _, e := range evs {
		seqs, types = append(seqs, e.Seq), append(types, e.Type)
	}
	return seqs, types
}

// queuedEvents takes every frame queued for s and returns the seqs and types of their events.
func queuedEvents(t *testing.T, s *ui.Subscriber) (seqs []uint64, types []string) {
	t.Helper()
	for len(s.C) > 0 {
		for len(s.C) > 0 {
			ss, ts := eventsOf(t, <-s.C)
			seqs, types = append(seqs, ss...), append(types, ts...)
		}
		s.Refill() // as the socket's writer does after each write
	}
	return seqs, types
}

// TestHubQueuesBeyondTheChannelInOrder: a subscriber that does not read keeps SubscriberQueue
// frames (its channel's and its backlog) and is dropped at the next; one that reads only its
// channel, never calling Refill, still gets every frame, in order, from the office's timer;
// one that calls Refill gets them at once.
func TestHubQueuesBeyondTheChannelInOrder(t *testing.T) {
	h := ui.NewHub()
	idle, _, _ := h.Subscribe("a", "s1", "u", nil, "", 0)
	plain, _, _ := h.Subscribe("a", "s2", "u", nil, "", 0)
	writer, _, _ := h.Subscribe("a", "s3", "u", nil, "", 0)
	for range ui.SubscriberQueue {
		h.Publish("a", "x", nil)
	}
	select {
	case <-idle.Dropped:
		t.Fatalf("dropped with %d frames queued, its whole queue", ui.SubscriberQueue)
	default:
	}
	seqs, _ := queuedEvents(t, writer)
	if len(seqs) != ui.SubscriberQueue || seqs[0] != 1 || seqs[len(seqs)-1] != ui.SubscriberQueue {
		t.Fatalf("a reader that refills got seqs %d..%d (%d), want 1..%d", seqs[0], seqs[len(seqs)-1], len(seqs), ui.SubscriberQueue)
	}
	var got []uint64
	deadline := time.After(5 * time.Second)
	for len(got) < ui.SubscriberQueue {
		select {
		case f := <-plain.C:
			ss, _ := eventsOf(t, f)
			got = append(got, ss...)
		case <-deadline:
			t.Fatalf("a reader of the channel alone got %d of %d frames", len(got), ui.SubscriberQueue)
		}
	}
	for i, seq := range got {
		if seq != uint64(i+1) {
			t.Fatalf("a reader of the channel alone got seq %d at %d: out of order", seq, i)
		}
	}
	h.Publish("a", "x", nil)
	select {
	case <-idle.Dropped:
	default:
		t.Fatal("not dropped with its queue full")
	}
}

// TestHubTicksWaitForTheNextFrame: a frame of delivery ticks alone is not queued at once; it is
// queued right before the socket's next frame (the socket's writer joins what it finds queued
// into one message), or on its own after lazyDelay.
func TestHubTicksWaitForTheNextFrame(t *testing.T) {
	h := ui.NewHub()
	s, _, _ := h.Subscribe("a", "s1", "u", nil, "", 0)
	tick := balcao.Outgoing{Type: balcao.EventMessageStatus, Data: map[string]any{"seq": 1}}
	h.PublishAll("a", []balcao.Outgoing{tick, tick})
	h.Publish("a", balcao.EventMessageStatus, nil)
	if len(s.C) != 0 {
		t.Fatal("a frame of ticks was queued at once")
	}
	h.PublishAll("a", []balcao.Outgoing{{Type: balcao.EventMessageAdded}, {Type: balcao.EventConversationChanged}})
	seqs, types := queuedEvents(t, s)
	if want := []uint64{1, 2, 3, 4, 5}; !slices.Equal(seqs, want) {
		t.Fatalf("seqs %v, want %v (types %v)", seqs, want, types)
	}
	if types[2] != balcao.EventMessageStatus || types[3] != balcao.EventMessageAdded {
		t.Fatalf("types %v", types)
	}

	// Alone, the ticks go after lazyDelay.
	h.Publish("a", balcao.EventMessageStatus, nil)
	start := time.Now()
	select {
	case f := <-s.C:
		if seqs, _ := eventsOf(t, f); !slices.Equal(seqs, []uint64{6}) {
			t.Fatalf("seqs %v, want [6]", seqs)
		}
		if waited := time.Since(start); waited < 750*time.Millisecond {
			t.Fatalf("ticks went after %s, before their delay", waited)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("held ticks never went")
	}

	// Past maxHeld (64) held frames, they are queued at once, in order.
	for range 100 {
		h.Publish("a", balcao.EventMessageStatus, nil)
	}
	seqs, _ = queuedEvents(t, s)
	if len(seqs) < 64 || len(seqs) == 100 || seqs[0] != 7 || seqs[len(seqs)-1] != uint64(6+len(seqs)) {
		t.Fatalf("after 100 ticks, queued seqs %v", seqs)
	}
}

// TestHubForgetsHeldTicksOfAGoneSocket: a socket that unsubscribes while ticks wait for it
// gets nothing more, and the others still get theirs.
func TestHubForgetsHeldTicksOfAGoneSocket(t *testing.T) {
	h := ui.NewHub()
	gone, _, _ := h.Subscribe("a", "s1", "u", nil, "", 0)
	stays, _, _ := h.Subscribe("a", "s2", "u", nil, "", 0)
	h.Publish("a", balcao.EventMessageStatus, nil)
	h.Unsubscribe("a", gone)
	select {
	case f := <-stays.C:
		if seqs, _ := eventsOf(t, f); !slices.Equal(seqs, []uint64{1}) {
			t.Fatalf("seqs %v", seqs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the remaining socket never got its ticks")
	}
	if len(gone.C) != 0 {
		t.Fatal("an unsubscribed socket got its held ticks")
	}
}

// TestHubFramesOfOnePublication: the events published together reach a manager as one array,
// and each one, kept for replay, is a whole frame of its own with its seq, type, time and data.
func TestHubFramesOfOnePublication(t *testing.T) {
	h := ui.NewHub()
	m, _, _ := h.Subscribe("a", "s1", "ger", nil, "", 0)
	before := time.Now()
	h.PublishAll("a", []balcao.Outgoing{
		{Type: balcao.EventMessageAdded, Data: map[string]string{"text": "olá \"mundo\" <b>"}},
		{Type: balcao.EventConversationChanged, Data: []int{1, 2}},
		{Type: "x", Data: nil},
	})
	after := time.Now()
	type frame struct {
		Seq  uint64          `json:"seq"`
		Type string          `json:"type"`
		At   time.Time       `json:"at"`
		Data json.RawMessage `json:"data"`
	}
	var got []frame
	if err := json.Unmarshal(<-m.C, &got); err != nil || len(got) != 3 {
		t.Fatalf("manager's frame: %v, %d events", err, len(got))
	}
	replay, _, _ := h.Subscribe("a", "s2", "ger", nil, h.Epoch(), 0+1)
	wantData := []string{`{"text":"olá \"mundo\" \u003cb\u003e"}`, `[1,2]`, `null`}
	for i, f := range got {
		if f.Seq != uint64(i+1) || f.At.Before(before) || f.At.After(after) || string(f.Data) != wantData[i] {
			t.Fatalf("event %d = %+v (data %s)", i, f, f.Data)
		}
		if i == 0 {
			continue // replay starts after seq 1
		}
		var r frame
		raw := <-replay.C
		if err := json.Unmarshal(raw, &r); err != nil || r.Seq != f.Seq || r.Type != f.Type || !r.At.Equal(f.At) {
			t.Fatalf("replayed frame %s: %v", raw, err)
		}
	}
}

// framed is balcao.Framed data, as the conversation actors encode a turn's events.
type framed struct {
	buf        []byte
	start, end int
	view       *balcao.ConversationView
}

func (f *framed) MarshalJSON() ([]byte, error)                { return f.buf[f.start:f.end:f.end], nil }
func (f *framed) Framing() ([]byte, int, int)                 { return f.buf, f.start, f.end }
func (f *framed) Scope() (cur, prev *balcao.ConversationView) { return f.view, nil }

// framedEvents encodes payloads into one buffer, room bytes before each (filled with junk) and
// 2 after the last.
func framedEvents(typ string, room int, view *balcao.ConversationView, payloads ...string) ([]balcao.Outgoing, []byte) {
	var buf []byte
	var spans [][2]int
	for _, p := range payloads {
		buf = append(buf, strings.Repeat("#", room)...)
		spans = append(spans, [2]int{len(buf), len(buf) + len(p)})
		buf = append(buf, p...)
	}
	buf = append(buf, "##"...)
	buf = buf[:len(buf):len(buf)]
	events := make([]balcao.Outgoing, len(payloads))
	for i, s := range spans {
		events[i] = balcao.Outgoing{Type: typ, Data: &framed{buf: buf, start: s[0], end: s[1], view: view}}
	}
	return events, buf
}

// TestHubLaysFramedEventsOutInPlace: payloads encoded with room for their stamps become their
// frames where they are, the same frames a copy makes; without the room, or in a publication
// too long for one part, they are copied.
func TestHubLaysFramedEventsOutInPlace(t *testing.T) {
	h := ui.NewHub()
	fiscal := balcao.ConversationView{ID: "5511", Department: "fiscal"}
	ger, _, _ := h.Subscribe("a", "s1", "ger", nil, "", 0)
	bia, _, _ := h.Subscribe("a", "s2", "bia", func(v *balcao.ConversationView) bool { return v.Department == "fiscal" }, "", 0)
	payloads := []string{`{"n":1,"text":"olá"}`, `{"n":2}`, `{"n":3,"list":[1,2,3]}`}
	check := func(frame []byte, firstSeq uint64, payloads []string) {
		t.Helper()
		var got []struct {
			Seq  uint64          `json:"seq"`
			Type string          `json:"type"`
			At   time.Time       `json:"at"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(frame, &got); err != nil || len(got) != len(payloads) {
			t.Fatalf("frame %s: %v, want %d events", frame, err, len(payloads))
		}
		for i, e := range got {
			if e.Seq != firstSeq+uint64(i) || e.Type != balcao.EventMessageAdded || e.At.IsZero() || string(e.Data) != payloads[i] {
				t.Fatalf("event %d of %s = %+v", i, frame, e)
			}
		}
	}

	events, buf := framedEvents(balcao.EventMessageAdded, balcao.StampRoom+len(balcao.EventMessageAdded), &fiscal, payloads...)
	h.PublishAll("a", events)
	frame := <-ger.C
	check(frame, 1, payloads)
	if &frame[0] != &buf[0] {
		t.Fatal("the manager's frame is a copy, want the events' own buffer")
	}
	if got := <-bia.C; string(got) != string(frame) {
		t.Fatalf("filtered subscriber got %s, want %s", got, frame)
	}
	replay, _, missed := h.Subscribe("a", "s3", "ger", nil, h.Epoch(), 1)
	if missed || len(replay.C) != 2 {
		t.Fatalf("replay after 1: missed %v, %d frames", missed, len(replay.C))
	}
	check(append(append([]byte("["), <-replay.C...), ']'), 2, payloads[1:2])

	// One byte of room short: copied, and the buffer left as it was.
	events, buf = framedEvents(balcao.EventMessageAdded, balcao.StampRoom+len(balcao.EventMessageAdded)-1, &fiscal, payloads...)
	before := string(buf)
	h.PublishAll("a", events)
	frame = <-ger.C
	check(frame, 4, payloads)
	if &frame[0] == &buf[0] || string(buf) != before {
		t.Fatal("events without room for their stamps were laid out in their buffer")
	}
	<-bia.C

	// More events than half the window: published in parts, each copied.
	many := make([]string, ui.WindowSize/2+3)
	for i := range many {
		many[i] = `{"i":` + strconv.Itoa(i) + `}`
	}
	events, _ = framedEvents(balcao.EventMessageAdded, balcao.StampRoom+len(balcao.EventMessageAdded), &fiscal, many...)
	h.PublishAll("a", events)
	check(<-ger.C, 7, many[:ui.WindowSize/2])
	check(<-ger.C, 7+ui.WindowSize/2, many[ui.WindowSize/2:])
}

// TestHubDropUserResyncsOnlyThatUser: after DropUser, the dropped staff member's sockets that
// reconnect from before the drop must reload; others, and theirs from after it, replay.
func TestHubDropUserResyncsOnlyThatUser(t *testing.T) {
	h := ui.NewHub()
	h.Publish("a", "x", nil)
	h.DropUser("a", "bia")
	h.Publish("a", "x", nil)
	cases := []struct {
		name  string
		user  string
		since uint64
		want  bool
	}{
		{"dropped, from before the drop", "bia", 1, true},
		{"dropped, from the start", "bia", 0, true},
		{"dropped, from after the drop", "bia", 2, false},
		{"someone else", "ana", 1, false},
	}
	for _, tc := range cases {
		if _, _, missed := h.Subscribe("a", "s", tc.user, nil, h.Epoch(), tc.since); missed != tc.want {
			t.Errorf("%s: Subscribe(%q, since %d) missed = %v, want %v", tc.name, tc.user, tc.since, missed, tc.want)
		}
	}
}
