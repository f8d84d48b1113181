package bench

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestDataDirInUse: a second run on the --data of an earlier one is refused before it starts
// anything, saying why (it failed with "create office bench-000: office bench-000: conflict"),
// and leaves the earlier store as it was; a data dir with other files, and none, are taken.
func TestDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{
		DataDir: dir + "/data", Offices: 1, Phones: 5, Rate: 20, Duration: 200 * time.Millisecond, Staff: 0,
		PebbleDuration: -1, ResultsDir: "-",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.DataDir+"/notes.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("first run on a directory without a store: %v", err)
	}
	var progress bytes.Buffer
	cfg.Progress = &progress
	_, err = Run(ctx, cfg)
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), cfg.DataDir) {
		t.Fatalf("second run on the same data dir = %v, want ErrDataDirInUse naming %s", err, cfg.DataDir)
	}
	if progress.Len() != 0 {
		t.Errorf("the refused run started: %s", progress.String())
	}
	db, err := storage.Open(engine.PebbleDir(cfg.DataDir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Conversation(officeID(0), phone(0))
	if err != nil || c.LastSeq == 0 || first.Run.Acked == 0 {
		t.Errorf("the first run's conversation after the refused run: %+v, %v", c, err)
	}
}
