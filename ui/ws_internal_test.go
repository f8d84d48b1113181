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
