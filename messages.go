package balcao

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The editable messages (Settings.Messages): their default texts, the variables they may hold
// and how the variables are filled.
//
// The office's name is not a variable: the default greeting is rendered with the name of the
// office it belongs to (DefaultMessage), so it follows a renamed office, and an office that
// writes its own greeting writes its name in it. The hand-over text follows a short lead the
// assistant adds per path ("Certo! ", "Não consegui entender, desculpe. ", a document the
// staff serves); the out-of-hours text is sent after it.

// Variables of the editable messages, as written in a text ("{cliente}").
const (
	VarCliente     = "cliente"     // the contact's first name
	VarEmpresa     = "empresa"     // the conversation's company: the first one, or the one chosen
	VarAtendente   = "atendente"   // the name of the staff member who served the client
	VarCompetencia = "competencia" // the competence of the request, "10/2026" or "2026"
	VarAbertura    = "abertura"    // when the office opens again ("amanhã às 08:00"); out_of_hours only
)

// MessageVariables are the variables every editable message may hold.
var MessageVariables = []string{VarCliente, VarEmpresa, VarAtendente, VarCompetencia}

// KeyVariables are the variables only some messages may hold, by message key.
var KeyVariables = map[string][]string{MessageOutOfHours: {VarAbertura}}

// MaxMessageLen is the longest text an office may write for a message, in characters.
const MaxMessageLen = 1000

// officeDefault names the office in the default greeting when it has no name.
const officeDefault = "escritório"

var defaultMessages = map[string]string{
	MessageGreeting:         "Olá, {cliente}! 👋 Sou o assistente virtual do %s.",
	MessageMenuHeader:       "Digite o número ou escreva o que precisa (ex.: *DAS de outubro*):",
	MessageOutOfHours:       "No momento o escritório está fechado; a equipe te responde {abertura}.",
	MessageHandover:         "Vou chamar alguém da nossa equipe para te atender por aqui. 🙋",
	MessageNotLinked:        "Olá! Ainda não encontramos o seu número no cadastro do escritório. Um atendente vai falar com você em breve. 🙂",
	MessageAssistantOff:     "Olá! Um atendente do escritório vai falar com você em breve. 🙂",
	MessageJobPending:       "Assim que estiver pronto, eu te envio por aqui. 🙂",
	MessagePortalLink:       "Aqui está o seu link de acesso ao portal de documentos (vale por 24 horas):",
	MessageProcessingFailed: "Recebemos sua mensagem. Um atendente vai falar com você em breve.",
	MessageFinished:         "Atendimento concluído. Obrigado pelo contato! Se precisar de algo mais, é só mandar uma mensagem. 😊",
	MessageSurvey:           "Como você avalia este atendimento? Responda com uma nota de 1 (péssimo) a 5 (ótimo).",
	MessageSurveyThanks:     "Obrigado pela sua avaliação! 💚",
}

// noBraces keeps an office's name from being read as a variable.
var noBraces = strings.NewReplacer("{", "", "}", "")

// DefaultMessage is the default text of a message key for an office named office ("" for a
// key that is not one of MessageKeys).
func DefaultMessage(key, office string) string {
	text := defaultMessages[key]
	if key == MessageGreeting {
		office = strings.TrimSpace(noBraces.Replace(office))
		if office == "" {
			office = officeDefault
		}
		text = strings.Replace(text, "%s", office, 1)
	}
	return text
}

// DefaultMessages are the default texts of every message key for an office named office.
func DefaultMessages(office string) map[string]string {
	out := make(map[string]string, len(MessageKeys))
	for _, k := range MessageKeys {
		out[k] = DefaultMessage(k, office)
	}
	return out
}

// MessageText is the text of a message key an office uses: its own, or the default.
func (s Settings) MessageText(key, office string) string {
	if t := strings.TrimSpace(s.Messages[key]); t != "" {
		return t
	}
	return DefaultMessage(key, office)
}

// SettingsDefaults are the defaults the Preferências page shows next to the office's choices.
type SettingsDefaults struct {
	Messages     map[string]string   `json:"messages"`     // by MessageKeys
	Variables    []string            `json:"variables"`    // MessageVariables
	KeyVariables map[string][]string `json:"keyVariables"` // KeyVariables
	Departments  []Department        `json:"departments"`  // DefaultDepartments
}

// MessageVars are the values of the variables of a message; an empty one renders as nothing.
type MessageVars struct {
	Cliente     string
	Empresa     string
	Atendente   string
	Competencia string
	Abertura    string
}

func (v MessageVars) value(name string) (string, bool) {
	switch name {
	case VarCliente:
		return v.Cliente, true
	case VarEmpresa:
		return v.Empresa, true
	case VarAtendente:
		return v.Atendente, true
	case VarCompetencia:
		return v.Competencia, true
	case VarAbertura:
		return v.Abertura, true
	}
	return "", false
}

// placeholder is anything between braces: a variable, or a mistake validation reports.
var placeholder = regexp.MustCompile(`\{[^{}\n]{0,40}\}`)

