package assistant

import (
	"slices"
	"strings"
)

// class is what a lexicon phrase signals: one of the intents, or a cue that
// the decision in Parse weighs (a status question, a request verb...).
type class uint8

const (
	cHolerite class = iota
	cDAS
	cFGTS
	cINSS
	cDARF
	cICMS
	cISS
	cInforme
	cFerias
	cProLabore
	cDecimo
	cRescisao
	cBalancete
	cDRE
	cBalanco
	cFaturamento
	cExtratoSimples
	cRelacao
	cCertidao
	cHonorarios
	cFolha
	cAtendente
	cSaudacao
	cAgradecimento
	cMenu
	cStatus
	cAsk        // a question only a person answers ("como faço", "posso", "dúvida")
	cErrado     // "errado": a complaint when a document is named
	cVerb       // a request verb ("manda", "preciso"): asks, does not chase
	cGuia       // a generic tax word ("guia", "imposto"): which one?
	cThanksWeak // "ok", "beleza": an acknowledgement
	cNeutral    // consumed, no meaning ("me informe", "outra pessoa")
	numClasses
)

const (
	numDocClasses = cFolha + 1 // classes below it are documents
	noClass       = class(255)
)

// classIntent is the intent of each document or dialog class.
var classIntent = [numClasses]Intent{
	cHolerite: Holerite, cDAS: DAS, cFGTS: FGTS, cINSS: INSS, cDARF: DARF, cICMS: ICMS, cISS: ISS,
	cInforme: InformeRendimentos, cFerias: Ferias, cProLabore: ProLabore, cDecimo: DecimoTerceiro,
	cRescisao: Rescisao, cBalancete: Balancete, cDRE: DRE, cBalanco: Balanco, cFaturamento: Faturamento,
	cExtratoSimples: ExtratoSimples, cRelacao: RelacaoEmpregados, cCertidao: CertidaoNegativa,
	cHonorarios: BoletoHonorarios, cFolha: FolhaResumo,
	cAtendente: Atendente, cSaudacao: Saudacao, cAgradecimento: Agradecimento, cMenu: Menu,
	cStatus: StatusPedido,
}

// entry lists phrases (written naturally, normalized at init) with the class
// they signal and its weight. When several phrases start at the same word the
// longest wins and consumes its words, so "holerite de férias" is férias and
// "boleto do contador" is not a request for the accountant.
type entry struct {
	c       class
	w       int
	phrases []string
}

