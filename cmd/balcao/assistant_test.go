package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunAssistantParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"flag first", []string{"parse", "--now", "2026-11-25", "holerite do mês passado"},
			`{"intent":"holerite","competence":"2026-10","person":"","confidence":0.9}` + "\n"},
		{"flag last, words split", []string{"parse", "holerite", "da", "Maria", "dezembro", "--now=2026-11-25"},
			`{"intent":"holerite","competence":"2025-12","person":"Maria","confidence":0.9}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			if err := runAssistant(tt.args, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("runAssistant(%q) = %q, want %q", tt.args, out.String(), tt.want)
			}
		})
	}
}

func TestRunAssistantEval(t *testing.T) {
	name := filepath.Join(t.TempDir(), "c.tsv")
	if err := os.WriteFile(name, []byte("# x\noi\tsaudacao\t-\ndas de outubro\tfgts\t2026-10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := runAssistant([]string{"eval", "--now", "2026-11-25", name}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "accuracy: intent 1/2 (50.0%), competence 2/2 (100.0%)\n") ||
		!strings.HasPrefix(out.String(), "line 3: ") {
		t.Errorf("eval output = %q", out.String())
	}
}

// TestRunAssistantErrors: a command line refused is a usageError (exit 2); a corpus that
// cannot be opened is a failure while running (exit 1).
func TestRunAssistantErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		usage bool
	}{
		{"no subcommand", nil, true},
		{"unknown subcommand", []string{"talk"}, true},
		{"bad date", []string{"parse", "--now", "25/11/2026", "oi"}, true},
		{"bad flag", []string{"parse", "--agora", "oi"}, true},
		{"no text", []string{"parse"}, true},
		{"two files", []string{"eval", "a.tsv", "b.tsv"}, true},
		{"no file", []string{"eval", filepath.Join(t.TempDir(), "missing.tsv")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runAssistant(tt.args, &strings.Builder{})
			if err == nil {
				t.Fatalf("runAssistant(%q): no error", tt.args)
			}
			if usage := errors.As(err, new(usageError)); usage != tt.usage {
				t.Errorf("runAssistant(%q) = %v, a usageError: %v, want %v", tt.args, err, usage, tt.usage)
			}
		})
	}
}
