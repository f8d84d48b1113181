package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Folder reads documents from an export tree: DIR/{cnpj digits}/{intent}/{competence}/*.pdf.
// Per-employee files carry the employee's name in the file name
// (holerite/2026-10/holerite-maria-silva.pdf): a request naming a person gets that person's
// files; a payslip request naming nobody gets every file of the competence.
type Folder struct {
	Dir string
}

var _ Source = Folder{}

// pendingReasons explain, per kind of document, why it is not there yet.
var pendingReasons = map[string]string{
	"holerite":        "Folha de %s ainda não calculada.",
	"folha_resumo":    "Folha de %s ainda não calculada.",
	"ferias":          "Férias de %s ainda não calculadas.",
	"pro_labore":      "Pró-labore de %s ainda não calculado.",
	"decimo_terceiro": "13º salário de %s ainda não calculado.",
	"das":             "Guia do DAS de %s ainda não gerada.",
	"fgts":            "Guia do FGTS de %s ainda não gerada.",
	"inss":            "Guia do INSS de %s ainda não gerada.",
	"balancete":       "Balancete de %s ainda não fechado.",
}

// Fetch implements Source.
func (f Folder) Fetch(ctx context.Context, j Job) (Result, error) {
	if !safeSegment(j.CNPJ) || !safeSegment(j.Intent) || (j.Competence != "" && !safeSegment(j.Competence)) {
		return Result{}, fmt.Errorf("job %s: unsafe path segment", j.ID)
	}
	comp := j.Competence
	if comp == "" {
		comp = "atual"
	}
	dir := filepath.Join(f.Dir, j.CNPJ, j.Intent, comp)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return Result{Pending: pendingReason(j)}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("read %s: %w", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".pdf") && matchesPerson(e.Name(), j.Person) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		if j.Person != "" {
			return Result{Pending: fmt.Sprintf("Documento de %s não encontrado para %s.", j.Person, label(j.Competence))}, nil
		}
		return Result{Pending: pendingReason(j)}, nil
	}
	var res Result
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil {
			return Result{}, fmt.Errorf("stat %s: %w", p, err)
		}
		if st.Size() > MaxFileSize {
			return Result{Pending: fmt.Sprintf("O arquivo %s é grande demais (máximo de 20 MB).", n)}, nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return Result{}, fmt.Errorf("read %s: %w", p, err)
		}
		if err := CheckPDF(data); err != nil {
			return Result{Pending: fmt.Sprintf("O arquivo %s não é um PDF válido.", n)}, nil
		}
		res.Files = append(res.Files, File{Name: n, Data: data})
	}
	return res, nil
}

func pendingReason(j Job) string {
	if f, ok := pendingReasons[j.Intent]; ok && j.Competence != "" {
		return fmt.Sprintf(f, label(j.Competence))
	}
	return "Documento ainda não disponível no sistema contábil" + forLabel(j.Competence) + "."
}

func forLabel(comp string) string {
	if comp == "" {
		return ""
	}
	return " para " + label(comp)
}

// label writes a competence as people do: 2026-10 → 10/2026.
func label(comp string) string {
	if len(comp) == 7 && comp[4] == '-' {
		return comp[5:] + "/" + comp[:4]
	}
	return comp
}

func safeSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || unicode.IsDigit(r) || (r < unicode.MaxASCII && unicode.IsLetter(r))) {
			return false
		}
	}
	return true
}

// matchesPerson reports whether a file name carries the person's name (accents and case
// ignored, words in any order). Each word must be a whole word of the file name: "Maria Silva"
// gets holerite-maria-silva.pdf, never holerite-mariana-silva.pdf, another employee's payslip.
// Particles and words of one or two letters ("José dos Santos", "Ana C. Lima") are not required,
// since file names often leave them out, unless the name has nothing else ("Zé"). An empty
// person matches every file.
func matchesPerson(file, person string) bool {
	if person == "" {
		return true
	}
	have := nameWords(strings.TrimSuffix(file, filepath.Ext(file)))
	want := nameWords(person)
	meaningful := slices.DeleteFunc(slices.Clone(want), func(w string) bool {
		return utf8.RuneCountInString(w) <= 2 || nameParticles[w]
	})
	if len(meaningful) > 0 {
		want = meaningful
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// nameParticles are the connecting words of Portuguese names, folded.
var nameParticles = map[string]bool{"da": true, "das": true, "de": true, "do": true, "dos": true, "e": true}

// nameWords splits s, folded, into its words: runs of letters and digits.
func nameWords(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// fold lowercases s and drops the accents of the letters Portuguese names use.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'á', 'à', 'â', 'ã', 'ä':
			r = 'a'
		case 'é', 'ê', 'è', 'ë':
			r = 'e'
		case 'í', 'ì', 'ï':
			r = 'i'
		case 'ó', 'ô', 'õ', 'ò', 'ö':
			r = 'o'
		case 'ú', 'ü', 'ù':
			r = 'u'
		case 'ç':
			r = 'c'
		case 'ñ':
			r = 'n'
		}
		b.WriteRune(r)
	}
	return b.String()
}
