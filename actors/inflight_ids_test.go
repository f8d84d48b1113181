package actors

import (
	"strconv"
	"testing"
)

// TestInFlightIDsForgetDurableBatches: ids are found until their batch is durable, then
// forgotten (a redelivery is looked up in Pebble); at most maxInFlightIDs are kept.
func TestInFlightIDsForgetDurableBatches(t *testing.T) {
	var f inFlightIDs
	f.add("a", 1)
	f.add("b", 2)
	f.add("c", 2)
	f.forget(1)
	if f.has("a") || !f.has("b") || !f.has("c") {
		t.Fatalf("after batch 1 is durable: %+v", f.ids)
	}
	f.forget(2)
	if f.has("b") || f.has("c") || f.ids != nil {
		t.Fatalf("after batch 2 is durable: %+v, want nothing kept", f.ids)
	}
	for n := range 100 {
		f.add(strconv.Itoa(n), uint64(3+n))
	}
	if len(f.ids) != maxInFlightIDs || f.has("67") || !f.has("68") || !f.has("99") {
		t.Fatalf("100 ids in flight: %d kept, oldest %q", len(f.ids), f.ids[0].id)
	}
	f.forget(3 + 89)
	if len(f.ids) != 10 || !f.has("90") || f.has("89") {
		t.Fatalf("after batch 92 is durable: %+v", f.ids)
	}
}
