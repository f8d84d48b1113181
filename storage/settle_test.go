package storage

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSettleLeavesNoCompactionToPick: after a stack of flushes, with a compaction running, each
// compaction that ends lets Pebble pick the next a moment later. Settle returns only when
// Pebble has nothing running and nothing left to pick, and no compaction starts in the moment
// after it.
func TestSettleLeavesNoCompactionToPick(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	value := []byte(strings.Repeat("v", 100))
	// Flushes until one leaves a compaction running, so that Settle has something to wait for.
	for round := 0; db.pdb.Metrics().Compact.NumInProgress == 0; round++ {
		if round == 400 {
			t.Fatal("no compaction seen running after 400 flushes")
		}
		b := &Batch{}
		for i := range 4000 {
			b.Set([]byte(fmt.Sprintf("k/%05d/%d", (i*7919+round)%20000, round)), value)
		}
		if err := db.Writer.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if err := db.pdb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := db.pdb.Metrics()
	if m.Compact.NumInProgress != 0 || m.Levels[0].Sublevels >= 4 {
		t.Fatalf("settled with %d compactions running and %d sublevels in L0", m.Compact.NumInProgress, m.Levels[0].Sublevels)
	}
	time.Sleep(300 * time.Millisecond)
	if after := db.pdb.Metrics().Compact.Count; after != m.Compact.Count {
		t.Fatalf("%d compactions started within 300 ms of settling", after-m.Compact.Count)
	}
}
