package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The wire protocol between the server and remote agents; PROTOCOL.md describes it for people.

// ProtocolVersion is the version an agent announces in its hello.
const ProtocolVersion = 1

// Limits of the protocol.
const (
	// ChunkSize is the largest binary frame: file bytes travel in chunks of at most this size.
	ChunkSize = 256 << 10
	// MaxFiles is the largest number of files in one result.
	MaxFiles = 1000
	// MaxResultSize is the largest sum of the sizes of one result's files.
	MaxResultSize = 100 << 20
	// MaxConcurrency is the largest number of jobs an agent may run at once.
	MaxConcurrency = 32

	maxFrame    = 1 << 20 // largest text frame the server reads (and read limit, ≥ ChunkSize)
	maxIDLen    = 128
	maxFieldLen = 64
	maxNameLen  = 255
	maxTextLen  = 1000 // pending reasons and error messages
)

// Frame types.
const (
	frameHello   = "hello"   // agent → server, first frame
	frameWelcome = "welcome" // server → agent, answer to hello
	frameJob     = "job"     // server → agent
	frameCancel  = "cancel"  // server → agent: stop working on a job, its result is not wanted
	frameResult  = "result"  // agent → server: pending reason, or file headers then binary chunks
	frameError   = "error"   // agent → server: the source failed
)

// frame is one JSON text frame. One struct for every type keeps parsing in one place; which
// fields a type uses is written next to each field and checked by parseFrame.
type frame struct {
	Type string `json:"type"`

	Job string `json:"job,omitempty"` // job, cancel, result, error: the job's id

	Name        string `json:"name,omitempty"`        // hello: agent name
	Version     string `json:"version,omitempty"`     // hello: agent version
	Protocol    int    `json:"protocol,omitempty"`    // hello: ProtocolVersion
	Concurrency int    `json:"concurrency,omitempty"` // hello: jobs run at once (0: 4)

	Office      string `json:"office,omitempty"`       // welcome
	HeartbeatMS int64  `json:"heartbeat_ms,omitempty"` // welcome: the server pings this often

	CNPJ       string `json:"cnpj,omitempty"`       // job
	Intent     string `json:"intent,omitempty"`     // job
	Competence string `json:"competence,omitempty"` // job
	Person     string `json:"person,omitempty"`     // job

	Pending string       `json:"pending,omitempty"` // result: reason the office must act
	Files   []fileHeader `json:"files,omitempty"`   // result: files that follow as binary frames

	Message string `json:"message,omitempty"` // error
}

// fileHeader announces one file of a result.
type fileHeader struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex
}

// errProtocol is wrapped by every violation of the protocol found while parsing.
var errProtocol = errors.New("agent protocol violation")

func protocolErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errProtocol}, args...)...)
}

