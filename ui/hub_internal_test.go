package ui

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/balcao/balcao"
)

// TestStampFitsItsRoom: the longest stamp (the largest seq, a time with nine fractional digits
// and an offset) with a JSON array's separators fits the room framed events leave for it.
func TestStampFitsItsRoom(t *testing.T) {
	at := time.Date(2026, 11, 26, 23, 59, 59, 123456789, time.FixedZone("", -3*3600))
	for _, typ := range []string{balcao.EventMessageAdded, balcao.EventConversationChanged, "x"} {
		stamp := appendStamp(nil, math.MaxUint64, typ, stampTime(nil, at), nil)
		if need := len(stamp) + 2; need > balcao.StampRoom+len(typ) {
			t.Fatalf("a %s stamp with its separators takes %d bytes, room is %d", typ, need, balcao.StampRoom+len(typ))
		}
	}
}

// TestStampIsJSON: a frame decodes to its seq, type, time and payload, whatever the type holds.
func TestStampIsJSON(t *testing.T) {
	at := time.Date(2026, 11, 26, 23, 59, 59, 123456789, time.FixedZone("", -3*3600))
	for _, typ := range []string{balcao.EventMessageAdded, `a"b`, `x\y`, "ação", "tab\tnl\n\x01"} {
		frame := appendStamp(nil, 42, typ, stampTime(nil, at), []byte(`{"k":1}`))
		var got struct {
			Seq  uint64          `json:"seq"`
			Type string          `json:"type"`
			At   time.Time       `json:"at"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(frame, &got); err != nil {
			t.Fatalf("type %q: %s is not JSON: %v", typ, frame, err)
		}
		if got.Seq != 42 || got.Type != typ || !got.At.Equal(at) || string(got.Data) != `{"k":1}` {
			t.Fatalf("type %q: decoded %+v from %s", typ, got, frame)
		}
	}
}

// TestHubLetsGoOfOldReloadMarks: DropUser's marks are kept only while a client reconnecting
// from before them could still be replayed to; the window's own check covers the rest.
func TestHubLetsGoOfOldReloadMarks(t *testing.T) {
	h := NewHub()
	h.DropUser("a", "bia")
	for range WindowSize {
		h.Publish("a", "x", nil)
	}
	h.DropUser("a", "ana")
	if o := h.office("a"); len(o.reload) != 1 {
		t.Fatalf("reload marks = %v, want only ana's", o.reload)
	}
	if _, _, missed := h.Subscribe("a", "s", "bia", nil, h.Epoch(), 0); !missed {
		t.Fatal("bia from before her drop, a window ago: missed = false, want a resync")
	}
}
