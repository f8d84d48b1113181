package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
)

type bookPage struct {
	Contacts []balcao.Contact `json:"contacts"`
	Next     string           `json:"next"`
	Total    int              `json:"total"`
}

type fieldErr struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

type importReport struct {
	Lines []struct {
		Line      int                 `json:"line"`
		Phone     string              `json:"phone"`
		Name      string              `json:"name"`
		Companies []balcao.CompanyRef `json:"companies"`
		Status    string              `json:"status"`
		Error     string              `json:"error"`
	} `json:"lines"`
	Counts struct {
		New       int `json:"new"`
		Update    int `json:"update"`
		Unchanged int `json:"unchanged"`
		Error     int `json:"error"`
	} `json:"counts"`
	Applied bool `json:"applied"`
}

// book lists the address book with a query string ("q=…&limit=…").
func (c *client) book(query string) bookPage {
	c.t.Helper()
	status, body := c.do("GET", "/api/addressbook?"+query, nil)
	if status != http.StatusOK {
		c.t.Fatalf("address book %q = %d %s", query, status, body)
	}
	return decode[bookPage](c.t, body)
}

// wantFields checks a 422 answer naming the field.
func wantFields(t *testing.T, what string, status int, body []byte, field string) {
	t.Helper()
	if status != http.StatusUnprocessableEntity || decode[fieldErr](t, body).Error.Fields[field] == "" {
		t.Fatalf("%s = %d %s, want 422 with a %s error", what, status, body, field)
	}
}

