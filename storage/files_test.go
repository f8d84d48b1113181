package storage_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/balcao/balcao/storage"
)

// openFiles opens the file store under dir.
func openFiles(t *testing.T, dir string) *storage.Files {
	t.Helper()
	f, err := storage.OpenFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFilesStoreOnceAndReadBack: content is stored under its SHA-256 once, however often it is
// put, read back whole by a store opened later on the same directory, and an unknown or
// malformed name is "not exist".
func TestFilesStoreOnceAndReadBack(t *testing.T) {
	dir := t.TempDir()
	f := openFiles(t, dir)
	pdf := []byte("%PDF-1.4 holerite de outubro")
	sha, err := f.Put(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := f.Put(bytes.Clone(pdf)); err != nil || again != sha {
		t.Fatalf("second put = %q, %v; want %q", again, err, sha)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 1 || filepath.Base(files[0]) != sha {
		t.Fatalf("on disk: %v, want one file named %s", files, sha)
	}
	cold := openFiles(t, dir) // a restart: nothing in memory
	if got, err := cold.Read(sha); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("read after reopening = %q, %v", got, err)
	}
	for _, name := range []string{"", "abc", sha[:63] + "z", "0" + sha[1:]} {
		if _, err := cold.Read(name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Read(%q) = %v, want not exist", name, err)
		}
	}
}

// TestFilesKeepRecentContentInMemory: a file just stored or read is read again without the
// disk (here: after its file was removed behind the store's back), each reader gets a slice
// of its own, and a file over the size kept in memory is always read from disk.
func TestFilesKeepRecentContentInMemory(t *testing.T) {
	dir := t.TempDir()
	f := openFiles(t, dir)
	small := []byte("%PDF-1.4 guia do DAS")
	big := bytes.Repeat([]byte("x"), 1<<20)
	smallSHA, err := f.Put(small)
	if err != nil {
		t.Fatal(err)
	}
	bigSHA, err := f.Put(big)
	if err != nil {
		t.Fatal(err)
	}
	small[0] = 'X' // the store kept its own copy
	for _, sha := range []string{smallSHA, bigSHA} {
		if err := os.Remove(filepath.Join(dir, sha[:2], sha)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.Read(smallSHA)
	if err != nil || string(got) != "%PDF-1.4 guia do DAS" {
		t.Fatalf("recent file = %q, %v; want it from memory", got, err)
	}
	got[0] = 'Y'
	if again, _ := f.Read(smallSHA); again[0] != '%' {
		t.Fatalf("a reader's change reached the next reader: %q", again)
	}
	if _, err := f.Read(bigSHA); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a 1 MiB file read with its file gone: %v; want it read from disk (not kept)", err)
	}

	// A store opened later learns a file when it reads it.
	dir2 := t.TempDir()
	first := openFiles(t, dir2)
	sha, err := first.Put([]byte("informe de rendimentos"))
	if err != nil {
		t.Fatal(err)
	}
	warm := openFiles(t, dir2)
	if _, err := warm.Read(sha); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir2, sha[:2], sha)); err != nil {
		t.Fatal(err)
	}
	if got, err := warm.Read(sha); err != nil || string(got) != "informe de rendimentos" {
		t.Fatalf("a file read once, then gone from disk = %q, %v; want it from memory", got, err)
	}
}

// WriteFile replaces a file whole, with the mode asked for, and leaves no temporary file.
func TestWriteFileReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "demo-password")
	for _, content := range []string{"primeira senha comprida\n", "curta\n"} {
		if err := storage.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("read back %q, %v; want %q", got, err, content)
		}
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the directory holds %d entries, want the file alone", len(entries))
	}
	if err := storage.WriteFile(filepath.Join(dir, "absent", "f"), []byte("x"), 0o600); err == nil {
		t.Fatal("WriteFile into a directory that does not exist succeeded")
	}
}
