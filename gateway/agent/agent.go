// Package agent is the edge to the office's accounting system: the Source interface that turns
// a job ("holerite, CNPJ 12.345.678/0001-90, 2026-10") into PDF files or a reason why not yet,
// the folder source that reads an export tree, and the protocol of the remote execution agent
// (`balcao agent`) that runs next to the accounting system and talks to the server over a
// websocket. It knows the domain types and nothing of actors, storage or the staff UI.
package agent

import (
	"context"
	"errors"
)

// Job is one document request as the accounting system sees it.
type Job struct {
	ID         string `json:"id"`
	CNPJ       string `json:"cnpj"`       // 14 digits
	Intent     string `json:"intent"`     // assistant intent: holerite, das, fgts…
	Competence string `json:"competence"` // YYYY-MM, YYYY or empty
	Person     string `json:"person"`     // employee named in the request, or empty
}

// File is one document a source produced.
type File struct {
	Name string
	Data []byte
}

// Result is what a source answers: files, or the reason the office must act first.
type Result struct {
	Files   []File
	Pending string // Portuguese reason shown in the request centre; set when Files is empty
}

// Source produces documents. A missing document is a Result with Pending set, not an error;
// an error means the source itself failed (and the job is retried).
type Source interface {
	Fetch(ctx context.Context, j Job) (Result, error)
}

// MaxFileSize is the largest document accepted from a source.
const MaxFileSize = 20 << 20

// Errors of sources and agents.
var (
	// ErrInvalidFile is returned when a source produced something that is not a usable PDF.
	ErrInvalidFile = errors.New("invalid document file")
	// ErrNoAgent is returned when no agent of the office is connected.
	ErrNoAgent = errors.New("no execution agent connected")
)

// CheckPDF verifies that data looks like a complete PDF of an acceptable size.
func CheckPDF(data []byte) error {
	switch {
	case len(data) == 0:
		return errors.Join(ErrInvalidFile, errors.New("empty file"))
	case len(data) > MaxFileSize:
		return errors.Join(ErrInvalidFile, errors.New("file larger than 20 MB"))
	case len(data) < 8 || string(data[:5]) != "%PDF-":
		return errors.Join(ErrInvalidFile, errors.New("not a PDF"))
	}
	return nil
}
