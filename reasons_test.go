package balcao_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestTransitionReasonsLiveAndTranslated: every transition reason conversation.go declares is
// stored by some code of the module (a reason nothing writes is dead, yet the client translated
// it as if it could come), and the web client translates exactly those reasons.
func TestTransitionReasonsLiveAndTranslated(t *testing.T) {
	fset := token.NewFileSet()
	decl, err := parser.ParseFile(fset, "conversation.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{} // constant → value
	for _, d := range decl.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Reason") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
					reasons[n.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	if len(reasons) == 0 {
		t.Fatal("no Reason constants found in conversation.go")
	}

	used := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "tools", "testdata", "node_modules", "dist", ".git":
				return filepath.SkipDir // tools is a module of its own
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		root := filepath.Dir(path) == "."
		declared := map[*ast.Ident]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, id := range n.Names {
					declared[id] = true
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "balcao" && reasons[n.Sel.Name] != "" {
					used[n.Sel.Name] = true
				}
			case *ast.Ident:
				if root && !declared[n] && reasons[n.Name] != "" {
					used[n.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for name, value := range reasons {
		if used[name] {
			live = append(live, value)
		} else {
			t.Errorf("balcao.%s (%q) is declared but no code stores it", name, value)
		}
	}

	src, err := os.ReadFile("ui/web/src/strings.ts")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)\breasons: \{(.*?)\}`).FindSubmatch(src)
	if block == nil {
		t.Fatal("no reasons in ui/web/src/strings.ts")
	}
	var translated []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+):`).FindAllSubmatch(block[1], -1) {
		translated = append(translated, string(m[1]))
	}
	slices.Sort(live)
	slices.Sort(translated)
	if !slices.Equal(translated, live) {
		t.Errorf("strings.ts translates the reasons %v, want those the server stores: %v", translated, live)
	}
}