func TestContactBookCreateEditRemove(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")

	lawyer := map[string]any{"phone": "(48) 3222-1000", "name": "Dr. Paulo Advogado", "companies": []string{}}
	if status, body := ana.do("POST", "/api/addressbook", lawyer); status != http.StatusForbidden {
		t.Fatalf("attendant creates contact = %d %s, want 403", status, body)
	}
	status, body := admin.do("POST", "/api/addressbook", map[string]any{"phone": "12345", "name": " "})
	wantFields(t, "bad phone and no name", status, body, "phone")
	wantFields(t, "bad phone and no name", status, body, "name")
	if msg := decode[fieldErr](t, body).Error.Fields["phone"]; !strings.Contains(msg, "Telefone inválido") {
		t.Fatalf("phone error = %q, want Portuguese", msg)
	}
	status, body = admin.do("POST", "/api/addressbook", map[string]any{"phone": "48 3222-1000", "name": "X", "companies": []string{"nope"}})
	wantFields(t, "unknown company", status, body, "companies")

	status, body = admin.do("POST", "/api/addressbook", lawyer)
	created := decode[struct{ Contact balcao.Contact }](t, body).Contact
	if status != http.StatusCreated || created.Phone != "554832221000" || created.Name != "Dr. Paulo Advogado" || created.Companies == nil || len(created.Companies) != 0 {
		t.Fatalf("create = %d %s", status, body)
	}
	status, body = admin.do("POST", "/api/addressbook", map[string]any{"phone": "+55 48 3222-1000", "name": "Outro"})
	wantFields(t, "duplicate phone", status, body, "phone")
	if !strings.Contains(string(body), "Dr. Paulo Advogado") {
		t.Fatalf("duplicate phone = %s, want the existing contact's name", body)
	}

	// Every staff member lists and searches: by name, accents aside, by phone, by company.
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"q=advog", []string{"554832221000"}},
		{"q=JOAO", []string{"5548999990003"}},
		{"q=3222-10", []string{"554832221000"}},
		{"q=padaria", []string{"5548999990001"}},
		{"q=cl%C3%ADnica", []string{"5548999990002"}},
		{"q=ningu%C3%A9m", nil},
	} {
		page := ana.book(tc.q)
		var got []string
		for _, c := range page.Contacts {
			got = append(got, c.Phone)
		}
		if !slices.Equal(got, tc.want) || page.Total != len(tc.want) {
			t.Errorf("search %s = %v (total %d), want %v", tc.q, got, page.Total, tc.want)
		}
	}
	// Pages by name, each contact once.
	var names []string
	cursor := ""
	for range 10 {
		page := ana.book("limit=2&cursor=" + cursor)
		if page.Total != 5 {
			t.Fatalf("total = %d, want 5", page.Total)
		}
		for _, c := range page.Contacts {
			names = append(names, c.Name)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if want := []string{"Carlos Souza", "Dr. Paulo Advogado", "Fernanda Costa", "João Pereira", "Mariana Lima"}; !slices.Equal(names, want) {
		t.Fatalf("pages = %v, want %v", names, want)
	}
	if status, _ := ana.do("GET", "/api/addressbook?cursor=%25%25", nil); status != http.StatusBadRequest {
		t.Fatalf("bad cursor = %d, want 400", status)
	}
	if status, _ := ana.do("GET", "/api/addressbook?limit=0", nil); status != http.StatusBadRequest {
		t.Fatalf("limit 0 = %d, want 400", status)
	}

	// A broadcast list is a group of Contatos: its contacts, and its companies' contacts.
	status, body = admin.do("POST", "/api/lists", map[string]any{"name": "Grupo", "contacts": []string{"554832221000"}, "companies": []string{"tech-floripa"}})
	if status != http.StatusCreated {
		t.Fatalf("create list: %d %s", status, body)
	}
	list := decode[struct{ List balcao.BroadcastList }](t, body).List
	var group []string
	for _, c := range ana.book("list=" + list.ID).Contacts {
		group = append(group, c.Name)
	}
	if want := []string{"Dr. Paulo Advogado", "João Pereira"}; !slices.Equal(group, want) {
		t.Errorf("group %s = %v, want %v", list.ID, group, want)
	}
	if status, _ := ana.do("GET", "/api/addressbook?list=nope", nil); status != http.StatusNotFound {
		t.Errorf("unknown list = %d, want 404", status)
	}

	// Editing replaces the name and the companies (and the company's contact list follows).
	edit := map[string]any{"name": "Paulo Advogado", "companies": []string{"padaria-pao-quente"}}
	if status, _ := ana.do("PUT", "/api/addressbook/554832221000", edit); status != http.StatusForbidden {
		t.Fatalf("attendant edits = %d, want 403", status)
	}
	status, body = admin.do("PUT", "/api/addressbook/+55%20(48)%203222-1000", edit)
	if status != http.StatusOK || !strings.Contains(string(body), `"companies":["padaria-pao-quente"]`) {
		t.Fatalf("edit = %d %s", status, body)
	}
	if _, body := ana.do("GET", "/api/contacts?company=padaria-pao-quente", nil); !strings.Contains(string(body), "Paulo Advogado") {
		t.Fatalf("company contacts after edit = %s", body)
	}
	status, body = admin.do("PUT", "/api/addressbook/554832221000", map[string]any{"name": "Paulo Advogado", "companies": []string{"nope"}})
	wantFields(t, "edit with unknown company", status, body, "companies")
	status, body = admin.do("PUT", "/api/addressbook/554832221000", map[string]any{"name": "", "companies": []string{}})
	wantFields(t, "edit without name", status, body, "name")
	if status, body := admin.do("PUT", "/api/addressbook/554832221000", map[string]any{"name": "Paulo Advogado", "companies": []string{}}); status != http.StatusOK {
		t.Fatalf("edit to no company = %d %s", status, body)
	}
	if _, body := ana.do("GET", "/api/contacts?company=padaria-pao-quente", nil); strings.Contains(string(body), "Paulo") {
		t.Fatalf("company contacts after unlinking = %s", body)
	}
	if status, _ := admin.do("PUT", "/api/addressbook/5548911112222", edit); status != http.StatusNotFound {
		t.Fatalf("edit unknown phone = %d, want 404", status)
	}
	if status, body := admin.do("PUT", "/api/addressbook/554832221000", map[string]any{"name": "X", "phone": "1"}); status != http.StatusBadRequest {
		t.Fatalf("edit with an unknown field = %d %s, want 400", status, body)
	}

	// Managers may change contacts too.
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "gil", "name": "Gil Gerente", "role": "gerente", "password": demoPassword}); status != http.StatusCreated {
		t.Fatalf("create manager = %d %s", status, body)
	}
	gil := newClient(t, e)
	gil.login("demo", "gil")
	if status, body := gil.do("POST", "/api/addressbook", map[string]any{"phone": "47 98888-0009", "name": "Fornecedor"}); status != http.StatusCreated {
		t.Fatalf("manager creates = %d %s", status, body)
	}

	if status, _ := ana.do("DELETE", "/api/addressbook/554832221000", nil); status != http.StatusForbidden {
		t.Fatalf("attendant removes = %d, want 403", status)
	}
	if status, _ := gil.do("DELETE", "/api/addressbook/554832221000", nil); status != http.StatusNoContent {
		t.Fatalf("remove = %d", status)
	}
	if status, _ := gil.do("DELETE", "/api/addressbook/554832221000", nil); status != http.StatusNotFound {
		t.Fatalf("remove again = %d, want 404", status)
	}
	if status, _ := gil.do("DELETE", "/api/addressbook/abc", nil); status != http.StatusNotFound {
		t.Fatalf("remove a non-phone = %d, want 404", status)
	}
	if page := ana.book("q=paulo"); page.Total != 0 {
		t.Fatalf("removed contact still listed: %+v", page)
	}
}

