package assistant

import (
	"testing"
	"unicode/utf8"
)

func checkParsed(t *testing.T, text string, p Parsed) {
	t.Helper()
	if !p.Intent.Known() {
		t.Fatalf("Parse(%q) intent = %q, not a known intent", text, p.Intent)
	}
	if !validCompetence(p.Competence) {
		t.Fatalf("Parse(%q) competence = %q, want empty, YYYY or YYYY-MM", text, p.Competence)
	}
	if p.Confidence < 0 || p.Confidence > 1 {
		t.Fatalf("Parse(%q) confidence = %v", text, p.Confidence)
	}
	if p.Intent == Desconhecido && p.Person != "" {
		t.Fatalf("Parse(%q) person %q for desconhecido", text, p.Person)
	}
}

// FuzzParse feeds each input whole and in two halves.
func FuzzParse(f *testing.F) {
	f.Add("holerite de outubro")
	f.Fuzz(func(t *testing.T, text string) {
		checkParsed(t, text, Parse(text, ref))
		h := len(text) / 2
		checkParsed(t, text[:h], Parse(text[:h], ref))
		checkParsed(t, text[h:], Parse(text[h:], ref))
	})
}

func checkTurn(t *testing.T, text string, turn Turn) {
	t.Helper()
	if len(turn.Replies) == 0 {
		t.Fatalf("Respond(%q): no reply", text)
	}
	for _, r := range turn.Replies {
		if r == "" || !utf8.ValidString(r) {
			t.Fatalf("Respond(%q): reply %q", text, r)
		}
	}
	st := turn.State
	switch st.Awaiting {
	case "", AwaitGuias, AwaitPessoal, AwaitContabil, AwaitDepartment:
		if st.Draft != nil {
			t.Fatalf("Respond(%q): draft %+v while awaiting %q", text, st.Draft, st.Awaiting)
		}
	case AwaitCompetence, AwaitCompany:
		if st.Draft == nil || !st.Draft.Intent.IsDocument() {
			t.Fatalf("Respond(%q): awaiting %q without a document draft", text, st.Awaiting)
		}
	default:
		t.Fatalf("Respond(%q): awaiting %q", text, st.Awaiting)
	}
	if st.Misses < 0 || st.Misses > 2 || !st.Greeted {
		t.Fatalf("Respond(%q): state %+v", text, st)
	}
	if turn.Department != "" && !turn.Handover {
		t.Fatalf("Respond(%q): department %q without a handover", text, turn.Department)
	}
	if r := turn.Request; r != nil {
		if turn.Handover || !r.Intent.IsDocument() || !validCompetence(r.Competence) || r.CompanyID == "" {
			t.Fatalf("Respond(%q): request %+v (handover %v)", text, *r, turn.Handover)
		}
		if p := r.Intent.Period(); (p == "month") != (len(r.Competence) == 7) || (p == "year") != (len(r.Competence) == 4) {
			t.Fatalf("Respond(%q): competence %q for a %q document", text, r.Competence, p)
		}
	}
}

// FuzzRespond starts from one of a few states (state picks it) and sends
// the input whole, then in two halves as two messages.
func FuzzRespond(f *testing.F) {
	f.Add("holerite de outubro", 0)
	f.Fuzz(func(t *testing.T, text string, state int) {
		states := []State{
			{},
			{Greeted: true, Misses: 2},
			{Greeted: true, Awaiting: AwaitCompetence, Draft: &Request{Intent: Holerite}},
			{Greeted: true, Awaiting: AwaitCompetence, Draft: &Request{Intent: InformeRendimentos}},
			{Greeted: true, Awaiting: AwaitCompany, Draft: &Request{Intent: DAS, Competence: "2026-10"}},
			{Greeted: true, Awaiting: AwaitGuias},
			{Greeted: true, Awaiting: AwaitDepartment, Misses: 1},
			{Greeted: true, Awaiting: AwaitCompetence}, // a corrupt record: no draft
		}
		st := states[uint(state)%uint(len(states))]
		in := Input{Text: text, Now: ref, ContactName: text, Companies: []Company{acme, padaria},
			Settings: Settings{Disabled: map[Intent]bool{Rescisao: true}, Departments: officeDepartments, Distribution: state%2 == 0,
				Texts: Texts{Greeting: "Oi, {cliente}!", Handover: "{cliente}"}, Render: testRender}}
		checkTurn(t, text, Respond(st, in))
		h := len(text) / 2
		in.Text = text[:h]
		t1 := Respond(st, in)
		checkTurn(t, text[:h], t1)
		in.Text = text[h:]
		checkTurn(t, text[h:], Respond(t1.State, in))
	})
}
