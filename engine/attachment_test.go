package engine_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/balcao/balcao"
)

func (c *client) upload(path, name string, data []byte, caption string) (int, []byte) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.WriteField("caption", caption)
	mw.Close()
	return c.raw("POST", path, mw.FormDataContentType(), &body)
}

func TestStaffSendsAttachments(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	const phone = "5548999990001"
	path := "/api/conversations/" + phone + "/attachments"
	pdf := []byte("%PDF-1.4\nrecibo\n%%EOF\n")
	if status, body := ana.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, _ := ana.upload(path, "recibo.pdf", pdf, ""); status != http.StatusConflict {
		t.Fatalf("attachment while not attending = %d, want 409", status)
	}
	if status, body := ana.do("POST", "/api/conversations/"+phone+"/start", nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	status, body := ana.upload(path, "recibo.pdf", pdf, "Segue o recibo")
	if status != http.StatusCreated || !strings.Contains(string(body), `"mime":"application/pdf"`) {
		t.Fatalf("attachment = %d %s", status, body)
	}
	msg := decode[struct {
		Message struct{ ID uint64 } `json:"message"`
	}](t, body).Message
	eventually(t, "the document on the phone", func() bool {
		for _, m := range ana.outbound(phone) {
			if m.Document != nil && m.Document.Name == "recibo.pdf" && m.Text == "Segue o recibo" {
				return true
			}
		}
		return false
	})
	status, got := ana.do("GET", fmt.Sprintf("/api/conversations/%s/messages/%d/file", phone, msg.ID), nil)
	if status != 200 || !bytes.Equal(got, pdf) {
		t.Fatalf("download = %d %q", status, got)
	}
	if status, body := ana.upload(path, "grande.pdf", append([]byte("%PDF-"), make([]byte, 21<<20)...), ""); status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "20 MB") {
		t.Fatalf("21 MB attachment = %d %s", status, body)
	}
	if status, _ := ana.upload(path, "virus.exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""); status != http.StatusUnsupportedMediaType {
		t.Fatalf("exe attachment = %d, want 415", status)
	}
	if status, _ := ana.upload(path, "vazio.pdf", nil, ""); status != http.StatusBadRequest && status != http.StatusUnsupportedMediaType {
		t.Fatalf("empty attachment = %d, want 4xx", status)
	}
}

// uploadAs is upload with the Content-Type a browser declares for the file.
func (c *client) uploadAs(path, name, contentType string, data []byte) (int, []byte) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", contentType)
	fw, _ := mw.CreatePart(h)
	fw.Write(data)
	mw.Close()
	return c.raw("POST", path, mw.FormDataContentType(), &body)
}

// TestAttachmentTypeIsTheServers sends zips named as themselves and as Office and OpenDocument
// files, each declared by the browser as a PDF: WhatsApp gets the type the server found (the
// document's for a zip so named, application/zip otherwise), never the declared one, and a
// refused kind's message names zips among those allowed.
func TestAttachmentTypeIsTheServers(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	const phone = "5548999990001"
	path := "/api/conversations/" + phone + "/attachments"
	if status, body := ana.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	if status, body := ana.do("POST", "/api/conversations/"+phone+"/start", nil); status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00notas/35260112345678000199550010000001231000001234.xml")
	tests := []struct {
		name, want string
	}{
		{"notas-janeiro.zip", "application/zip"},
		{"folha.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"CONTRATO.DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"reuniao.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
		{"balanco.ods", "application/vnd.oasis.opendocument.spreadsheet"},
		{"parecer.odt", "application/vnd.oasis.opendocument.text"},
		{"recibo.pdf", "application/zip"},
	}
	for _, tt := range tests {
		status, body := ana.uploadAs(path, tt.name, "application/pdf", zip)
		if status != http.StatusCreated {
			t.Fatalf("upload %s = %d %s", tt.name, status, body)
		}
		got := decode[struct {
			Message struct{ Document *balcao.Document } `json:"message"`
		}](t, body).Message.Document
		if got == nil || got.MIME != tt.want {
			t.Errorf("upload %s declared application/pdf: stored document %+v, want type %s", tt.name, got, tt.want)
		}
		eventually(t, "the document on the phone", func() bool {
			for _, m := range ana.outbound(phone) {
				if m.Document != nil && m.Document.Name == tt.name {
					if m.Document.MIME != tt.want {
						t.Fatalf("%s sent on WhatsApp as %s, want %s", tt.name, m.Document.MIME, tt.want)
					}
					return true
				}
			}
			return false
		})
	}
	status, body := ana.uploadAs(path, "virus.exe", "application/zip", []byte("MZ\x90\x00\x03\x00\x00\x00"))
	if status != http.StatusUnsupportedMediaType || !strings.Contains(string(body), ".zip") {
		t.Fatalf("exe attachment = %d %s, want 415 naming zips among the allowed kinds", status, body)
	}
}
