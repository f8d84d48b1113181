package assistant

import (
	"strings"
	"testing"
)

// testRender stands in for the office's renderer (balcao.RenderMessage): it fills the
// variables and marks an empty one, so that a test sees what the assistant passed.
func testRender(text string, v Vars) string {
	or := func(s string) string {
		if s == "" {
			return "<vazio>"
		}
		return s
	}
	return strings.NewReplacer("{cliente}", or(v.Cliente), "{empresa}", or(v.Empresa),
		"{competencia}", or(v.Competencia), "{abertura}", or(v.Abertura)).Replace(text)
}

func withTexts(in Input) Input {
	in.Settings.Texts = Texts{
		Greeting:   "Bom dia, {cliente}! Aqui é o robô do Exato para a {empresa}.",
		MenuHeader: "Escolha uma opção:",
		Handover:   "Já já alguém fala com você, {cliente}. Pedido: {competencia}.",
		OutOfHours: "Estamos fechados; voltamos {abertura}.",
	}
	in.Settings.Render = testRender
	return in
}

func TestRespondOfficeTexts(t *testing.T) {
	turn := Respond(State{}, withTexts(input("oi")))
	if len(turn.Replies) != 2 {
		t.Fatalf("replies = %q, want the greeting and the menu", turn.Replies)
	}
	if want := "Bom dia, Ana! Aqui é o robô do Exato para a ACME Ltda."; turn.Replies[0] != want {
		t.Errorf("greeting = %q, want %q", turn.Replies[0], want)
	}
	if want := "Escolha uma opção:\n1 - Holerite"; !strings.HasPrefix(turn.Replies[1], want) || !strings.Contains(turn.Replies[1], "7 - Falar com um atendente") {
		t.Errorf("menu = %q, want the office's header over the options", turn.Replies[1])
	}

	in := withTexts(input("quero falar com um atendente"))
	in.Settings.Open, in.Settings.NextOpen = false, "amanhã às 08:00"
	turn = Respond(State{Greeted: true}, in)
	if want := "Certo! Já já alguém fala com você, Ana. Pedido: <vazio>.\nEstamos fechados; voltamos amanhã às 08:00."; !turn.Handover || joined(turn) != want {
		t.Errorf("asked for a person = %q (handover %v), want %q", joined(turn), turn.Handover, want)
	}

	// A document the staff serves: the competence of the request fills {competencia}.
	in = withTexts(input("holerite de outubro"))
	in.Settings.Disabled = map[Intent]bool{Holerite: true}
	turn = Respond(State{Greeted: true}, in)
	if want := "Esse pedido (holerite) é atendido pessoalmente. Já já alguém fala com você, Ana. Pedido: 10/2026."; !turn.Handover || joined(turn) != want {
		t.Errorf("staff document = %q, want %q", joined(turn), want)
	}

	// Three misses: the office's text after the apology.
	turns := converse(State{Greeted: true}, withTexts(input("")), "kkkk", "asdf", "🤔")
	if got := joined(turns[2]); !turns[2].Handover || !strings.HasPrefix(got, "Não consegui entender, desculpe. Já já alguém") {
		t.Errorf("third miss = %q, want the apology and the office's hand-over text", got)
	}
	if got := joined(turns[0]); !strings.Contains(got, "Escolha uma opção:") {
		t.Errorf("first miss = %q, want the menu under the office's header", got)
	}
}

// Without texts (or with texts that render empty) the assistant keeps its own wording.
func TestRespondDefaultTexts(t *testing.T) {
	in := input("oi")
	in.ContactName = ""
	turn := Respond(State{}, in)
	if want := "Olá! 👋 Sou o assistente virtual do Escritório Exato."; turn.Replies[0] != want {
		t.Errorf("greeting = %q, want %q", turn.Replies[0], want)
	}
	if !strings.HasPrefix(turn.Replies[1], msgMenuHeader+"\n1 - Holerite") {
		t.Errorf("menu = %q", turn.Replies[1])
	}
	in = input("quero falar com um atendente")
	in.Settings.Open = false
	if want := "Certo! " + msgHandover + "\nNo momento o escritório está fechado; a equipe te responde assim que o escritório abrir."; joined(Respond(State{Greeted: true}, in)) != want {
		t.Errorf("closed, no NextOpen = %q, want %q", joined(Respond(State{Greeted: true}, in)), want)
	}

	in = input("oi")
	in.Settings.Texts.Greeting = "{cliente}"
	in.Settings.Render = func(string, Vars) string { return " " }
	if got := Respond(State{}, in).Replies[0]; !strings.HasPrefix(got, "Olá, Ana!") {
		t.Errorf("greeting that renders blank = %q, want the assistant's own", got)
	}
	in.Settings.Render = nil
	in.Settings.Texts.Greeting = "Oi, {cliente}!"
	if got := Respond(State{}, in).Replies[0]; got != "Oi, {cliente}!" {
		t.Errorf("greeting without a renderer = %q, want the text as written", got)
	}
}

func TestFirstName(t *testing.T) {
	for in, want := range map[string]string{"ANA paula": "Ana", "🌸 joão": "João", "": "", "123": "", "d'ávila": "D'ávila"} {
		if got := FirstName(in); got != want {
			t.Errorf("FirstName(%q) = %q, want %q", in, got, want)
		}
	}
}
