package engine_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/balcao/balcao/gateway/whatsim"
)

// phoneDocument posts a document from a simulated phone: a multipart form with the given fields
// and, when name is not empty, the file.
func (c *client) phoneDocument(fields map[string]string, name, contentType string, data []byte) (int, []byte) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		fw, _ := mw.CreatePart(h)
		fw.Write(data)
	}
	mw.Close()
	return c.raw("POST", "/sim/inbound", mw.FormDataContentType(), &body)
}

// TestPhoneSendsADocument: a simulated phone sends a document with a caption; it is stored
// once (its id delivered twice), the staff see it in the conversation with its name and type
// and download the very bytes; a form without a file, with an empty or too large one, or with
// a field the simulator does not know gets a 4xx and stores nothing.
func TestPhoneSendsADocument(t *testing.T) {
	e := startEngine(t)
	ana := newClient(t, e)
	ana.login("demo", "ana")
	const phone = "5548999990001"
	pdf := []byte("%PDF-1.4\ncomprovante de pagamento\n%%EOF\n")
	fields := map[string]string{"office": "demo", "from": "55 48 9999-0001", "text": "segue o comprovante", "id": "DOC1"}
	for range 2 {
		if status, body := ana.phoneDocument(fields, "comprovante.pdf", "application/pdf", pdf); status != http.StatusAccepted || !strings.Contains(string(body), `"id":"DOC1"`) {
			t.Fatalf("document from the phone = %d %s, want 202 with its id", status, body)
		}
	}

	type message struct {
		ID        uint64 `json:"id"`
		Direction string `json:"direction"`
		Text      string `json:"text"`
		Document  *struct {
			Name string `json:"name"`
			MIME string `json:"mime"`
			Size int64  `json:"size"`
		} `json:"document"`
	}
	inbound := func() []message {
		_, body := ana.do("GET", "/api/conversations/"+phone+"/messages", nil)
		var in []message
		for _, m := range decode[struct{ Messages []message }](t, body).Messages {
			if m.Direction == "in" {
				in = append(in, m)
			}
		}
		return in
	}
	in := inbound()
	if len(in) != 1 || in[0].Document == nil || in[0].Document.Name != "comprovante.pdf" || in[0].Document.MIME != "application/pdf" ||
		in[0].Document.Size != int64(len(pdf)) || in[0].Text != "segue o comprovante" {
		t.Fatalf("inbound messages = %+v, want the document once with its caption", in)
	}
	resp, err := ana.http.Get(fmt.Sprintf("%s/api/conversations/%s/messages/%d/file", ana.base, phone, in[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, pdf) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download = %d %s %q, want the phone's PDF", resp.StatusCode, resp.Header.Get("Content-Type"), got)
	}

	delete(fields, "id")
	tests := []struct {
		name   string
		fields map[string]string
		file   string
		data   []byte
		status int
		code   string
	}{
		{"no file", fields, "", nil, 400, "file_required"},
		{"empty file", fields, "vazio.pdf", nil, 400, "empty_file"},
		{"file too large", fields, "grande.pdf", bytes.Repeat([]byte("a"), whatsim.MaxDocument+1), 413, "file_too_large"},
		{"unknown field", map[string]string{"office": "demo", "from": phone, "para": "x"}, "a.pdf", pdf, 400, "malformed_form"},
		{"invalid phone", map[string]string{"office": "demo", "from": "123"}, "a.pdf", pdf, 400, "invalid_phone"},
		{"unknown office", map[string]string{"office": "nope", "from": phone}, "a.pdf", pdf, 404, "unknown_office"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := ana.phoneDocument(tc.fields, tc.file, "application/pdf", tc.data)
			if eb := decode[errBody](t, body); status != tc.status || eb.Error.Code != tc.code || eb.Error.Message == "" {
				t.Fatalf("POST /sim/inbound (%s) = %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
			}
		})
	}
	if n := len(inbound()); n != 1 {
		t.Fatalf("%d inbound messages stored after the refused forms, want 1", n)
	}
}
