package actors

import (
	"encoding/json"
	"testing"
	"unsafe"

	"github.com/balcao/balcao"
)

// TestEncodeFramesATurn: a turn's events come out as balcao.Framed in one buffer, each payload
// what json.Marshal writes, with the room the hub's stamps need before it (else the hub copies
// every turn's frames again).
func TestEncodeFramesATurn(t *testing.T) {
	view := &balcao.ConversationView{ID: "5511999990000", State: balcao.StateAssistant, Preview: "Olá"}
	data := []any{
		balcao.MessageAdded{Conversation: view.ID, Message: &balcao.Message{Seq: 1, Text: "oi"}, View: view},
		balcao.MessageAdded{Conversation: view.ID, Message: &balcao.Message{Seq: 2, Text: "Olá! Como posso ajudar?"}, View: view},
		balcao.ConversationChanged{Conversation: view, Reason: "x"},
	}
	events := []event{
		{Type: balcao.EventMessageAdded, Data: data[0]},
		{Type: balcao.EventMessageAdded, Data: data[1]},
		{Type: balcao.EventConversationChanged, Data: data[2]},
	}
	c := &conversation{}
	c.encode(events)
	var shared []byte
	end := 0
	for i, e := range events {
		f, ok := e.Data.(balcao.Framed)
		if !ok {
			t.Fatalf("event %d is %T, want balcao.Framed", i, e.Data)
		}
		buf, start, stop := f.Framing()
		if shared == nil {
			shared = buf
		}
		if &buf[0] != &shared[0] || len(buf) != cap(buf) {
			t.Fatalf("event %d is not in the turn's one buffer", i)
		}
		if start-end < balcao.StampRoom+len(e.Type) {
			t.Fatalf("event %d has %d bytes of room, want %d", i, start-end, balcao.StampRoom+len(e.Type))
		}
		want, _ := json.Marshal(data[i])
		if got, _ := f.MarshalJSON(); string(got) != string(want) || string(buf[start:stop]) != string(want) {
			t.Fatalf("event %d encodes as %s, want %s", i, got, want)
		}
		if cur, prev := e.Data.(balcao.Scoped).Scope(); cur != c.scope || prev != nil {
			t.Fatalf("event %d is scoped by %p and %p, want the conversation's scope %p and nil", i, cur, prev, c.scope)
		}
		end = stop
	}
	if s := c.scope; s.ID != view.ID || s.State != view.State || s.Preview != "" {
		t.Fatalf("scope %+v, want the id and state of %+v and nothing else", s, view)
	}
	if n := unsafe.Sizeof(framedEvent{}); n > 48 {
		t.Errorf("a framed event takes %d bytes, want at most 48 (a turn allocates an array of them)", n)
	}
	if len(shared)-end < 2 {
		t.Fatalf("%d bytes after the last payload, want 2", len(shared)-end)
	}
}

// TestJobChangedIsFramed: a job's announcement is its balcao.JobChanged as json.Marshal writes
// it, with the room the hub's stamp needs before it and the array's end after (else the hub
// copies it into a frame of its own), whether the conversation or the office publishes it.
func TestJobChangedIsFramed(t *testing.T) {
	job := balcao.Job{ID: "j1", Company: "c1", Intent: "holerite", Phone: "5511999990000", State: balcao.JobDone,
		History: []balcao.JobEvent{{State: balcao.JobWaiting, Note: "Pedido pelo WhatsApp."}}}
	m := encodeJobChanged(&job)
	view := &balcao.ConversationView{ID: job.Phone}
	ev := m.event(view)
	buf, start, stop := ev.Framing()
	if start < balcao.StampRoom+len(balcao.EventJobChanged) || len(buf)-stop < 2 {
		t.Fatalf("payload at %d:%d of %d bytes: want %d bytes of room before it and 2 after", start, stop, len(buf), balcao.StampRoom+len(balcao.EventJobChanged))
	}
	want, _ := json.Marshal(balcao.JobChanged{Job: job})
	if got, _ := ev.MarshalJSON(); string(got) != string(want) {
		t.Fatalf("job.changed encodes as %s, want %s", got, want)
	}
	if cur, _ := ev.Scope(); cur != view {
		t.Fatalf("scoped by %p, want the view %p", cur, view)
	}
}
