package assistant

import (
	"fmt"
	"strings"
)

// Every text a client reads. Brazilian Portuguese, short, friendly.

const (
	msgMenu = "Digite o número ou escreva o que precisa (ex.: *DAS de outubro*):\n" +
		"1 - Holerite\n" +
		"2 - Guias de impostos (DAS, FGTS, INSS…)\n" +
		"3 - Informe de rendimentos\n" +
		"4 - Férias / 13º / rescisão\n" +
		"5 - Balancete, DRE e balanço\n" +
		"6 - Situação de um pedido\n" +
		"7 - Falar com um atendente"

	msgNotUnderstood    = "Desculpe, não entendi. 😅"
	msgThanks           = "Por nada! Se precisar, é só chamar. 😊"
	msgHandover         = "Certo! Vou chamar alguém da nossa equipe para te atender por aqui. 🙋"
	msgHandoverMisses   = "Não consegui entender, desculpe. Vou chamar alguém da nossa equipe para te ajudar. 🙋"
	msgNoOpenRequests   = "Você não tem pedidos em aberto no momento. Quer pedir algum documento? Digite *menu* para ver as opções."
	msgOpenRequests     = "Seus pedidos em andamento:"
	msgAskCompanyTail   = "Responda com o número ou o nome."
	msgPickFromList     = "Por favor, escolha um número da lista."
	msgCompetenceAgain  = "Não entendi o período. 😅"
	msgCompanyAgain     = "Não encontrei essa empresa. 😅"
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
	b.WriteString(sm.title)
	for i, n := range sm.names {
		fmt.Fprintf(&b, "\n%d - %s", i+1, n)
	}
	return b.String()
}

// msgGreeting greets the contact by first name.
func msgGreeting(firstName, office string) string {
	if office == "" {
		office = msgOfficeDefault
	}
	if firstName == "" {
		return fmt.Sprintf("Olá! 👋 Sou o assistente virtual do %s.", office)
	}
	return fmt.Sprintf("Olá, %s! 👋 Sou o assistente virtual do %s.", firstName, office)
}

// msgClosed tells when the office opens again.
func msgClosed(nextOpen string) string {
	if nextOpen == "" {
		nextOpen = msgNextOpenFallback
	}
	return fmt.Sprintf("No momento o escritório está fechado; a equipe te responde %s.", nextOpen)
}

// msgDisabled: a document the staff serves in person.
func msgDisabled(i Intent) string {
	return fmt.Sprintf("Esse pedido (%s) é feito pela nossa equipe. Já chamei alguém para te atender por aqui. 🙋", i.Label())
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
	b.WriteString("Para qual empresa?")
	for i, c := range companies {
		fmt.Fprintf(&b, "\n%d - %s", i+1, c.Name)
	}
	b.WriteString("\n")
	b.WriteString(msgAskCompanyTail)
	return b.String()
}

// msgRequested confirms a request: "Certo! Vou buscar o holerite de 10/2026
// da ACME. Já te envio. 📄".
func msgRequested(req Request, company string) string {
	var b strings.Builder
	b.WriteString("Certo! Vou buscar ")
	b.WriteString(withArticle(req.Intent))
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
func withArticle(i Intent) string {
	if feminine[i] {
		return "a " + i.Label()
	}
	return "o " + i.Label()
}

// ofArticle is "do holerite", "da guia do DAS".
func ofArticle(i Intent) string {
	if feminine[i] {
		return "da " + i.Label()
	}
	return "do " + i.Label()
}