func TestRemovedContactKeepsItsConversation(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.inbound("demo", "5548999990001", "bom dia", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	conv := func() string {
		_, body := admin.do("GET", "/api/conversations/5548999990001", nil)
		return string(body)
	}
	eventually(t, "Carlos's conversation", func() bool { return strings.Contains(conv(), "Carlos Souza") })

	if status, body := admin.do("DELETE", "/api/addressbook/5548999990001", nil); status != http.StatusNoContent {
		t.Fatalf("remove = %d %s", status, body)
	}
	// The conversation answered the removal once it had reloaded: no polling needed.
	if got := conv(); !strings.Contains(got, `"contact":{"phone":"5548999990001","name":"","linked":false}`) || !strings.Contains(got, `"companies":[]`) {
		t.Fatalf("conversation after removal = %s, want the bare phone, unlinked", got)
	}
	_, body := admin.do("GET", "/api/conversations/5548999990001/messages", nil)
	if msgs := decode[msgList](t, body).Messages; len(msgs) == 0 || msgs[0].Text != "bom dia" {
		t.Fatalf("messages after removal = %s", body)
	}
	_, body = admin.do("GET", "/api/conversations?tab=contatos", nil)
	for _, c := range decode[convList](t, body).Conversations {
		if c.ID == "5548999990001" && (c.Contact.Name != "" || c.Contact.Linked) {
			t.Fatalf("inbox still shows the removed contact: %+v", c)
		}
	}
	if _, body := admin.do("GET", "/api/contacts?company=padaria-pao-quente", nil); strings.Contains(string(body), "5548999990001") {
		t.Fatalf("company contacts after removal = %s", body)
	}
	// Enabled again, the same conversation links again.
	if status, body := admin.do("POST", "/api/addressbook", map[string]any{"phone": "48 99999-0001", "name": "Carlos S.", "companies": []string{"padaria-pao-quente"}}); status != http.StatusCreated {
		t.Fatalf("create again = %d %s", status, body)
	}
	if got := conv(); !strings.Contains(got, `"name":"Carlos S.","linked":true`) {
		t.Fatalf("conversation after re-creating the contact = %s", got)
	}
}

// TestAttendantCannotLinkALinkedContact: "link" names and links an unlinked phone from its
// conversation; an attendant may not use it to give a client's phone another company (whose
// documents its portal would then list) nor to rename a contact that has a name (403
// rename_forbidden, not a name silently kept). Administrators and managers may add a company
// there, and the name they send is the contact's.
func TestAttendantCannotLinkALinkedContact(t *testing.T) {
	e := startEngine(t)
	ana, admin := newClient(t, e), newClient(t, e)
	ana.login("demo", "ana")
	admin.login("demo", "admin")
	const joao = "5548999990003" // Tech Floripa's contact
	const supplier = "5548988887777"
	if status, body := admin.do("POST", "/api/addressbook", map[string]any{"phone": supplier, "name": "Fornecedor X"}); status != http.StatusCreated {
		t.Fatalf("create the supplier: %d %s", status, body)
	}
	for _, phone := range []string{joao, supplier} {
		if status, body := ana.inbound("demo", phone, "oi", ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
		eventually(t, "the conversation of "+phone, func() bool {
			status, _ := ana.do("GET", "/api/conversations/"+phone, nil)
			return status == http.StatusOK
		})
	}
	contact := func(phone string) balcao.Contact {
		t.Helper()
		page := admin.book("q=" + phone)
		if len(page.Contacts) != 1 {
			t.Fatalf("address book q=%s = %+v, want one contact", phone, page.Contacts)
		}
		return page.Contacts[0]
	}

	status, body := ana.do("POST", "/api/contacts/"+joao+"/link", map[string]string{"company": "padaria-pao-quente", "name": "Outro Nome"})
	if status != http.StatusConflict || decode[fieldErr](t, body).Error.Code != "already_linked" {
		t.Fatalf("attendant links Tech Floripa's contact to the Padaria = %d %s, want 409 already_linked", status, body)
	}
	if c := contact(joao); c.Name != "João Pereira" || !slices.Equal(c.Companies, []string{"tech-floripa"}) {
		t.Fatalf("João after the refused link = %+v", c)
	}

	// A phone with no company is unlinked: the attendant links it, keeping its name (an empty
	// name or its own), and may not rename it.
	status, body = ana.do("POST", "/api/contacts/"+supplier+"/link", map[string]string{"company": "tech-floripa", "name": "Outro Nome"})
	if status != http.StatusForbidden || decode[fieldErr](t, body).Error.Code != "rename_forbidden" {
		t.Fatalf("attendant renames the supplier = %d %s, want 403 rename_forbidden", status, body)
	}
	if c := contact(supplier); c.Name != "Fornecedor X" || len(c.Companies) != 0 {
		t.Fatalf("supplier after the refused rename = %+v", c)
	}
	status, body = ana.do("POST", "/api/contacts/"+supplier+"/link", map[string]string{"company": "tech-floripa", "name": "Fornecedor X"})
	if status != http.StatusOK || !strings.Contains(string(body), `"linked":true`) {
		t.Fatalf("attendant links the supplier = %d %s", status, body)
	}
	if c := contact(supplier); c.Name != "Fornecedor X" || !slices.Equal(c.Companies, []string{"tech-floripa"}) {
		t.Fatalf("supplier after the link = %+v, want Fornecedor X of tech-floripa", c)
	}

	// An administrator may add a company from the conversation, and rename the contact.
	status, body = admin.do("POST", "/api/contacts/"+joao+"/link", map[string]string{"company": "padaria-pao-quente", "name": "João P. Pereira"})
	if status != http.StatusOK {
		t.Fatalf("administrator links João to the Padaria = %d %s", status, body)
	}
	if c := contact(joao); c.Name != "João P. Pereira" || !slices.Equal(c.Companies, []string{"tech-floripa", "padaria-pao-quente"}) {
		t.Fatalf("João after the administrator's link = %+v, want João P. Pereira of both companies", c)
	}
}

// importCSV posts a CSV file as text/csv.
func (c *client) importCSV(query, csv string) (int, []byte) {
	c.t.Helper()
	return c.raw("POST", "/api/addressbook/import"+query, "text/csv", strings.NewReader(csv))
}

func TestContactImportPreviewThenApply(t *testing.T) {
	e := startEngine(t)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	// Mariana has an open conversation: it must see her new name.
	if status, body := admin.inbound("demo", "5548999990002", "oi", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	tech := balcao.FormatCNPJ(balcao.CNPJCheckDigits("456789010001"))
	missing := balcao.FormatCNPJ(balcao.CNPJCheckDigits("111222330001"))
	file := "telefone;nome;empresas\n" +
		"(47) 98888-0001;Paulo Fornecedor;\n" +
		"47988880002;Rita Gomes;padaria pão quente ltda\n" +
		"48 99999-0002;Mariana Lima Souza;" + tech + "\n" +
		"\n" +
		"12345;Fulano;\n" +
		"47 98888-0001;Outro;\n" +
		"47988880003;Zé;" + missing + "\n" +
		"48999990001;Carlos Souza;padaria-pao-quente | " + balcao.FormatCNPJ(balcao.CNPJCheckDigits("123456780001")) + "\n" +
		"47988880004;;\n"

	if status, body := ana.importCSV("?preview=1", file); status != http.StatusForbidden {
		t.Fatalf("attendant preview = %d %s, want 403", status, body)
	}
	status, body := admin.importCSV("?preview=1", file)
	if status != http.StatusOK {
		t.Fatalf("preview = %d %s", status, body)
	}
	rep := decode[importReport](t, body)
	type want struct {
		line          int
		phone, status string
		err           string
		companies     int
	}
	wants := []want{
		{2, "5547988880001", "new", "", 0},
		{3, "5547988880002", "new", "", 1},
		{4, "5548999990002", "update", "", 1},
		{6, "12345", "error", "Telefone inválido", 0},
		{7, "5547988880001", "error", "Telefone repetido na linha 2", 0},
		{8, "5547988880003", "error", "Empresa não encontrada: " + missing, 0},
		{9, "5548999990001", "unchanged", "", 1},
		{10, "5547988880004", "error", "Informe o nome do novo contato", 0},
	}
	if len(rep.Lines) != len(wants) || rep.Applied {
		t.Fatalf("preview = %s, want %d lines, not applied", body, len(wants))
	}
	for i, w := range wants {
		l := rep.Lines[i]
		if l.Line != w.line || l.Phone != w.phone || l.Status != w.status || l.Error != w.err || len(l.Companies) != w.companies {
			t.Errorf("line %d = %+v, want %+v", i, l, w)
		}
	}
	if rep.Lines[2].Companies[0].ID != "tech-floripa" || rep.Lines[1].Companies[0].Name != "Padaria Pão Quente Ltda" {
		t.Errorf("companies = %+v / %+v", rep.Lines[2].Companies, rep.Lines[1].Companies)
	}
	if c := rep.Counts; c.New != 2 || c.Update != 1 || c.Unchanged != 1 || c.Error != 4 {
		t.Errorf("counts = %+v", c)
	}
	// The preview changed nothing.
	if page := admin.book(""); page.Total != 4 {
		t.Fatalf("after preview %d contacts, want the 4 of the demo", page.Total)
	}
	if page := admin.book("q=mariana"); page.Contacts[0].Name != "Mariana Lima" {
		t.Fatalf("after preview Mariana = %+v", page.Contacts[0])
	}

	status, body = admin.importCSV("", file)
	applied := decode[importReport](t, body)
	if status != http.StatusOK || !applied.Applied || applied.Counts != rep.Counts || len(applied.Lines) != len(rep.Lines) {
		t.Fatalf("import = %d %s", status, body)
	}
	if page := admin.book(""); page.Total != 6 {
		t.Fatalf("after import %d contacts, want 6", page.Total)
	}
	if page := admin.book("q=paulo"); page.Total != 1 || page.Contacts[0].Phone != "5547988880001" || len(page.Contacts[0].Companies) != 0 {
		t.Fatalf("Paulo = %+v", page)
	}
	if _, body := admin.do("GET", "/api/contacts?company=padaria-pao-quente", nil); !strings.Contains(string(body), "Rita Gomes") {
		t.Fatalf("padaria contacts = %s", body)
	}
	if page := admin.book("q=mariana"); page.Contacts[0].Name != "Mariana Lima Souza" || len(page.Contacts[0].Companies) != 3 {
		t.Fatalf("Mariana after import = %+v, want the new name and three companies", page.Contacts[0])
	}
	eventually(t, "Mariana's open conversation to show her new name", func() bool {
		_, body := admin.do("GET", "/api/conversations/5548999990002", nil)
		return strings.Contains(string(body), "Mariana Lima Souza") && strings.Contains(string(body), "Tech Floripa")
	})

	// Importing the same file again changes nothing.
	_, body = admin.importCSV("", file)
	if c := decode[importReport](t, body).Counts; c.New != 0 || c.Update != 0 || c.Unchanged != 4 || c.Error != 4 {
		t.Fatalf("second import counts = %+v, want 4 unchanged and the same 4 errors", c)
	}
}

func TestContactImportEncodings(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")

	// Latin-1 (Windows-1252) from Excel, comma separated, no header, CRLF.
	latin1 := "47988880011,Jos\xe9 Concei\xe7\xe3o,Cl\xednica Vida Saud\xe1vel ME\r\n" +
		"47988880012,\x93Ana\x94 Mar\xeda,\r\n"
	status, body := admin.importCSV("?preview=1", latin1)
	rep := decode[importReport](t, body)
	if status != http.StatusOK || len(rep.Lines) != 2 || rep.Lines[0].Name != "José Conceição" || rep.Lines[0].Status != "new" ||
		len(rep.Lines[0].Companies) != 1 || rep.Lines[0].Companies[0].ID != "clinica-vida" || rep.Lines[1].Name != "“Ana” María" {
		t.Fatalf("Latin-1 preview = %d %s", status, body)
	}

	// UTF-8 with a BOM, a header naming the columns in another order, quoted cells, sent as a
	// multipart upload.
	bom := "\ufeffNome;Telefone (WhatsApp);Empresas\r\n" +
		"\"Souza; Irmãos\";47 98888-0013;\"Padaria Pão Quente Ltda, Tech Floripa Sistemas Ltda\"\r\n"
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "contatos.csv")
	fw.Write([]byte(bom))
	mw.Close()
	status, body = admin.raw("POST", "/api/addressbook/import", mw.FormDataContentType(), &form)
	rep = decode[importReport](t, body)
	if status != http.StatusOK || !rep.Applied || len(rep.Lines) != 1 || rep.Lines[0].Line != 2 || rep.Lines[0].Phone != "5547988880013" ||
		rep.Lines[0].Name != "Souza; Irmãos" || len(rep.Lines[0].Companies) != 2 {
		t.Fatalf("BOM multipart import = %d %s", status, body)
	}
	if page := admin.book("q=irm%C3%A3os"); page.Total != 1 || len(page.Contacts[0].Companies) != 2 {
		t.Fatalf("imported contact = %+v", page)
	}
}

func TestContactImportBadFiles(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	var big strings.Builder
	for i := 0; big.Len() <= 2<<20; i++ {
		fmt.Fprintf(&big, "4798%07d;Contato número %d com um nome bem comprido para ocupar espaço;\n", i, i)
	}
	var many strings.Builder
	for i := range 5001 {
		fmt.Fprintf(&many, "4798%07d;C %d\n", i, i)
	}
	var manyForm bytes.Buffer
	mw := multipart.NewWriter(&manyForm)
	fw, _ := mw.CreateFormFile("file", "grande.csv")
	fw.Write([]byte(big.String()))
	mw.Close()

	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"too big", "text/csv", big.String(), http.StatusRequestEntityTooLarge, "file_too_large"},
		{"too big upload", mw.FormDataContentType(), manyForm.String(), http.StatusRequestEntityTooLarge, "file_too_large"},
		{"too many lines", "text/csv", many.String(), http.StatusRequestEntityTooLarge, "too_many_lines"},
		{"unterminated quote", "text/csv", "47988880021;Ana;\n47988880022;\"Bia;\n47988880023;Caio;\n", http.StatusUnprocessableEntity, "unreadable_file"},
		{"empty", "text/csv", " \r\n\r\n", http.StatusUnprocessableEntity, "unreadable_file"},
		{"header only", "text/csv", "telefone;nome;empresas\n", http.StatusUnprocessableEntity, "unreadable_file"},
		{"header without phone", "text/csv", "nome;empresas\nAna;padaria-pao-quente\n", http.StatusUnprocessableEntity, "unreadable_file"},
		{"xlsx", "text/csv", "PK\x03\x04\x14\x00\x06\x00", http.StatusUnprocessableEntity, "unreadable_file"},
		{"utf-16", "text/csv", "\xff\xfet\x00e\x00", http.StatusUnprocessableEntity, "unreadable_file"},
		{"json", "application/json", `{"phone":"47988880021"}`, http.StatusUnsupportedMediaType, "csv_required"},
		{"form without file", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhi\r\n--x--\r\n", http.StatusBadRequest, "file_required"},
	} {
		status, body := admin.raw("POST", "/api/addressbook/import", tc.contentType, strings.NewReader(tc.body))
		eb := decode[errBody](t, body)
		if status != tc.status || eb.Error.Code != tc.code || eb.Error.Message == "" {
			t.Errorf("%s = %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
	}
	// None of them changed anything.
	if page := admin.book(""); page.Total != 4 {
		t.Fatalf("after bad files %d contacts, want the 4 of the demo", page.Total)
	}

	req, _ := http.NewRequest("POST", "http://"+e.Addr()+"/api/addressbook/import", strings.NewReader("47988880021;Ana;\n"))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := admin.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin import = %d, want 403", resp.StatusCode)
	}
}

// TestContactsChangedEvents: a durable change of the address book is pushed once as
// contacts.changed, naming at most balcao.MaxChangedPhones phones with the count of all, and
// the company when one was saved; a preview of an import, and a change refused for bad input,
// push nothing.
func TestContactsChangedEvents(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	sub, _, _ := e.Hub().Subscribe(engine.DemoOffice, "test", "test", nil, "", 0)
	defer e.Hub().Unsubscribe(engine.DemoOffice, sub)
	next := func(what string) balcao.ContactsChanged {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case f := <-sub.C:
				for _, ev := range framesOf(t, f) {
					if ev.Type != balcao.EventContactsChanged {
						continue
					}
					var got balcao.ContactsChanged
					if err := json.Unmarshal(ev.Data, &got); err != nil {
						t.Fatalf("%s: %s: %v", what, ev.Data, err)
					}
					return got
				}
			case <-deadline:
				t.Fatalf("no contacts.changed after %s", what)
			}
		}
	}

	const n = balcao.MaxChangedPhones + 50
	var csv strings.Builder
	csv.WriteString("telefone;nome;empresas\n")
	for i := range n {
		fmt.Fprintf(&csv, "4798777%04d;Importado %d;\n", i, i)
	}
	if status, body := admin.importCSV("?preview=1", csv.String()); status != http.StatusOK {
		t.Fatalf("preview: %d %s", status, body)
	}
	// Refused: nothing written, nothing pushed.
	if status, body := admin.do("POST", "/api/addressbook", map[string]any{"phone": "123", "name": "Curto"}); status != http.StatusUnprocessableEntity {
		t.Fatalf("bad phone: %d %s", status, body)
	}
	if status, body := admin.importCSV("", csv.String()); status != http.StatusOK {
		t.Fatalf("import: %d %s", status, body)
	}
	// The first event is the import's: the preview and the refused contact pushed none.
	if got := next("the import"); got.Count != n || len(got.Phones) != balcao.MaxChangedPhones || got.Phones[0] != "5547987770000" || got.Company != "" {
		t.Fatalf("import pushed count %d, %d phones (first %v), company %q; want %d, %d, 5547987770000, none",
			got.Count, len(got.Phones), got.Phones[:min(1, len(got.Phones))], got.Company, n, balcao.MaxChangedPhones)
	}

	if status, body := admin.do("PUT", "/api/companies/tech-floripa", map[string]any{
		"name": "Tech Floripa Sistemas Ltda", "cnpj": balcao.FormatCNPJ(balcao.CNPJCheckDigits("456789010001")), "enabled": true, "useAssistant": true,
	}); status != http.StatusOK {
		t.Fatalf("save company: %d %s", status, body)
	}
	if got := next("the company saved"); got.Company != "tech-floripa" || got.Count != 1 || !slices.Equal(got.Phones, []string{"5548999990003"}) {
		t.Fatalf("company save pushed %+v, want tech-floripa with João's phone", got)
	}
}
