package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Files keeps document contents on disk, content-addressed: DIR/{sha[:2]}/{sha}. Writing the
// same content twice stores it once; a file is complete (written, synced, renamed) before Put
// returns, so a record that names it never points at a partial file.
type Files struct {
	dir string
}

// OpenFiles returns the file store under dir, creating it.
func OpenFiles(dir string) (*Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create file store: %w", err)
	}
	return &Files{dir: dir}, nil
}

// Put stores data and returns its SHA-256 in hex.
func (f *Files) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	p := f.path(sha)
	if _, err := os.Stat(p); err == nil {
		return sha, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("create file dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create temp file: %w", err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write file %s: %w", sha, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("rename file %s: %w", sha, err)
	}
	return sha, nil
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

// Read returns a stored file's content.
func (f *Files) Read(sha string) ([]byte, error) {
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
	_, err = fh.ReadAt(data, 0)
	return data, err
}

func (f *Files) path(sha string) string { return filepath.Join(f.dir, sha[:2], sha) }
