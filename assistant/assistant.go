// Package assistant owns the understanding of Portuguese WhatsApp messages
// sent by clients of an accounting office and the short dialog that turns
// them into document requests or a handover to the staff.
//
// It is pure: no I/O, no clock, no goroutines. It must not know actors,
// gateways, storage or the UI; callers persist State and act on Turn.
package assistant

import (
	"time"
)

// Intent is what a client message asks for.
type Intent string

// Document intents (served by the accounting agent) and dialog intents.
const (
	Holerite           Intent = "holerite"
	DAS                Intent = "das"
	FGTS               Intent = "fgts"
	INSS               Intent = "inss"
	DARF               Intent = "darf"
	ICMS               Intent = "icms"
	ISS                Intent = "iss"
	InformeRendimentos Intent = "informe_rendimentos"
	Ferias             Intent = "ferias"
	ProLabore          Intent = "pro_labore"
	DecimoTerceiro     Intent = "decimo_terceiro"
	Rescisao           Intent = "rescisao"
	Balancete          Intent = "balancete"
	DRE                Intent = "dre"
	Balanco            Intent = "balanco"
	Faturamento        Intent = "faturamento"
	ExtratoSimples     Intent = "extrato_simples"
	RelacaoEmpregados  Intent = "relacao_empregados"
	CertidaoNegativa   Intent = "certidao_negativa"
	BoletoHonorarios   Intent = "boleto_honorarios"
	FolhaResumo        Intent = "folha_resumo"

	Atendente     Intent = "atendente"
	Saudacao      Intent = "saudacao"
	Agradecimento Intent = "agradecimento"
	Menu          Intent = "menu"
	StatusPedido  Intent = "status_pedido"
	Desconhecido  Intent = "desconhecido"
)

// intentInfo describes one intent: its label for clients and its period.
type intentInfo struct {
	doc    bool
	label  string
	period string
}

var intents = map[Intent]intentInfo{
	Holerite:           {true, "holerite", "month"},
	DAS:                {true, "guia do DAS", "month"},
	FGTS:               {true, "guia do FGTS", "month"},
	INSS:               {true, "guia do INSS", "month"},
	DARF:               {true, "DARF", "month"},
	ICMS:               {true, "guia do ICMS", "month"},
	ISS:                {true, "guia do ISS", "month"},
	InformeRendimentos: {true, "informe de rendimentos", "year"},
	Ferias:             {true, "recibo de férias", "month"},
	ProLabore:          {true, "recibo de pró-labore", "month"},
	DecimoTerceiro:     {true, "recibo do 13º salário", "year"},
	Rescisao:           {true, "termo de rescisão", ""},
	Balancete:          {true, "balancete", "month"},
	DRE:                {true, "DRE", "year"},
	Balanco:            {true, "balanço patrimonial", "year"},
	Faturamento:        {true, "relatório de faturamento", "month"},
	ExtratoSimples:     {true, "extrato do Simples Nacional", "month"},
	RelacaoEmpregados:  {true, "relação de empregados", ""},
	CertidaoNegativa:   {true, "certidão negativa de débitos", ""},
	BoletoHonorarios:   {true, "boleto de honorários", ""},
	FolhaResumo:        {true, "resumo da folha", "month"},

	Atendente:     {false, "atendente", ""},
	Saudacao:      {false, "saudação", ""},
	Agradecimento: {false, "agradecimento", ""},
	Menu:          {false, "menu", ""},
	StatusPedido:  {false, "situação de pedido", ""},
	Desconhecido:  {false, "mensagem não entendida", ""},
}

// Known reports whether i is one of the intents above.
func (i Intent) Known() bool {
	_, ok := intents[i]
	return ok
}

// IsDocument reports whether i asks for a document the office produces.
func (i Intent) IsDocument() bool { return intents[i].doc }

// Label is the Portuguese name of the intent as clients read it.
func (i Intent) Label() string {
	if info, ok := intents[i]; ok {
		return info.label
	}
	return string(i)
}

// Period is the competence granularity a document needs: "month" (YYYY-MM),
// "year" (YYYY) or "" when it needs none.
//
// Yearly: informe_rendimentos (calendar year), decimo_terceiro (paid once a
// year), dre and balanco (annual statements). Monthly: payroll, tax guides,
// balancete, faturamento, extrato do Simples, pró-labore and férias (the
// receipt of the month the vacation started). None: rescisão (identified by
// the employee), relação de empregados, certidão negativa and boleto de
// honorários (always the current one).
func (i Intent) Period() string { return intents[i].period }

