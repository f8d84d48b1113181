package whatsapp

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

var testPDF = []byte("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// uploaded is what WhatsApp answers for data, as whatsmeow's Upload computes it.
func uploaded(data []byte) whatsmeow.UploadResponse {
	sum := sha256.Sum256(data)
	return whatsmeow.UploadResponse{
		URL: "https://mmg.whatsapp.net/d/f/x", DirectPath: "/v/t62/x", MediaKey: bytes.Repeat([]byte{1}, 32),
		FileEncSHA256: bytes.Repeat([]byte{2}, 32), FileSHA256: sum[:], FileLength: uint64(len(data)),
	}
}

func TestTextOf(t *testing.T) {
	doc := &balcao.Document{Name: "holerite-10-2026.pdf", URL: "https://portal.example/d/abc"}
	tests := []struct {
		name string
		m    gateway.Outbound
		want string
	}{
		{"text", gateway.Outbound{Text: " Olá! "}, "Olá!"},
		{"document as a link", gateway.Outbound{Text: "Segue o holerite.", Document: doc}, "Segue o holerite.\n\nholerite-10-2026.pdf: https://portal.example/d/abc"},
		{"link already in the text", gateway.Outbound{Text: "Baixe em https://portal.example/d/abc", Document: doc}, "Baixe em https://portal.example/d/abc"},
		{"document link alone", gateway.Outbound{Document: doc}, "holerite-10-2026.pdf: https://portal.example/d/abc"},
		{"document with bytes keeps the caption", gateway.Outbound{Text: "Segue.", Document: doc, File: &gateway.File{Data: testPDF}}, "Segue."},
	}
	for _, tt := range tests {
		if got := textOf(&tt.m); got != tt.want {
			t.Errorf("%s: textOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCheckFile(t *testing.T) {
	tests := []struct {
		name     string
		f        *gateway.File
		doc      string
		wantErr  error
		wantName string
		wantMIME string
	}{
		{name: "pdf", f: &gateway.File{Name: "guia-das.pdf", MIME: "application/pdf", Data: testPDF}, wantName: "guia-das.pdf", wantMIME: "application/pdf"},
		{name: "type from the name", f: &gateway.File{Name: "guia-das.pdf", Data: testPDF}, wantName: "guia-das.pdf", wantMIME: "application/pdf"},
		{name: "name from the document", f: &gateway.File{MIME: "application/pdf", Data: testPDF}, doc: "holerite.pdf", wantName: "holerite.pdf", wantMIME: "application/pdf"},
		{name: "name made up", f: &gateway.File{MIME: "application/pdf", Data: testPDF}, wantName: "documento.pdf", wantMIME: "application/pdf"},
		{name: "spreadsheet", f: &gateway.File{Name: "folha.xlsx", Data: []byte("PK\x03\x04")}, wantName: "folha.xlsx", wantMIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{name: "nil", f: nil, wantErr: ErrEmptyFile},
		{name: "empty pdf", f: &gateway.File{Name: "guia.pdf", MIME: "application/pdf", Data: []byte{}}, wantErr: ErrEmptyFile},
		{name: "pdf that is not one", f: &gateway.File{Name: "guia.pdf", MIME: "application/pdf", Data: []byte("<html>erro 500</html>")}, wantErr: ErrBrokenFile},
		{name: "pdf by name only that is not one", f: &gateway.File{Name: "guia.pdf", Data: []byte("not a pdf")}, wantErr: ErrBrokenFile},
		{name: "too large", f: &gateway.File{Name: "a.bin", Data: make([]byte, 101)}, wantErr: ErrFileTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkFile(tt.f, tt.doc, 100)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("checkFile error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Name != tt.wantName || got.MIME != tt.wantMIME {
				t.Errorf("checkFile = %+v, %v, want name %q, type %q", got, err, tt.wantName, tt.wantMIME)
			}
		})
	}
}

func TestDocumentMessage(t *testing.T) {
	f := outFile{Name: "holerite.pdf", MIME: "application/pdf", Data: testPDF}
	now := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	up := uploaded(testPDF)
	msg, err := documentMessage(f, "Segue o holerite.", up, now)
	if err != nil {
		t.Fatal(err)
	}
	d := msg.GetDocumentMessage()
	if d.GetURL() != up.URL || d.GetDirectPath() != up.DirectPath || !bytes.Equal(d.GetMediaKey(), up.MediaKey) ||
		!bytes.Equal(d.GetFileEncSHA256(), up.FileEncSHA256) || !bytes.Equal(d.GetFileSHA256(), up.FileSHA256) {
		t.Errorf("document media fields = %v, want those of the upload", d)
	}
	if d.GetFileLength() != uint64(len(testPDF)) || d.GetMimetype() != "application/pdf" || d.GetFileName() != "holerite.pdf" ||
		d.GetCaption() != "Segue o holerite." || d.GetMediaKeyTimestamp() != now.Unix() {
		t.Errorf("document = %v", d)
	}

	short := up
	short.FileLength = 0
	if _, err := documentMessage(f, "", short, now); !errors.Is(err, ErrBrokenFile) {
		t.Errorf("upload of 0 bytes: error = %v, want ErrBrokenFile", err)
	}
	other := uploaded([]byte("%PDF-other content of the same...")[:len(testPDF)%30+5])
	other.FileLength = uint64(len(testPDF))
	if _, err := documentMessage(f, "", other, now); !errors.Is(err, ErrBrokenFile) {
		t.Errorf("upload of other bytes: error = %v, want ErrBrokenFile", err)
	}
	noPath := up
	noPath.DirectPath = ""
	if _, err := documentMessage(f, "", noPath, now); !errors.Is(err, ErrBrokenFile) {
		t.Errorf("upload without a path: error = %v, want ErrBrokenFile", err)
	}
}