var lexicon = []entry{
	{cHolerite, 3, []string{"holerite", "olerite", "holerit", "holeriti", "oleriti", "holerith", "hole",
		"contra cheque", "contracheque", "recibo de pagamento", "recibo de salário", "comprovante de salário",
		"comprovante de pagamento", "demonstrativo de pagamento", "recibo do salário"}},
	{cDAS, 3, []string{"simples", "simples nacional", "das mei"}},
	{cFGTS, 3, []string{"fgts", "fgst", "fundo de garantia", "gfd", "fgts digital"}},
	{cINSS, 3, []string{"inss", "imss", "previdência", "previdência social", "gps", "dctfweb",
		"contribuição previdenciária"}},
	{cDARF, 3, []string{"darf", "darfe", "dark", "irpj", "csll", "pis", "cofins", "irrf", "carnê leão",
		"imposto de renda retido", "imposto de renda pj", "pis e cofins"}},
	{cICMS, 3, []string{"icms", "icsm", "gare", "difal", "imposto estadual"}},
	{cISS, 3, []string{"iss", "issqn", "imposto sobre serviço", "imposto municipal"}},
	{cInforme, 4, []string{"informe", "informe de rendimento", "comprovante de rendimento",
		"declaração de rendimento", "informe anual"}},
	{cInforme, 3, []string{"rendimento"}},
	{cFerias, 4, []string{"féria", "aviso de féria", "recibo de féria", "féria coletiva"}},
	{cProLabore, 4, []string{"pró labore", "prolabore", "pro labore"}},
	{cDecimo, 4, []string{"décimo terceiro", "13o", "13 salário", "do 13", "o 13", "décimo 3o", "decimo"}},
	{cRescisao, 4, []string{"rescisão", "recisão", "resisão", "trct", "termo de rescisão", "demissão",
		"desligamento", "rescisões"}},
	{cBalancete, 4, []string{"balancete", "balanceti", "balacete"}},
	{cDRE, 3, []string{"dre", "demonstração do resultado", "demonstração de resultado",
		"demonstrativo de resultado", "demonstrativo do resultado", "demonstração dos resultados"}},
	{cBalanco, 3, []string{"balanço", "balanço patrimonial"}},
	{cFaturamento, 3, []string{"faturamento", "faturei", "faturou", "faturamos", "relatório de venda",
		"nota emitida", "receita bruta"}},
	{cExtratoSimples, 5, []string{"extrato do simples", "extrato simples", "extrato do das", "pgdas",
		"pgdas d", "declaração do simples", "extrato de apuração", "declaração pgdas"}},
	{cExtratoSimples, 1, []string{"extrato"}},
	{cRelacao, 3, relacaoPhrases()},
	{cRelacao, 1, []string{"lista"}},
	{cCertidao, 5, []string{"certidão", "certidões", "cnd", "cndt", "crf", "certidão negativa",
		"certidão de regularidade", "positiva com efeito de negativa"}},
	{cHonorarios, 4, []string{"honorário", "boleto do escritório", "boleto da contabilidade",
		"boleto de vocês", "boleto de vcs", "boleto de você", "mensalidade", "fatura do escritório",
		"boleto do contador", "boleto da contadora"}},
	{cHonorarios, 1, []string{"boleto"}},
	{cFolha, 3, []string{"folha", "resumo da folha", "folha de pagamento", "folha analítica",
		"extrato da folha", "relatório da folha", "conferência da folha", "resumo de folha"}},

	{cAtendente, 5, []string{"atendente", "atendimento", "falar com", "falar c", "pessoa", "humano", "humana",
		"alguém", "contador", "contadora", "robô", "me liga", "me ligar", "ligar", "ligação", "telefone",
		"departamento pessoal", "setor", "gerente", "responsável", "transfere", "transferir", "conversar",
		"reunião", "reclamação", "preciso de ajuda", "me ajudar", "me ajuda"}},
	{cSaudacao, 2, []string{"oi", "olá", "opa", "bom dia", "boa tarde", "boa noite", "tudo bem", "tudo bom",
		"td bem", "td bom", "tudo certo", "e aí", "eae", "eai", "salve", "hello", "hi", "hey", "alô", "bdia",
		"oie", "como vai", "good morning", "boa"}},
	{cAgradecimento, 3, []string{"obrigado", "obrigada", "obg", "obgd", "brigado", "brigada", "brigadão",
		"valeu", "vlw", "grato", "grata", "agradeço", "agradecido", "agradecida", "thanks", "thank you", "tmj",
		"obrigadão", "pela ajuda", "brigadu", "obrigadu"}},
	{cThanksWeak, 1, []string{"ok", "okay", "blz", "beleza", "perfeito", "show", "top", "certo", "recebido",
		"deu certo", "era isso", "era só isso", "show de bola", "ótimo", "joia", "combinado"}},
	{cMenu, 3, []string{"menu", "opção", "opções", "voltar", "início", "help", "ajuda", "recomeçar",
		"começar de novo", "cardápio", "quais serviço", "quais documento", "o que vc faz", "o que você faz",
		"o que você pode fazer", "o que vc pode fazer", "o que posso pedir", "posso pedir",
		"o que dá pra fazer", "como funciona isso", "o que esse número faz", "lista de opções",
		"fazer um pedido"}},
	{cStatus, 4, []string{"cadê", "ficou pronto", "tá pronto", "está pronto", "fica pronto", "ficou pronta",
		"tá pronta", "está pronta", "fica pronta", "ficaram pronto", "conseguiram", "conseguiu",
		"ainda não recebi", "não recebi", "ainda não chegou", "não chegou", "não veio", "esperando",
		"aguardando", "status", "andamento", "novidade", "previsão", "demora", "demorar", "demorando",
		"já foi enviado", "foi enviado", "já mandaram", "já enviaram", "já saiu", "pedi",
		"pedido", "minha solicitação", "atualização", "esqueceram", "nada ainda", "já fizeram", "já tem",
		"já chegou"}},
	{cAsk, 3, []string{"dúvida", "como faço", "como faz", "como fazer", "como funciona", "como proceder",
		"o que faço", "o que eu faço", "o que fazer", "posso", "não consigo", "valor errado", "veio errado",
		"veio errada", "abrir", "contrato social", "alterar", "alteração", "cancelar", "quanto vou pagar",
		"quanto pago", "parcelar", "parcelamento", "notificação", "malha fina", "nota fiscal", "orçamento",
		"fator r", "descontar", "contratar", "multa", "me explica", "explicar"}},
	{cErrado, 1, []string{"errado", "errada"}},
	{cVerb, 1, []string{"manda", "mande", "mandar", "envia", "envie", "enviar", "encaminhar", "encaminha",
		"preciso", "precisando", "quero", "queria", "gostaria", "solicito", "solicitar", "favor",
		"pode mandar", "poderia", "me passa", "passa", "gera", "gerar", "emite", "emitir", "segunda via"}},
	{cGuia, 1, []string{"guia", "imposto", "tributo"}},
	{cNeutral, 0, []string{"outra pessoa", "me informe", "me informa", "imposto de renda"}},
}

