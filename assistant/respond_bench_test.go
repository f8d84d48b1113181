package assistant

import (
	"strings"
	"testing"
)

// BenchmarkRespond times one turn of the dialog for the messages of the load test's mix
// (bench: greetings, a document request, a request for a person), to a contact already
// greeted unless the case says first contact. texts=office passes the office's texts and a
// renderer, as the engine does (the renderer here changes nothing, so that only the
// assistant's own work is measured).
func BenchmarkRespond(b *testing.B) {
	cases := []struct {
		name    string
		text    string
		greeted bool
	}{
		{"msg=oi", "oi", true},
		{"msg=oi/first", "oi", false},
		{"msg=holerite", "me manda o holerite de outubro", true},
		{"msg=atendente", "quero falar com um atendente", true},
	}
	settings := map[string]Settings{
		"builtin": {OfficeName: "Escritório Exato", Open: true},
		"office": {
			OfficeName: "Escritório Exato", Open: true,
			Texts: Texts{
				Greeting:   "Olá, {cliente}! 👋 Sou o assistente virtual do Escritório Exato.",
				MenuHeader: msgMenuHeader,
				Handover:   msgHandover,
				OutOfHours: "No momento o escritório está fechado; a equipe te responde {abertura}.",
			},
			Render:      func(text string, _ Vars) string { return text },
			Departments: []Department{{"pessoal", "Pessoal"}, {"fiscal", "Fiscal"}, {"contabil", "Contábil"}},
		},
	}
	for _, texts := range []string{"builtin", "office"} {
		for _, c := range cases {
			b.Run("texts="+texts+"/"+c.name, func(b *testing.B) {
				in := Input{
					Text: c.text, Now: ref, ContactName: "Ana Paula",
					Companies: []Company{acme}, Settings: settings[texts],
				}
				st := State{Greeted: c.greeted}
				if t := Respond(st, in); len(t.Replies) == 0 || strings.TrimSpace(t.Replies[0]) == "" {
					b.Fatalf("Respond(%q) = %q, want a reply", c.text, t.Replies)
				}
				b.ReportAllocs()
				for b.Loop() {
					Respond(st, in)
				}
			})
		}
	}
}
