package storage

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// countTruncations makes the gentle removals of the test record the sizes they truncate to,
// without pauses, and fail when fail is set.
func countTruncations(t *testing.T, fail *bool) *[]int64 {
	var sizes []int64
	truncate, pause := truncateFile, removePause
	t.Cleanup(func() { truncateFile, removePause = truncate, pause })
	removePause = 0
	truncateFile = func(name string, size int64) error {
		if *fail {
			return errors.New("read-only")
		}
		sizes = append(sizes, size)
		return os.Truncate(name, size)
	}
	return &sizes
}

// sizedFile creates a file of size bytes in dir.
func sizedFile(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

func gone(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s still there: %v", p, err)
	}
}

// TestGentleFSRemovesLargeFilesByChunks: a file of 9 MB is truncated 2 MB at a time (to 7, 5,
// 3 and 1 MB) and then unlinked; a file of 1 MB is unlinked at once; a truncation that fails
// still leaves the file removed.
func TestGentleFSRemovesLargeFilesByChunks(t *testing.T) {
	dir := t.TempDir()
	fail := false
	sizes := countTruncations(t, &fail)
	fs := gentleFS{FS: vfs.Default}

	big := sizedFile(t, dir, "000008.log", 9<<20)
	if err := fs.Remove(big); err != nil {
		t.Fatal(err)
	}
	gone(t, big)
	if want := []int64{7 << 20, 5 << 20, 3 << 20, 1 << 20}; !slices.Equal(*sizes, want) {
		t.Fatalf("truncated to %v, want %v", *sizes, want)
	}

	*sizes = nil
	small := sizedFile(t, dir, "000012.sst", 1<<20)
	if err := fs.Remove(small); err != nil {
		t.Fatal(err)
	}
	gone(t, small)
	if len(*sizes) != 0 {
		t.Fatalf("a 1 MB file was truncated to %v before its removal", *sizes)
	}

	fail = true
	stuck := sizedFile(t, dir, "000009.log", 9<<20)
	if err := fs.Remove(stuck); err != nil {
		t.Fatal(err)
	}
	gone(t, stuck)
}

// TestOpenRemovesGently: Pebble, opened by Open, removes through the gentle file system (a
// temporary file left by a crash, which Open removes, goes a chunk at a time).
func TestOpenRemovesGently(t *testing.T) {
	dir := t.TempDir()
	fail := false
	sizes := countTruncations(t, &fail)
	db, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	leftover := sizedFile(t, dir, "temporary.000005.dbtmp", 5<<20)
	db, err = Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gone(t, leftover)
	if want := []int64{3 << 20, 1 << 20}; !slices.Equal(*sizes, want) {
		t.Fatalf("the leftover was truncated to %v before its removal, want %v", *sizes, want)
	}
}
