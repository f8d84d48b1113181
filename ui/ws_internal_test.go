package ui

import (
	"encoding/json"
	"testing"
)

func TestCoalesceJoinsQueuedFramesInOrder(t *testing.T) {
	q := make(chan []byte, 4)
	if got := coalesce(nil, []byte(`{"seq":1}`), q); string(got) != `{"seq":1}` {
		t.Fatalf("coalesce(alone) = %s, want the frame as it is", got)
	}
	q <- []byte(`{"seq":2}`)
	q <- []byte(`{"seq":3}`)
	got := coalesce(nil, []byte(`{"seq":1}`), q)
	var frames []struct{ Seq int }
	if err := json.Unmarshal(got, &frames); err != nil || len(frames) != 3 || frames[0].Seq != 1 || frames[2].Seq != 3 {
		t.Fatalf("coalesce = %s (%v), want the three frames in order", got, err)
	}
	if len(q) != 0 {
		t.Fatal("queued frames left behind")
	}
}

func TestCoalesceFlattensTurnFrames(t *testing.T) {
	q := make(chan []byte, 4)
	q <- []byte(`[{"seq":2},{"seq":3}]`)
	q <- []byte(`{"seq":4}`)
	got := coalesce(nil, []byte(`[{"seq":0},{"seq":1}]`), q)
	var frames []struct{ Seq int }
	if err := json.Unmarshal(got, &frames); err != nil || len(frames) != 5 || frames[4].Seq != 4 {
		t.Fatalf("coalesce = %s (%v), want one flat array of five events", got, err)
	}
	if alone := coalesce(nil, []byte(`[{"seq":0},{"seq":1}]`), q); string(alone) != `[{"seq":0},{"seq":1}]` {
		t.Fatalf("coalesce(alone turn) = %s, want it as it is", alone)
	}
}