// Parsed is the understanding of one message.
type Parsed struct {
	Intent     Intent  `json:"intent"`
	Competence string  `json:"competence"` // "YYYY-MM", "YYYY" or ""
	Person     string  `json:"person"`
	Confidence float64 `json:"confidence"`
}

// Company is a company the contact speaks for.
type Company struct{ ID, Name, CNPJ string }

// Settings are the office settings that shape the dialog.
type Settings struct {
	OfficeName string
	Disabled   map[Intent]bool // document intents the assistant must not serve (hand to staff)
	Open       bool            // the office is open now
	NextOpen   string          // when it opens again, human Portuguese ("amanhã às 08:00"); used when !Open

	// Texts are the office's versions of the messages it may edit; an empty one keeps the
	// assistant's own wording.
	Texts Texts
	// Render fills the variables of Texts ({cliente}, {empresa}, {competencia}, {abertura});
	// the caller passes the office's renderer. Nil sends the texts as written.
	Render func(text string, v Vars) string

	// Departments are the office's sectors, in the order clients see them.
	Departments []Department
	// Distribution: a client who asks for a person first picks the department from a
	// numbered list (with two or more departments).
	Distribution bool
}

// Texts are the editable messages the assistant sends. The handover text follows a short
// lead per path ("Certo! ", "Não consegui entender, desculpe. "); the out-of-hours text goes
// under it.
type Texts struct {
	Greeting   string // first contact
	MenuHeader string // the line above the numbered menu
	Handover   string // the conversation goes to a person
	OutOfHours string // a person was asked for while the office is closed
}

// Vars are the values of the variables of a text, for Settings.Render.
type Vars struct {
	Cliente     string // the contact's first name
	Empresa     string // the company of the request, or the contact's first one
	Competencia string // the request's competence, "10/2026" or "2026"
	Abertura    string // when the office opens again (Settings.NextOpen)
}

// Department is a sector of the office a client may be handed to.
type Department struct {
	ID   string
	Name string
}

// Input is one client message and the context needed to answer it.
type Input struct {
	Text        string
	Now         time.Time
	ContactName string
	Companies   []Company // companies the contact speaks for (>=1; the caller never calls Respond for unlinked phones)
	// OpenRequests lists short Portuguese descriptions of the contact's open requests; Respond
	// calls it only when the client asks about them (in words or by the menu), so that the
	// caller reads them only then. Nil means none.
	OpenRequests func() []string
	Settings     Settings
}

// Request is a complete (or, as a draft, partial) document request.
type Request struct {
	Intent     Intent `msgpack:"intent" json:"intent"`
	Competence string `msgpack:"competence,omitempty" json:"competence,omitempty"`
	Person     string `msgpack:"person,omitempty" json:"person,omitempty"`
	CompanyID  string `msgpack:"company,omitempty" json:"company,omitempty"`
}

// State is the dialog state the conversation persists between messages
// (msgpack tags are required: it is stored).
type State struct {
	Awaiting string   `msgpack:"awaiting,omitempty"` // "" or one of the Await values below
	Draft    *Request `msgpack:"draft,omitempty"`
	Misses   int      `msgpack:"misses,omitempty"` // messages in a row not understood
	Greeted  bool     `msgpack:"greeted,omitempty"`
}

// Awaiting values: what the last reply asked the client.
const (
	AwaitCompetence = "competence" // the period of State.Draft
	AwaitCompany    = "company"    // which company State.Draft is for
	AwaitGuias      = "guias"      // a number from the tax guides sub-list
	AwaitPessoal    = "pessoal"    // a number from the férias / 13º / rescisão sub-list
	AwaitContabil   = "contabil"   // a number from the balancete / DRE / balanço sub-list
	AwaitDepartment = "department" // which department a person should come from
)

// Turn is the outcome of one client message.
type Turn struct {
	State    State
	Replies  []string // texts to send to the client, in order
	Handover bool     // hand the conversation to the staff (it becomes pending)
	// Department is the department a handover goes to: the one the client chose, or the one
	// a document the staff serves implies; "" for none.
	Department string
	Request    *Request // a complete document request to start (intent, competence when needed, company chosen)
}
