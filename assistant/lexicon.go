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
	cThanksWeak // "ok", "beleza": an acknowledgement, not a thanks (desconhecido, answered politely)
	cPersonWeak // "contador", "alguém": wants a person only when no document is named
	cStatusWeak // "pedido": chases only with no document named or in a question ("segue pedido: DAS" asks)
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
		"comprovante de pagamento", "demonstrativo de pagamento", "recibo do salário", "recibo de pagto",
		"recibo pagto", "comprovante de pagto", "demonstrativo de pagto"}},
	{cDAS, 3, []string{"simples", "simples nacional", "das mei", "guia do mei", "boleto do mei",
		"imposto do mei", "guia mei", "boleto mei", "carnê do mei", "pgmei"}},
	{cDAS, 2, []string{"mei"}},
	{cFGTS, 3, []string{"fgts", "fgst", "fgt", "ftgs", "fundo de garantia", "gfd", "fgts digital", "grf", "gfip",
		"sefip"}},
	{cINSS, 3, []string{"inss", "imss", "previdência", "previdência social", "gps", "dctfweb",
		"contribuição previdenciária"}},
	{cDARF, 3, []string{"darf", "darfe", "dark", "irpj", "csll", "pis", "cofins", "irrf", "carnê leão",
		"imposto de renda retido", "imposto de renda pj", "pis e cofins", "receita federal",
		"guia da receita", "boleto da receita", "imposto federal", "guia federal"}},
	{cICMS, 3, []string{"icms", "icsm", "icm", "imcs", "gare", "difal", "imposto estadual", "imposto do estado",
		"guia do estado", "guia estadual", "sefaz", "guia da sefaz", "substituição tributária"}},
	{cISS, 3, []string{"iss", "issqn", "imposto sobre serviço", "imposto municipal", "imposto da prefeitura",
		"guia da prefeitura", "boleto da prefeitura", "guia municipal", "guia do municipio"}},
	{cInforme, 4, []string{"informe", "informe de rendimento", "comprovante de rendimento",
		"declaração de rendimento", "informe anual"}},
	{cInforme, 3, []string{"rendimento"}},
	{cFerias, 4, []string{"féria", "aviso de féria", "recibo de féria", "féria coletiva"}},
	{cProLabore, 4, []string{"pró labore", "prolabore", "pro labore", "retirada do sócio", "retirada dos sócios",
		"retirada da sócia", "recibo de retirada", "retirada mensal", "retirada de pró labore"}},
	{cDecimo, 4, []string{"décimo terceiro", "13o", "13 salário", "do 13", "o 13", "de 13", "décimo 3o", "decimo",
		"gratificação natalina"}},
	{cRescisao, 4, []string{"rescisão", "recisão", "resisão", "trct", "termo de rescisão", "demissão",
		"desligamento", "rescisões", "acerto", "acerto trabalhista", "verbas rescisórias", "homologação",
		"aviso prévio", "termo de quitação"}},
	{cRescisao, 3, []string{"rescisório", "rescisória"}},
	{cBalancete, 4, []string{"balancete", "balanceti", "balacete"}},
	{cDRE, 3, []string{"dre", "demonstração do resultado", "demonstração de resultado",
		"demonstrativo de resultado", "demonstrativo do resultado", "demonstração dos resultados",
		"lucro e prejuízo", "lucros e prejuízos", "lucros e perdas", "resultado do exercício",
		"demonstrativo de lucro"}},
	{cBalanco, 3, []string{"balanço", "balanço patrimonial"}},
	{cFaturamento, 3, []string{"faturamento", "faturei", "faturou", "faturamos", "relatório de venda",
		"nota emitida", "receita bruta"}},
	{cExtratoSimples, 5, []string{"extrato do simples", "extrato simples", "extrato do das", "pgdas",
		"pgdas d", "declaração do simples", "extrato de apuração", "declaração pgdas"}},
	{cExtratoSimples, 1, []string{"extrato"}},
	{cRelacao, 3, relacaoPhrases()},
	{cRelacao, 1, []string{"lista"}},
	{cRelacao, 2, []string{"relação", "listagem"}},
	{cCertidao, 5, []string{"certidão", "certidões", "cnd", "cndt", "crf", "certidão negativa",
		"certidão de regularidade", "positiva com efeito de negativa", "nada consta"}},
	{cCertidao, 4, []string{"negativa", "negativas"}},
	{cHonorarios, 4, []string{"honorário", "boleto do escritório", "boleto da contabilidade",
		"boleto de vocês", "boleto de vcs", "boleto de você", "mensalidade", "fatura do escritório",
		"boleto do contador", "boleto da contadora"}},
	{cHonorarios, 1, []string{"boleto"}},
	{cFolha, 3, []string{"folha", "resumo da folha", "folha de pagamento", "folha analítica",
		"extrato da folha", "relatório da folha", "conferência da folha", "resumo de folha"}},

	{cAtendente, 5, []string{"atendente", "atendimento", "falar com", "falar c", "humano", "humana",
		"robô", "me liga", "me ligar", "ligar", "ligação", "telefone", "liga pra", "liga para", "ligue",
		"me retorna", "me retorne", "retorna a ligação", "departamento pessoal", "transfere", "transferir",
		"conversar", "conversa", "reunião", "reclamação", "preciso de ajuda", "me ajudar", "me ajuda",
		"me passa pra", "me passa para", "me passa pro", "passa pra", "passa para", "passa pro",
		"me atende", "me atender", "me transfere", "me chama", "me coloca em contato", "me retornar",
		"retornar a ligação", "retornar o contato"}},
	{cPersonWeak, 5, []string{"pessoa", "alguém", "contador", "contadora", "setor", "gerente", "responsável"}},
	{cSaudacao, 2, []string{"oi", "olá", "opa", "bom dia", "boa tarde", "boa noite", "tudo bem", "tudo bom",
		"td bem", "td bom", "tudo certo", "fala pessoal", "fala galera", "fala aí", "fala meu", "e aí", "eae", "eai", "salve", "hello", "hi", "hey", "alô", "bdia",
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
		"fazer um pedido", "o que posso fazer", "dá pra pedir", "pedir aqui", "pedir por aqui",
		"o que vocês fazem", "o que vcs fazem", "o que tem aqui", "o que mais"}},
	{cStatus, 4, []string{"cadê", "ficou pronto", "tá pronto", "está pronto", "fica pronto", "ficou pronta",
		"tá pronta", "está pronta", "fica pronta", "ficaram pronto", "conseguiram", "conseguiu",
		"ainda não recebi", "não recebi", "ainda não chegou", "não chegou", "não veio", "esperando",
		"aguardando", "status", "andamento", "novidade", "previsão", "demora", "demorar", "demorando",
		"já foi enviado", "foi enviado", "já mandaram", "já enviaram", "já saiu", "pedi",
		"meu pedido", "meus pedidos", "nosso pedido", "nossos pedidos", "minha solicitação", "atualização",
		"esqueceram", "nada ainda", "já fizeram", "já tem", "já chegou"}},
	{cStatusWeak, 4, []string{"pedido"}},
	{cAsk, 3, []string{"dúvida", "como faço", "como faz", "como fazer", "como funciona", "como proceder",
		"o que faço", "o que eu faço", "o que fazer", "posso", "não consigo", "valor errado", "veio errado",
		"veio errada", "abrir", "contrato social", "alterar", "alteração", "cancelar", "quanto vou pagar",
		"quanto pago", "parcelar", "parcelamento", "notificação", "malha fina", "nota fiscal", "orçamento",
		"fator r", "descontar", "contratar", "multa", "me explica", "explicar", "muito alto", "muito alta",
		"muito caro", "muito cara", "valor alto", "tá certo", "está certo", "tá correto", "está correto",
		"tá certa", "está certa", "mudar", "mudança", "trocar de regime", "regime", "abertura", "encerrar",
		"encerramento da empresa", "encerramento de empresa", "fechar a empresa", "agendar", "marcar",
		"prazo", "valor diferente", "veio diferente", "problema", "certificado digital", "intimação",
		"autuação", "auto de infração", "fiscalização", "horário de funcionamento", "que horas abre", "que horas fecha", "que horas vocês",
		"que horas vcs", "quanto custa", "quanto cobra", "quanto custaria"}},
	{cErrado, 1, []string{"errado", "errada"}},
	{cVerb, 1, []string{"manda", "mande", "mandar", "envia", "envie", "enviar", "encaminhar", "encaminha",
		"preciso", "precisando", "quero", "queria", "gostaria", "solicito", "solicitar", "favor",
		"pode mandar", "poderia", "me passa", "passa", "gera", "gerar", "emite", "emitir", "segunda via",
		"passa pra mim", "me passa pra mim", "passa para mim", "me passa para mim", "manda pra mim",
		"reenvia", "reenvie", "reenviar", "manda de novo", "envia de novo", "manda novamente"}},
	{cGuia, 1, []string{"guia", "imposto", "tributo"}},
	{cNeutral, 0, []string{"outra pessoa", "me informe", "me informa", "imposto de renda", "do parcelamento",
		"de parcelamento", "da multa"}},
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

// fuzzyPhrase finds a multi-word document phrase starting at toks[i] whose
// first word is exact and one later word (4+ letters) is one typo away:
// "pro labori", "contra chequi", "fundo de garamtia".
func fuzzyPhrase(toks []token, i int) (rule, bool) {
	for _, r := range lexIndex[toks[i].s] {
		if len(r.toks) < 2 || r.c >= numDocClasses || r.w < 3 || i+len(r.toks) > len(toks) {
			continue
		}
		typo, ok := false, true
		for k := 1; k < len(r.toks) && ok; k++ {
			w, kw := toks[i+k].s, r.toks[k]
			switch {
			case wordIs(w, kw):
			case !typo && len(kw) >= 4 && len(w) >= 4 && nearWord(w, kw):
				typo = true
			default:
				ok = false
			}
		}
		if ok && typo {
			return r, true
		}
	}
	return rule{}, false
}
