package assistant

import (
	"fmt"
	"strconv"
	"strings"
)

// Every text a client reads. Brazilian Portuguese, short, friendly.
//
// The office may edit the greeting, the menu header, the hand-over text and the out-of-hours
// text (Settings.Texts); their defaults are the office's (package balcao, messages.go), which
// the caller passes. The fallbacks below keep the assistant whole for a caller that passes
// none (tests, the evaluation); they have the same wording, and a test of the engine keeps
// them equal.

const (
	msgMenuHeader  = "Digite o número ou escreva o que precisa (ex.: *DAS de outubro*):"
	msgMenuOptions = "1 - Holerite\n" +
		"2 - Guias de impostos (DAS, FGTS, INSS…)\n" +
		"3 - Informe de rendimentos\n" +
		"4 - Férias / 13º / rescisão\n" +
		"5 - Balancete, DRE e balanço\n" +
		"6 - Situação de um pedido\n" +
		"7 - Falar com um atendente"
	msgMenu = msgMenuHeader + "\n" + msgMenuOptions // the main menu under the assistant's header

	msgNotUnderstood    = "Desculpe, não entendi. 😅"
	msgThanks           = "Por nada! Se precisar, é só chamar. 😊"
	msgHandover         = "Vou chamar alguém da nossa equipe para te atender por aqui. 🙋"
	leadHandover        = "Certo! "                           // the client asked for a person
	leadMisses          = "Não consegui entender, desculpe. " // three messages not understood
	msgNoOpenRequests   = "Você não tem pedidos em aberto no momento. Quer pedir algum documento? Digite *menu* para ver as opções."
	msgOpenRequests     = "Seus pedidos em andamento:"
	msgAskCompanyTail   = "Responda com o número ou o nome."
	msgPickFromList     = "Por favor, escolha um número da lista."
	msgCompetenceAgain  = "Não entendi o período. 😅"
	msgCompanyAgain     = "Não encontrei essa empresa. 😅"
	msgAskDepartment    = "Com qual setor você quer falar?"
	msgDepartmentAgain  = "Não encontrei esse setor. 😅"
	msgHowCanIHelp      = "Como posso ajudar?"
	msgOfficeDefault    = "escritório"
	msgNextOpenFallback = "assim que o escritório abrir"
)

// Sub-lists shown for a menu option that is a category.
var submenus = map[string]struct {
	title   string
	options []Intent
	names   []string
}{
	AwaitGuias: {"Qual guia você precisa?", []Intent{DAS, FGTS, INSS, DARF, ICMS, ISS},
		[]string{"DAS (Simples Nacional)", "FGTS", "INSS", "DARF", "ICMS", "ISS"}},
	AwaitPessoal: {"Qual documento você precisa?", []Intent{Ferias, DecimoTerceiro, Rescisao},
		[]string{"Recibo de férias", "13º salário", "Rescisão"}},
	AwaitContabil: {"Qual documento você precisa?", []Intent{Balancete, DRE, Balanco},
		[]string{"Balancete", "DRE", "Balanço patrimonial"}},
}

func msgSubmenu(kind string) string {
	sm := submenus[kind]
	var b strings.Builder
	b.Grow(len(sm.title) + 32*len(sm.names))
	b.WriteString(sm.title)
	for i, n := range sm.names {
		writeOption(&b, i+1, n)
	}
	return b.String()
}

// writeOption writes one line of a numbered list: "\n3 - Name".
func writeOption(b *strings.Builder, n int, name string) {
	b.WriteByte('\n')
	b.WriteString(strconv.Itoa(n))
	b.WriteString(" - ")
	b.WriteString(name)
}

// msgGreeting greets the contact by first name.
func msgGreeting(firstName, office string) string {
	if office == "" {
		office = msgOfficeDefault
	}
	if firstName == "" {
		return "Olá! 👋 Sou o assistente virtual do " + office + "."
	}
	return "Olá, " + firstName + "! 👋 Sou o assistente virtual do " + office + "."
}

// msgClosed tells when the office opens again.
func msgClosed(nextOpen string) string {
	return "No momento o escritório está fechado; a equipe te responde " + nextOpen + "."
}

// leadDisabled: a document the staff serves in person.
func leadDisabled(i Intent) string {
	return "Esse pedido (" + i.Label() + ") é atendido pessoalmente. "
}

// msgDepartments lists the departments to choose from.
func msgDepartments(deps []Department) string {
	var b strings.Builder
	b.Grow(len(msgAskDepartment) + len(msgAskCompanyTail) + 32*len(deps))
	b.WriteString(msgAskDepartment)
	for i, d := range deps {
		writeOption(&b, i+1, d.Name)
	}
	b.WriteString("\n")
	b.WriteString(msgAskCompanyTail)
	return b.String()
}

// msgAskCompetence asks for the period, with an example near now.
func msgAskCompetence(i Intent, exMonth, exYear int) string {
	if i.Period() == "year" {
		return fmt.Sprintf("De qual ano você precisa %s? Ex.: %d", withArticle(i), exYear)
	}
	return fmt.Sprintf("Qual competência %s? Ex.: %s ou %02d/%d", ofArticle(i), monthNames[exMonth], exMonth, exYear)
}

// msgAskCompany lists the contact's companies.
func msgAskCompany(companies []Company) string {
	var b strings.Builder
	b.Grow(len(msgAskCompanyTail) + 32 + 32*len(companies))
	b.WriteString("Para qual empresa?")
	for i, c := range companies {
		writeOption(&b, i+1, c.Name)
	}
	b.WriteString("\n")
	b.WriteString(msgAskCompanyTail)
	return b.String()
}

// msgRequested confirms a request: "Certo! Vou buscar o holerite de 10/2026
// da ACME. Já te envio. 📄".
func msgRequested(req Request, company string) string {
	var b strings.Builder
	b.Grow(96 + len(req.Person) + len(company))
	b.WriteString("Certo! Vou buscar ")
	b.WriteString(article(req.Intent))
	b.WriteString(req.Intent.Label())
	if req.Competence != "" {
		b.WriteString(" de ")
		b.WriteString(formatCompetence(req.Competence))
	}
	if req.Person != "" {
		b.WriteString(" de ")
		b.WriteString(req.Person)
		if company != "" {
			b.WriteString(",")
		}
	}
	if company != "" {
		b.WriteString(" da ")
		b.WriteString(company)
	}
	b.WriteString(". Já te envio. 📄")
	return b.String()
}

// msgStatus lists the open requests.
func msgStatus(open []string) string {
	if len(open) == 0 {
		return msgNoOpenRequests
	}
	var b strings.Builder
	b.WriteString(msgOpenRequests)
	for _, o := range open {
		b.WriteString("\n• ")
		b.WriteString(o)
	}
	return b.String()
}

// feminine labels take "a"; the others "o".
var feminine = map[Intent]bool{
	DAS: true, FGTS: true, INSS: true, ICMS: true, ISS: true, DRE: true,
	RelacaoEmpregados: true, CertidaoNegativa: true,
}

// withArticle is "o holerite", "a guia do DAS".
func withArticle(i Intent) string { return article(i) + i.Label() }

// article is the definite article of the intent's label with its space: "a ", "o ".
func article(i Intent) string {
	if feminine[i] {
		return "a "
	}
	return "o "
}

// ofArticle is "do holerite", "da guia do DAS".
func ofArticle(i Intent) string {
	if feminine[i] {
		return "da " + i.Label()
	}
	return "do " + i.Label()
}
