package ui

import (
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
		stamp := appendStamp(nil, math.MaxUint64, typ, at, nil)
		if need := len(stamp) + 2; need > balcao.StampRoom+len(typ) {
			t.Fatalf("a %s stamp with its separators takes %d bytes, room is %d", typ, need, balcao.StampRoom+len(typ))
		}
	}
}