// danglingWords are left without their object when the variable after them is empty
// ("do {competencia}"), and go with it.
var danglingWords = map[string]bool{
	"de": true, "da": true, "do": true, "das": true, "dos": true, "para": true, "pra": true,
	"por": true, "pelo": true, "pela": true, "com": true, "em": true, "na": true, "no": true,
	"ao": true, "à": true, "a": true, "o": true,
}

// RenderMessage fills the variables of a text. An empty value renders as nothing and the text
// around it is tidied: "Olá, {cliente}!" is "Olá!", "{cliente}, seu pedido" is "Seu pedido",
// "o holerite de {competencia} chegou" is "o holerite chegou". Unknown placeholders stay as
// they are (validation keeps them out of the office's texts).
func RenderMessage(text string, v MessageVars) string {
	if !strings.Contains(text, "{") {
		return text
	}
	var out strings.Builder
	out.Grow(len(text) + 32)
	rest := text
	for {
		loc := placeholder.FindStringIndex(rest)
		if loc == nil {
			out.WriteString(rest)
			return out.String()
		}
		val, known := v.value(rest[loc[0]+1 : loc[1]-1])
		if !known {
			out.WriteString(rest[:loc[1]])
			rest = rest[loc[1]:]
			continue
		}
		if val != "" {
			out.WriteString(rest[:loc[0]])
			out.WriteString(val)
			rest = rest[loc[1]:]
			continue
		}
		left := tidyLeft(out.String() + rest[:loc[0]])
		right := rest[loc[1]:]
		out.Reset()
		left, right = join(left, right)
		out.WriteString(left)
		rest = right
	}
}

// tidyLeft drops the spaces and a dangling preposition or article before an empty variable.
func tidyLeft(left string) string {
	left = strings.TrimRight(left, " \t")
	for range 2 { // "para a {empresa}"
		i := strings.LastIndexAny(left, " \t\n")
		if i < 0 || left[i] == '\n' || !danglingWords[strings.ToLower(left[i+1:])] {
			break
		}
		left = strings.TrimRight(left[:i], " \t")
	}
	return left
}

// join puts the text before and after an empty variable together: a comma before punctuation
// goes, and at the start of a sentence the next word is capitalized.
func join(left, right string) (string, string) {
	trimmed := strings.TrimLeft(right, " \t")
	startsPunct := trimmed != "" && strings.ContainsRune(",.!?;:", rune(trimmed[0]))
	if startsPunct && strings.HasSuffix(left, ",") {
		left = left[:len(left)-1]
	}
	sentenceStart := left == "" || strings.HasSuffix(left, "\n") || strings.ContainsRune(".!?", lastRune(left))
	if !sentenceStart {
		if startsPunct || trimmed == "" || strings.HasPrefix(trimmed, "\n") {
			return left, trimmed
		}
		return left, " " + trimmed
	}
	trimmed = strings.TrimLeft(trimmed, ",;: \t")
	if r, size := utf8.DecodeRuneInString(trimmed); size > 0 && !strings.HasPrefix(trimmed, "{") {
		trimmed = string(unicode.ToUpper(r)) + trimmed[size:]
	}
	if left != "" && !strings.HasSuffix(left, "\n") && trimmed != "" && !strings.ContainsRune(".!?", rune(trimmed[0])) {
		return left, " " + trimmed
	}
	return left, trimmed
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// ValidateMessages checks an office's texts, adding a Portuguese message per wrong one under
// "messages.<key>", and returns the texts to store: trimmed, without the empty ones (an empty
// text means the default), never nil.
func ValidateMessages(msgs map[string]string, fields map[string]string) map[string]string {
	out := make(map[string]string, len(msgs))
	for key, text := range msgs {
		field := "messages." + key
		if !isMessageKey(key) {
			fields[field] = "Mensagem desconhecida."
			continue
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if n := utf8.RuneCountInString(text); n > MaxMessageLen {
			fields[field] = "Escreva até 1000 caracteres."
			continue
		}
		if bad := UnknownVariable(text, variablesOf(key)); bad != "" {
			allowed := "{cliente}, {empresa}, {atendente} ou {competencia}"
			if key == MessageOutOfHours {
				allowed = "{cliente}, {empresa}, {atendente}, {competencia} ou {abertura}"
			}
			fields[field] = "Variável desconhecida: " + bad + ". Use " + allowed + "."
			continue
		}
		out[key] = text
	}
	return out
}

func isMessageKey(key string) bool {
	for _, k := range MessageKeys {
		if k == key {
			return true
		}
	}
	return false
}

// variablesOf lists the variables the message of a key may hold.
func variablesOf(key string) []string {
	return append(slices.Clip(MessageVariables), KeyVariables[key]...)
}

// UnknownVariable returns the first placeholder of text that is not one of the allowed
// variables, or "".
func UnknownVariable(text string, allowed []string) string {
	for _, p := range placeholder.FindAllString(text, -1) {
		if !slices.Contains(allowed, p[1:len(p)-1]) {
			return p
		}
	}
	return ""
}
