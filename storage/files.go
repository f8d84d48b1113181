package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Files keeps document contents on disk, content-addressed: DIR/{sha[:2]}/{sha}. Writing the
// same content twice stores it once; a file is complete (written, synced, renamed, its
// directory synced) before Put returns, so a record that names it never points at a partial
// or, after a crash, missing file.
//
// The contents of the latest files stored or read stay in memory (recent): a document fetched
// from the accounting system is read again a moment later to be sent on WhatsApp, and the
// same guide or payslip is often asked for by several people. A file is never changed once
// stored, so what is kept is always what the disk holds.
type Files struct {
	dir    string
	recent *lru.Cache[string, []byte] // by SHA-256; files up to maxRecentSize
}

// What Files keeps in memory: recentFiles of up to maxRecentSize bytes (at most 16 MiB; a
// payslip or a tax guide is 30–200 KB).
const (
	recentFiles   = 64
	maxRecentSize = 256 << 10
)

// OpenFiles returns the file store under dir, creating it.
func OpenFiles(dir string) (*Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create file store: %w", err)
	}
	recent, err := lru.New[string, []byte](recentFiles)
	if err != nil {
		return nil, err
	}
	return &Files{dir: dir, recent: recent}, nil
}

// Put stores data and returns its SHA-256 in hex.
func (f *Files) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if f.recent.Contains(sha) {
		return sha, nil
	}
	p := f.path(sha)
	if _, err := os.Stat(p); err == nil {
		f.remember(sha, data)
		return sha, nil
	}
	dir := filepath.Dir(p)
	if _, err := os.Stat(dir); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create file dir: %w", err)
		}
		if err := syncDir(f.dir); err != nil { // the new directory's entry
			return "", err
		}
	}
	if err := WriteFile(p, data, 0o600); err != nil {
		return "", fmt.Errorf("store file %s: %w", sha, err)
	}
	f.remember(sha, data)
	return sha, nil
}

// WriteFile writes data to path durably: to a temporary file in the same directory, synced,
// renamed over path, and the directory synced, so that after a crash or a power cut path holds
// its old content or data, never a part or nothing.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	_, werr := tmp.Write(data)
	merr := tmp.Chmod(perm)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, merr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path)) // the file's entry: the rename is durable
}

// syncDir makes the entries of a directory durable (a file renamed or created in it).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	serr := d.Sync()
	return errors.Join(serr, d.Close())
}

// remember keeps a copy of a small stored file's content.
func (f *Files) remember(sha string, data []byte) {
	if len(data) <= maxRecentSize {
		f.recent.Add(sha, bytes.Clone(data))
	}
}

// Open opens a stored file by its SHA-256.
func (f *Files) Open(sha string) (*os.File, error) {
	if len(sha) != 64 {
		return nil, fmt.Errorf("file %q: %w", sha, os.ErrNotExist)
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return nil, fmt.Errorf("file %q: %w", sha, os.ErrNotExist)
	}
	return os.Open(f.path(sha))
}

// Read returns a stored file's content, in a slice of the caller's own.
func (f *Files) Read(sha string) ([]byte, error) {
	if data, ok := f.recent.Get(sha); ok {
		return bytes.Clone(data), nil
	}
	fh, err := f.Open(sha)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	data := make([]byte, st.Size())
	if _, err = fh.ReadAt(data, 0); err != nil {
		return nil, err
	}
	f.remember(sha, data)
	return data, nil
}

func (f *Files) path(sha string) string { return filepath.Join(f.dir, sha[:2], sha) }
