package engine_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
)

// TestEmbeddedFolderTurnsBadFilesIntoPendingReasons: with the embedded folder source
// (`serve --documents DIR`), a file of the export tree that is not a PDF and one of 200 MB
// each leave their job in pendentes with a reason the office can act on, and the client is
// told that the office will take care of it; nothing of theirs is sent, while a good file
// beside them is.
func TestEmbeddedFolderTurnsBadFilesIntoPendingReasons(t *testing.T) {
	docs := t.TempDir()
	comp, name := month(1)
	folder := func(intent string) string {
		dir := filepath.Join(docs, balcao.CNPJCheckDigits("123456780001"), intent, comp)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	if err := os.WriteFile(filepath.Join(folder("das"), "das.pdf"), []byte("<html>Erro 500 do sistema contábil</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	huge, err := os.Create(filepath.Join(folder("fgts"), "fgts.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := huge.WriteString("%PDF-1.7\n"); err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(200 << 20); err != nil { // sparse: 200 MB that take no disk
		t.Fatal(err)
	}
	huge.Close()
	if err := os.WriteFile(filepath.Join(folder("inss"), "inss.pdf"), []byte("%PDF-1.4\nguia do INSS\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	e := startEngine(t, func(c *engine.Config) { c.Documents = docs })
	c := newClient(t, e)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5548999990001"
	for _, ask := range []string{"guia do das de ", "guia do fgts de ", "guia do inss de "} {
		before := len(admin.allJobs())
		if status, body := c.inbound("demo", phone, ask+name, ""); status != http.StatusAccepted {
			t.Fatalf("inbound: %d %s", status, body)
		}
		eventually(t, "the job of "+ask, func() bool { return len(admin.allJobs()) == before+1 })
	}
	reasons := map[string]string{}
	eventually(t, "two jobs pending and one processed", func() bool {
		clear(reasons)
		done := 0
		for _, j := range admin.allJobs() {
			switch j.State {
			case balcao.JobPending:
				reasons[j.Intent] = j.Reason
			case balcao.JobDone:
				if j.Delivered && j.Intent == "inss" {
					done++
				}
			}
		}
		return len(reasons) == 2 && done == 1
	})
	if r := reasons["das"]; !strings.Contains(r, "das.pdf não é um PDF válido") {
		t.Errorf("das reason = %q, want the file named as not a valid PDF", r)
	}
	if r := reasons["fgts"]; !strings.Contains(r, "fgts.pdf é grande demais") {
		t.Errorf("fgts reason = %q, want the file named as too large", r)
	}
	eventually(t, "the client told the office will act, twice", func() bool {
		n := 0
		for _, m := range c.outbound(phone) {
			if strings.Contains(m.Text, "ação do escritório") {
				n++
			}
		}
		return n == 2
	})
	eventually(t, "the good file on the phone", func() bool { return len(documentsOf(c.outbound(phone))) > 0 })
	if sent := documentsOf(c.outbound(phone)); len(sent) != 1 || sent[0].Document.Name != "inss.pdf" {
		t.Fatalf("documents sent = %+v, want inss.pdf alone", sent)
	}
}
