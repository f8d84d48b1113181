package balcao

import (
	"strings"
	"testing"
)

// TestPreview: the inbox preview keeps the first 120 characters (runes, not bytes) and marks
// the cut, as the rune-slice version it replaced did, invalid bytes included.
func TestPreview(t *testing.T) {
	old := func(text string) string {
		r := []rune(text)
		if len(r) <= 120 {
			return text
		}
		return string(r[:120]) + "…"
	}
	for _, text := range []string{
		"", "oi", strings.Repeat("a", 120), strings.Repeat("a", 121), strings.Repeat("ç", 119) + "ab",
		strings.Repeat("é", 200), strings.Repeat("x", 60) + "\xff" + strings.Repeat("y", 100),
		strings.Repeat("🙂", 130), strings.Repeat("a", 119) + "🙂🙂",
	} {
		if got, want := Preview(text), old(text); got != want {
			t.Errorf("Preview(%q) = %q, want %q", text, got, want)
		}
	}
}
