package agent

import (
	"context"
	"slices"
	"testing"
)

// A payslip request gets the files of the person it names and of nobody else: matching a
// name's words inside other words ("maria" in "mariana") handed one employee's salary to
// another.
func TestFolderPerson(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{
		"holerite-maria-silva.pdf",
		"holerite-mariana-silva.pdf",
		"holerite-mariana-souza.pdf",
		"holerite-joão-da-conceição.pdf",
		"holerite-jose-santos.pdf",
		"holerite_ze_pereira.pdf",
		"holerite-analu-pereira.pdf",
	} {
		writeDoc(t, dir, "holerite", "2026-10", name, fakePDF(64, byte(i)))
	}
	tests := []struct {
		person string
		want   []string // nil: pending
	}{
		{"Maria Silva", []string{"holerite-maria-silva.pdf"}},
		{"maria SILVA", []string{"holerite-maria-silva.pdf"}},
		{"Silva Maria", []string{"holerite-maria-silva.pdf"}},
		{"Mariana", []string{"holerite-mariana-silva.pdf", "holerite-mariana-souza.pdf"}},
		{"Ana Souza", nil},
		{"Silva", []string{"holerite-maria-silva.pdf", "holerite-mariana-silva.pdf"}},
		{"Joao Conceicao", []string{"holerite-joão-da-conceição.pdf"}},
		{"João da Conceição", []string{"holerite-joão-da-conceição.pdf"}},
		{"José dos Santos", []string{"holerite-jose-santos.pdf"}},
		{"Zé", []string{"holerite_ze_pereira.pdf"}},
		{"Ana Pereira", nil},
		{"Lu", nil},
	}
	for _, tt := range tests {
		res, err := Folder{Dir: dir}.Fetch(context.Background(), testJob("j1", "holerite", "2026-10", tt.person))
		if err != nil {
			t.Fatalf("Fetch(%q): %v", tt.person, err)
		}
		var got []string
		for _, f := range res.Files {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, tt.want) || (tt.want == nil) != (res.Pending != "") {
			t.Errorf("Fetch(%q) = files %q, pending %q; want files %q", tt.person, got, res.Pending, tt.want)
		}
	}
}

func TestMatchesPerson(t *testing.T) {
	tests := []struct {
		file, person string
		want         bool
	}{
		{"holerite-maria-silva.pdf", "", true},
		{"holerite-maria-silva.pdf", "Maria Silva", true},
		{"holerite-mariana-silva.pdf", "Maria Silva", false},
		{"holerite-mariana-souza.pdf", "Ana Souza", false},
		{"holerite-maria-silva.pdf", "Mari", false},
		{"HOLERITE_MARIA.SILVA.PDF", "maria silva", true},
		{"holerite-maria-silva-2.pdf", "Maria Silva", true},
		{"holerite-ana-c-lima.pdf", "Ana C. Lima", true},
		{"holerite-ana-lima.pdf", "Ana C. Lima", true},
		{"holerite-maria.pdf", "pdf", false}, // the extension is no word of the name
		{"holerite-sérgio-araújo.pdf", "Sergio Araujo", true},
		{"holerite-sergio-araujo.pdf", "Sérgio Araújo", true},
		{"holerite-maria-das-dores.pdf", "Maria das Dores", true},
		{"holerite-maria-dores.pdf", "Maria das Dores", true},
		{"holerite-maria-dores.pdf", "Maria Dorès", true},
		{"holerite-ze.pdf", "Zé", true},
		{"holerite-zelia.pdf", "Zé", false},
	}
	for _, tt := range tests {
		if got := matchesPerson(tt.file, tt.person); got != tt.want {
			t.Errorf("matchesPerson(%q, %q) = %v, want %v", tt.file, tt.person, got, tt.want)
		}
	}
}
