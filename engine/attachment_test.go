package engine_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
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