// parseFrame decodes and validates one text frame, of any direction. Unknown fields are
// ignored (a newer peer may add some); unknown types are an error.
func parseFrame(data []byte) (*frame, error) {
	if len(data) > maxFrame {
		return nil, protocolErr("frame of %d bytes", len(data))
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, protocolErr("decode frame: %v", err)
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *frame) validate() error {
	switch f.Type {
	case frameHello:
		if f.Protocol < 1 {
			return protocolErr("hello without protocol version")
		}
		if f.Concurrency < 0 || f.Concurrency > MaxConcurrency {
			return protocolErr("hello: concurrency %d out of 0..%d", f.Concurrency, MaxConcurrency)
		}
		return firstErr(checkText("name", f.Name, maxFieldLen*2, false), checkText("version", f.Version, maxFieldLen, false))
	case frameWelcome:
		if f.HeartbeatMS < 0 {
			return protocolErr("welcome: negative heartbeat")
		}
		return checkText("office", f.Office, maxIDLen, false)
	case frameJob:
		return firstErr(checkText("job", f.Job, maxIDLen, true), checkText("cnpj", f.CNPJ, maxFieldLen, true),
			checkText("intent", f.Intent, maxFieldLen, true), checkText("competence", f.Competence, maxFieldLen, false),
			checkText("person", f.Person, maxFieldLen*2, false))
	case frameCancel:
		return checkText("job", f.Job, maxIDLen, true)
	case frameError:
		return firstErr(checkText("job", f.Job, maxIDLen, true), checkLen("message", f.Message, maxTextLen))
	case frameResult:
		if err := checkText("job", f.Job, maxIDLen, true); err != nil {
			return err
		}
		switch {
		case f.Pending != "" && len(f.Files) > 0:
			return protocolErr("result with both pending and files")
		case f.Pending != "":
			return checkLen("pending", f.Pending, maxTextLen)
		case len(f.Files) == 0:
			return protocolErr("result with neither pending nor files")
		}
		// Too many files, like too many bytes, is for newTransfer: the job is answered with a
		// pending reason the office can act on. The 1 MiB frame limit bounds this loop.
		for _, h := range f.Files {
			if err := h.validate(); err != nil {
				return err
			}
		}
		return nil
	default:
		return protocolErr("unknown frame type %.32q", f.Type)
	}
}

// validate checks a file header's form; its size against the limits is checked by newTransfer,
// which knows the job and can answer it.
func (h fileHeader) validate() error {
	if !validFileName(h.Name) {
		return protocolErr("invalid file name %.64q", h.Name)
	}
	if h.Size < 1 {
		return protocolErr("file %q: size %d", h.Name, h.Size)
	}
	if len(h.SHA256) != 2*sha256.Size || strings.ToLower(h.SHA256) != h.SHA256 {
		return protocolErr("file %q: sha256 is not 64 lowercase hex digits", h.Name)
	}
	if _, err := hex.DecodeString(h.SHA256); err != nil {
		return protocolErr("file %q: sha256 is not 64 lowercase hex digits", h.Name)
	}
	return nil
}

// validFileName accepts a plain file name: no directory, no control character, at most 255
// bytes of UTF-8.
func validFileName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > maxNameLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '/' || r == '\\' || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func checkLen(field, s string, max int) error {
	if len(s) > max {
		return protocolErr("%s longer than %d bytes", field, max)
	}
	return nil
}

func checkText(field, s string, max int, required bool) error {
	if required && s == "" {
		return protocolErr("missing %s", field)
	}
	if err := checkLen(field, s, max); err != nil {
		return err
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return protocolErr("control character in %s", field)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// tooLargeError is returned by newTransfer when a result exceeds the size limits. The agent
// declared it up front, so nothing of it needs to be read.
type tooLargeError struct {
	name string // the file, or "" when the whole result is too large
}

func (e *tooLargeError) Error() string {
	if e.name == "" {
		return fmt.Sprintf("result larger than %d MB or more than %d files", MaxResultSize>>20, MaxFiles)
	}
	return fmt.Sprintf("file %q larger than %d MB", e.name, MaxFileSize>>20)
}

// pending is the reason the office sees.
func (e *tooLargeError) pending() string {
	if e.name == "" {
		return fmt.Sprintf("O sistema contábil devolveu arquivos demais ou grandes demais (máximo de %d arquivos e %d MB).", MaxFiles, MaxResultSize>>20)
	}
	return fmt.Sprintf("O arquivo %s é grande demais (máximo de %d MB).", e.name, MaxFileSize>>20)
}

// transfer reassembles the files of one result from binary frames. Each chunk belongs to one
// file; files arrive in the declared order. When keep is false (nobody waits for the result)
// the bytes are checked and counted but not kept.
type transfer struct {
	job   string
	files []fileHeader
	keep  bool

	cur  int       // index of the file being received
	got  int64     // bytes of files[cur] received
	h    hash.Hash // sha256 of files[cur] so far
	buf  []byte
	out  []File
	errs []string // files whose sha256 did not match
}

// newTransfer starts receiving the files of a validated result frame.
func newTransfer(job string, files []fileHeader, keep bool) (*transfer, error) {
	var total int64
	for _, h := range files {
		if h.Size > MaxFileSize {
			return nil, &tooLargeError{name: h.Name}
		}
		total += h.Size
	}
	if total > MaxResultSize || len(files) > MaxFiles {
		return nil, &tooLargeError{}
	}
	return &transfer{job: job, files: files, keep: keep, h: sha256.New()}, nil
}

// write takes the next binary frame. It reports done when the last byte of the last file has
// arrived. A chunk that is empty, larger than ChunkSize or past the end of its file is a
// protocol violation.
func (t *transfer) write(chunk []byte) (done bool, err error) {
	if t.cur >= len(t.files) {
		return true, protocolErr("chunk after the last file of job %s", t.job)
	}
	f := t.files[t.cur]
	switch {
	case len(chunk) == 0:
		return false, protocolErr("empty chunk")
	case len(chunk) > ChunkSize:
		return false, protocolErr("chunk of %d bytes", len(chunk))
	case int64(len(chunk)) > f.Size-t.got:
		return false, protocolErr("chunk past the end of %q", f.Name)
	}
	if t.keep && t.buf == nil {
		t.buf = make([]byte, 0, f.Size)
	}
	if t.keep {
		t.buf = append(t.buf, chunk...)
	}
	t.h.Write(chunk)
	t.got += int64(len(chunk))
	if t.got < f.Size {
		return false, nil
	}
	if hex.EncodeToString(t.h.Sum(nil)) != f.SHA256 {
		t.errs = append(t.errs, f.Name)
	}
	if t.keep {
		t.out = append(t.out, File{Name: f.Name, Data: t.buf})
	}
	t.cur, t.got, t.buf = t.cur+1, 0, nil
	t.h.Reset()
	return t.cur == len(t.files), nil
}

// result is what a complete transfer yields: the files, a pending reason when one is not a
// PDF, or ErrBadTransfer when a checksum did not match.
func (t *transfer) result() (Result, error) {
	if len(t.errs) > 0 {
		return Result{}, fmt.Errorf("job %s: %w: sha256 of %q does not match", t.job, ErrBadTransfer, t.errs[0])
	}
	for _, f := range t.out {
		if CheckPDF(f.Data) != nil {
			return Result{Pending: fmt.Sprintf("O arquivo %s não é um PDF válido.", f.Name)}, nil
		}
	}
	return Result{Files: t.out}, nil
}
