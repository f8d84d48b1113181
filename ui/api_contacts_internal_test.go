package ui

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// message is the Portuguese message of a file that cannot be read, or "".
func message(err error) string {
	var fe *fileError
	if errors.As(err, &fe) {
		return fe.message
	}
	return ""
}

func TestParseContactsCSV(t *testing.T) {
	row := func(line int, phone, name string, companies ...string) ContactRow {
		return ContactRow{Line: line, Phone: phone, Name: name, Companies: companies}
	}
	for _, tc := range []struct {
		name, in string
		want     []ContactRow
		err      string // part of the Portuguese message
	}{
		{"semicolons and header", "telefone;nome;empresas\n4899;Ana;Padaria\n", []ContactRow{row(2, "4899", "Ana", "Padaria")}, ""},
		{"commas, no header", "4899,Ana,\n4898,Bia\n", []ContactRow{row(1, "4899", "Ana"), row(2, "4898", "Bia")}, ""},
		{"tabs", "4899\tAna\tPadaria\n", []ContactRow{row(1, "4899", "Ana", "Padaria")}, ""},
		{"BOM and CRLF", "\ufeffTelefone;Nome\r\n4899;Ana\r\n", []ContactRow{row(2, "4899", "Ana")}, ""},
		{"Windows-1252", "4899;Jo\xe3o \x96 S\xf3cio;Cl\xednica\n", []ContactRow{row(1, "4899", "João – Sócio", "Clínica")}, ""},
		{"header reorders", "Nome;Empresa;Celular\nAna;Padaria;4899\n", []ContactRow{row(2, "4899", "Ana", "Padaria")}, ""},
		{"several companies", "4899;Ana;A | B, C\n", []ContactRow{row(1, "4899", "Ana", "A", "B", "C")}, ""},
		{"comma file splits companies on semicolons", "4899,Ana,\"A, Ltda;B\"\n", []ContactRow{row(1, "4899", "Ana", "A, Ltda", "B")}, ""},
		{"quoted separator and stray quotes", "4899;\"Souza; Irmãos\";\n4898;Ana \"Bia\" Souza;\n", []ContactRow{row(1, "4899", "Souza; Irmãos"), row(2, "4898", "Ana \"Bia\" Souza")}, ""},
		{"blank lines and trailing separators skipped", "\n4899;Ana;\n;;\n  \n4898;Bia;\n", []ContactRow{row(2, "4899", "Ana"), row(5, "4898", "Bia")}, ""},
		{"a first line with no phone is data", ";Ana;\n", []ContactRow{row(1, "", "Ana")}, ""},
		{"empty", "", nil, "vazio"},
		{"header only", "telefone;nome\n", nil, "nenhum contato"},
		{"header without phone", "nome;empresa\nAna;X\n", nil, "coluna telefone"},
		{"unclosed quote", "4899;Ana\n4898;\"Bia\n4897;Caio\n", nil, "linha 2: aspas sem fechamento"},
		{"xlsx", "PK\x03\x04rest", nil, ".xlsx"},
		{"utf-16", "\xff\xfe4\x008\x00", nil, "UTF-16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseContactsCSV([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(message(err), tc.err) {
					t.Fatalf("ParseContactsCSV(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseContactsCSV(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseContactsCSVLimit(t *testing.T) {
	in := strings.Repeat("4899;Ana\n", MaxImportLines)
	if rows, err := ParseContactsCSV([]byte(in)); err != nil || len(rows) != MaxImportLines {
		t.Fatalf("%d lines: %d rows, %v", MaxImportLines, len(rows), err)
	}
	if _, err := ParseContactsCSV([]byte("telefone;nome\n" + in + "4899;Bia\n")); err == nil || !strings.Contains(message(err), "5.000") {
		t.Fatalf("%d lines: %v, want too many", MaxImportLines+1, err)
	}
}

// FuzzParseContactsCSV: any file either reads into rows in line order, with valid UTF-8 cells,
// or is refused with a Portuguese message; nothing panics.
func FuzzParseContactsCSV(f *testing.F) {
	for _, s := range []string{
		"telefone;nome;empresas\n(48) 99999-0001;Ana;Padaria | 12.345.678/0001-95\n",
		"\ufeff4899,\"Souza, Irmãos\",\"A;B\"\r\n",
		"4899;Jo\xe3o;\n",
		"\"\n\"\"\n;",
		"Nome;Celular\nAna;4899\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseContactsCSV(data)
		if err != nil {
			if message(err) == "" {
				t.Fatalf("error without a message: %v", err)
			}
			return
		}
		if len(rows) == 0 || len(rows) > MaxImportLines {
			t.Fatalf("%d rows", len(rows))
		}
		last := 0
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			for _, s := range append([]string{r.Phone, r.Name}, r.Companies...) {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 cell %q", s)
				}
			}
		}
	})
}