// relacaoPhrases spells "relação de empregados" and its variants.
func relacaoPhrases() []string {
	var out []string
	for _, a := range []string{"relação", "lista", "listagem", "quadro", "rel"} {
		for _, p := range []string{"de", "do", "da"} {
			for _, b := range []string{"empregado", "funcionário", "colaborador"} {
				out = append(out, a+" "+p+" "+b)
			}
		}
	}
	return append(out, "funcionário ativo", "funcionário registrado", "colaborador registrado",
		"quantos funcionário", "empregados ativos")
}

// rule is one normalized lexicon phrase.
type rule struct {
	toks []string
	c    class
	w    int
}

var (
	// rules by their first word, longest first.
	lexIndex = map[string][]rule{}
	// fuzzyRules are single words long enough to match with one typo.
	fuzzyRules []rule
)

func init() {
	for _, e := range lexicon {
		for _, p := range e.phrases {
			toks := normalizeWords(p)
			if len(toks) == 0 {
				continue
			}
			r := rule{toks: toks, c: e.c, w: e.w}
			lexIndex[toks[0]] = append(lexIndex[toks[0]], r)
			if len(toks) == 1 && len(toks[0]) >= 6 && e.c < numDocClasses && e.w >= 3 {
				fuzzyRules = append(fuzzyRules, r)
			}
		}
	}
	for k, rs := range lexIndex {
		slices.SortStableFunc(rs, func(a, b rule) int { return len(b.toks) - len(a.toks) })
		lexIndex[k] = rs
	}
}

// wordIs reports whether the typed word w is the lexicon word k, allowing a
// plural "s" ("funcionarios" is "funcionario").
func wordIs(w, k string) bool {
	return w == k || (len(w) == len(k)+1 && w[len(k)] == 's' && w[:len(k)] == k) ||
		(len(w) == len(k)+2 && w[len(k):] == "es" && w[:len(k)] == k && strings.IndexByte("rzl", k[len(k)-1]) >= 0)
}

// match finds the longest lexicon phrase starting at toks[i].
func match(toks []token, i int) (rule, bool) {
	w := toks[i].s
	rs, ok := lexIndex[w]
	if !ok && len(w) > 2 && w[len(w)-1] == 's' {
		rs, ok = lexIndex[w[:len(w)-1]]
		if !ok && len(w) > 4 && w[len(w)-2] == 'e' {
			rs, ok = lexIndex[w[:len(w)-2]]
		}
	}
	if !ok {
		return rule{}, false
	}
next:
	for _, r := range rs {
		if i+len(r.toks) > len(toks) {
			continue
		}
		for k := 1; k < len(r.toks); k++ {
			if !wordIs(toks[i+k].s, r.toks[k]) {
				continue next
			}
		}
		return r, true
	}
	return rule{}, false
}

// nearWord reports whether a is b with at most one edit (insertion, deletion,
// substitution or transposition of adjacent letters). It does not allocate.
func nearWord(a, b string) bool {
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if i == la {
		return true // equal, or b has one more letter at the end
	}
	if la == lb {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
	}
	return a[i:] == b[i+1:] // b has one more letter at i
}

// fuzzyStop are common words one typo away from a keyword.
var fuzzyStop = map[string]bool{
	"informa": true, "informo": true, "informar": true, "informei": true, "informou": true,
	"simple": true, "folhas": true, "balance": true, "balancos": true, "formei": true,
}

// fuzzyMatch finds a document keyword one typo away from the word w.
func fuzzyMatch(w string) (rule, bool) {
	if len(w) < 5 || fuzzyStop[w] {
		return rule{}, false
	}
	for _, r := range fuzzyRules {
		k := r.toks[0]
		if k[0] == w[0] && nearWord(w, k) {
			return r, true
		}
	}
	return rule{}, false
}
