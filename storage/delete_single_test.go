package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// flushedEntries flushes the memtable and counts the entries and deletions of every sstable.
func flushedEntries(t *testing.T, db *DB) (entries, deletions uint64) {
	t.Helper()
	if err := db.pdb.Flush(); err != nil {
		t.Fatal(err)
	}
	levels, err := db.pdb.SSTables(pebble.WithProperties())
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range levels {
		for _, table := range level {
			entries += table.Properties.NumEntries
			deletions += table.Properties.NumDeletions
		}
	}
	return entries, deletions
}

// TestDeleteSingleLeavesNothingBehind: keys set and then deleted with DeleteSingle are gone at
// once for readers and leave no tombstone in the flushed table (a Delete's tombstones would go
// down every level), and a key set twice before its DeleteSingle is reported as misuse.
func TestDeleteSingleLeavesNothingBehind(t *testing.T) {
	logs := make(logLines, 64)
	db, err := Open(t.TempDir(), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	key := func(i int) []byte { return fmt.Appendf(nil, "o/x/ix/contatos/%016x/55119%08d", i, i) }

	opened, _ := flushedEntries(t, db) // the schema version
	set := &Batch{}
	for i := range 500 {
		set.Set(key(i), nil)
	}
	set.Set([]byte("o/x/settings"), []byte("kept"))
	if err := db.Writer.Commit(ctx, set); err != nil {
		t.Fatal(err)
	}
	del := &Batch{}
	for i := range 500 {
		del.DeleteSingle(key(i))
	}
	if err := db.Writer.Commit(ctx, del); err != nil {
		t.Fatal(err)
	}
	if _, err := db.getRaw(key(7)); !errors.Is(err, balcao.ErrNotFound) {
		t.Fatalf("a key deleted with DeleteSingle reads %v", err)
	}
	entries, deletions := flushedEntries(t, db)
	if entries-opened != 1 || deletions != 0 {
		t.Fatalf("flushed %d entries, %d of them deletions; want only the kept key", entries-opened, deletions)
	}
	if n := db.Stats().SingleDeleteMisuse; n != 0 {
		t.Fatalf("%d misuses reported for keys set once", n)
	}

	twice := []byte("o/x/outbox/5511900000000/0000000000000001")
	for range 2 {
		b := &Batch{}
		b.Set(twice, nil)
		if err := db.Writer.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	b := &Batch{}
	b.DeleteSingle(twice)
	if err := db.Writer.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	flushedEntries(t, db)
	if n := db.Stats().SingleDeleteMisuse; n != 1 {
		t.Fatalf("a key set twice and deleted with DeleteSingle: %d misuses reported, want 1", n)
	}
	for logged := false; !logged; {
		select {
		case line := <-logs:
			logged = strings.Contains(line, "level=ERROR") && strings.Contains(line, string(twice))
		default:
			t.Fatal("the misuse was not logged as an error with its key")
		}
	}
}

// logLines receives the lines a slog.TextHandler writes (one per record), from Pebble's
// goroutines; lines past its capacity are dropped.
type logLines chan string

func (l logLines) Write(p []byte) (int, error) {
	select {
	case l <- string(p):
	default:
	}
	return len(p), nil
}
