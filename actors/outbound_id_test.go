package actors

import (
	"strings"
	"testing"
)

// TestOutboundIDCarriesItsSeq: an outbound id gives back its seq, has WhatsApp Web's shape, and
// two ids of one seq differ; ids of any other shape carry none.
func TestOutboundIDCarriesItsSeq(t *testing.T) {
	for _, seq := range []uint64{1, 2, 255, 1 << 20, 1<<48 - 1} {
		id := outboundID(seq)
		if len(id) != outboundIDLen || !strings.HasPrefix(id, "3EB0") || strings.ToUpper(id) != id {
			t.Fatalf("outboundID(%d) = %q", seq, id)
		}
		if got, ok := outboundSeq(id); !ok || got != seq {
			t.Fatalf("outboundSeq(%q) = %d, %v; want %d", id, got, ok, seq)
		}
		if outboundID(seq) == id && outboundID(seq) == id {
			t.Fatalf("three ids of seq %d were all %q", seq, id)
		}
	}
	for _, id := range []string{"", "3EB0", "3EB0A1B2C3D4E5F60718", "3EB0ABCDEF01000000000000X", "3EB0abcdef01000000000001",
		"XEB0ABCDEF01000000000001", "3EB0ABCDEF01000000000000", "ABCDEF0123456789ABCDEF01"} {
		if seq, ok := outboundSeq(id); ok {
			t.Errorf("outboundSeq(%q) = %d, want none", id, seq)
		}
	}
}
