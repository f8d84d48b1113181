package balcao

import (
	"strings"
	"testing"
)

func TestRenderMessage(t *testing.T) {
	full := MessageVars{Cliente: "Ana", Empresa: "ACME Ltda", Atendente: "Bruno Alves", Competencia: "10/2026", Abertura: "amanhã às 08:00"}
	tests := []struct {
		name string
		text string
		vars MessageVars
		want string
	}{
		{"every variable", "Olá, {cliente}! {atendente} da {empresa}: {competencia}, {abertura}.", full,
			"Olá, Ana! Bruno Alves da ACME Ltda: 10/2026, amanhã às 08:00."},
		{"no placeholder", "Atendimento concluído.", MessageVars{}, "Atendimento concluído."},
		{"name missing before punctuation", "Olá, {cliente}! 👋 Tudo bem?", MessageVars{}, "Olá! 👋 Tudo bem?"},
		{"name missing before a comma", "Olá {cliente}, tudo bem?", MessageVars{}, "Olá, tudo bem?"},
		{"name missing between commas", "Olá, {cliente}, tudo bem?", MessageVars{}, "Olá, tudo bem?"},
		{"name missing at the start", "{cliente}, seu pedido chegou.", MessageVars{}, "Seu pedido chegou."},
		{"name missing after a sentence", "Oi! {cliente}, seu pedido chegou.", MessageVars{}, "Oi! Seu pedido chegou."},
		{"name missing on its own line", "Olá!\n{cliente}, seu pedido chegou.", MessageVars{}, "Olá!\nSeu pedido chegou."},
		{"dangling preposition", "O holerite de {competencia} chegou.", MessageVars{}, "O holerite chegou."},
		{"dangling preposition and article", "Enviado para a {empresa}.", MessageVars{}, "Enviado."},
		{"dangling at the end", "Atendimento concluído por {atendente}.", MessageVars{}, "Atendimento concluído."},
		{"two empty in a row", "Olá, {cliente} {empresa}!", MessageVars{}, "Olá!"},
		{"one empty, one set", "Olá, {cliente}! Aqui é da {empresa}.", MessageVars{Empresa: "ACME"}, "Olá! Aqui é da ACME."},
		{"unknown placeholder kept", "Olá {nome}, {cliente}!", MessageVars{Cliente: "Ana"}, "Olá {nome}, Ana!"},
		{"repeated variable", "{cliente}? {cliente}!", MessageVars{Cliente: "Ana"}, "Ana? Ana!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RenderMessage(tt.text, tt.vars); got != tt.want {
				t.Errorf("RenderMessage(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestDefaultMessages(t *testing.T) {
	d := DefaultMessages("Escritório Exato")
	if len(d) != len(MessageKeys) {
		t.Fatalf("DefaultMessages has %d keys, want %d", len(d), len(MessageKeys))
	}
	for _, k := range MessageKeys {
		if strings.TrimSpace(d[k]) == "" {
			t.Errorf("default %s is empty", k)
		}
		if bad := UnknownVariable(d[k], variablesOf(k)); bad != "" {
			t.Errorf("default %s = %q holds %s, which it may not", k, d[k], bad)
		}
	}
	if got, want := RenderMessage(d[MessageGreeting], MessageVars{Cliente: "Ana"}), "Olá, Ana! 👋 Sou o assistente virtual do Escritório Exato."; got != want {
		t.Errorf("greeting = %q, want %q", got, want)
	}
	if got, want := RenderMessage(DefaultMessage(MessageGreeting, ""), MessageVars{}), "Olá! 👋 Sou o assistente virtual do escritório."; got != want {
		t.Errorf("greeting of an office without a name, to a contact without one = %q, want %q", got, want)
	}
	if got := DefaultMessage(MessageGreeting, "Contábil {cliente}"); strings.Contains(got, "{cliente}}") || strings.Count(got, "{") != 1 {
		t.Errorf("greeting of an office named with braces = %q, want the braces of the name gone", got)
	}
	if DefaultMessage("nope", "x") != "" {
		t.Error("DefaultMessage of an unknown key is not empty")
	}

	s := DefaultSettings()
	s.Messages[MessageFinished] = "  Até mais, {cliente}!  "
	s.Messages[MessageSurvey] = "   "
	if got := s.MessageText(MessageFinished, ""); got != "Até mais, {cliente}!" {
		t.Errorf("MessageText(finished) = %q, want the office's text trimmed", got)
	}
	if got := s.MessageText(MessageSurvey, ""); got != d[MessageSurvey] {
		t.Errorf("MessageText(survey) with a blank text = %q, want the default", got)
	}
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name   string
		msgs   map[string]string
		fields map[string]string // field → part of the message
		stored map[string]string
	}{
		{"nil", nil, nil, map[string]string{}},
		{"valid, trimmed, blanks dropped",
			map[string]string{MessageGreeting: " Oi, {cliente}! Aqui é da {empresa}. ", MessageSurvey: "", MessageFinished: "  ",
				MessageOutOfHours: "Fechados; voltamos {abertura}.", MessageHandover: "{atendente} {competencia}"},
			nil,
			map[string]string{MessageGreeting: "Oi, {cliente}! Aqui é da {empresa}.", MessageOutOfHours: "Fechados; voltamos {abertura}.",
				MessageHandover: "{atendente} {competencia}"}},
		{"unknown key", map[string]string{"farewell": "Tchau"},
			map[string]string{"messages.farewell": "desconhecida"}, map[string]string{}},
		{"unknown variable", map[string]string{MessageGreeting: "Olá, {nome}!", MessageMenuHeader: "Menu"},
			map[string]string{"messages.greeting": "Variável desconhecida: {nome}. Use {cliente}, {empresa}, {atendente} ou {competencia}."},
			map[string]string{MessageMenuHeader: "Menu"}},
		{"abertura outside out_of_hours", map[string]string{MessageHandover: "Voltamos {abertura}."},
			map[string]string{"messages.handover": "Variável desconhecida: {abertura}."}, map[string]string{}},
		{"variable in capitals", map[string]string{MessageFinished: "Tchau, {Cliente}"},
			map[string]string{"messages.finished": "{Cliente}"}, map[string]string{}},
		{"empty braces", map[string]string{MessageFinished: "Tchau {}"},
			map[string]string{"messages.finished": "Variável desconhecida: {}."}, map[string]string{}},
		{"too long", map[string]string{MessageSurvey: strings.Repeat("é", MaxMessageLen+1)},
			map[string]string{"messages.survey": "1000 caracteres"}, map[string]string{}},
		{"longest", map[string]string{MessageSurvey: strings.Repeat("é", MaxMessageLen)},
			nil, map[string]string{MessageSurvey: strings.Repeat("é", MaxMessageLen)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]string{}
			stored := ValidateMessages(tt.msgs, fields)
			if len(fields) != len(tt.fields) {
				t.Errorf("ValidateMessages(%q) fields = %q, want %d", tt.msgs, fields, len(tt.fields))
			}
			for f, part := range tt.fields {
				if !strings.Contains(fields[f], part) {
					t.Errorf("ValidateMessages(%q) field %s = %q, want it to say %q", tt.msgs, f, fields[f], part)
				}
			}
			if stored == nil || len(stored) != len(tt.stored) {
				t.Fatalf("ValidateMessages(%q) stored %q, want %q", tt.msgs, stored, tt.stored)
			}
			for k, v := range tt.stored {
				if stored[k] != v {
					t.Errorf("stored[%s] = %q, want %q", k, stored[k], v)
				}
			}
		})
	}
}
