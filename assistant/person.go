package assistant

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// personIntents are the documents issued per employee (or partner).
var personIntents = map[Intent]bool{
	Holerite: true, Ferias: true, Rescisao: true, DecimoTerceiro: true, InformeRendimentos: true,
	ProLabore: true,
}

// Words that introduce a name, that may sit inside one (only between two name words), or
// that end one: dates, weekdays, prepositions and other words no name has ("do joão em
// outubro", "da maria na segunda", "do carlos até sexta").
var (
	nameLinks   = map[string]bool{"do": true, "da": true, "de": true}
	nameInner   = map[string]bool{"da": true, "de": true, "do": true, "dos": true, "das": true}
	nameTitles  = map[string]bool{}
	nameStopSet = map[string]bool{}
)

func init() {
	for _, w := range []string{"funcionário", "funcionária", "colaborador", "colaboradora", "empregado",
		"empregada", "sócio", "sócia", "sr", "sra", "senhor", "senhora", "dona", "seu"} {
		nameTitles[normalizeWords(w)[0]] = true
	}
	for _, w := range strings.Fields(`mês meses ano anos passado retrasado atual este esse deste desse
		neste nesse próximo último penúltimo empresa empresas escritório funcionários meu minha meus minhas
		seu sua seus suas nosso nossa dele dela mei simples pagamento salário mesmo dia semana hoje ontem
		amanhã que referente referência competência pfv por favor pra para pro e ou com sem ir irpf ele
		ela eles elas vcs você vocês gente equipe urgente primeira segunda parcela exercício banco loja
		todos todas todo toda cada outro outra mim novo nova anterior pessoal mesma filial matriz socios
		sócios ultimo mesmo aqui ai lá já ainda também tbm tb pf obrigado obrigada vez agora favor
		em no na nos nas num numa ao aos pelo pela pelos pelas até desde após entre antes depois
		durante sobre conforme quando porque pois mas se só tudo bem logo cedo tarde noite manhã hj
		terça quarta quinta sexta sábado domingo feira fds semanas próxima passada qdo onde como
		foi vai saiu`) {
		nameStopSet[normalizeWords(w)[0]] = true
	}
}

// isNameWord reports whether toks[i] can be part of a person's name.
func isNameWord(toks []token, i int) bool {
	s := toks[i].s
	if len(s) < 2 || nameStopSet[s] || nameTitles[s] || nameInner[s] {
		return false
	}
	for k := 0; k < len(s); k++ {
		if !isLetter(s[k]) && s[k] < 0x80 {
			return false
		}
	}
	if _, ok := months[s]; ok {
		return false
	}
	if _, ok := lexIndex[s]; ok {
		return false
	}
	if _, ok := relIndex[s]; ok {
		return false
	}
	return true
}

// findPerson looks after the document words for "do/da NAME" or a title
// ("funcionária NAME") and returns the name Title-cased from the original
// text ("da maria silva" → "Maria Silva"), or "".
func findPerson(text string, toks []token, from int) string {
	for i := from; i < len(toks); i++ {
		s := toks[i].s
		if !nameLinks[s] && !nameTitles[s] {
			continue
		}
		j := i + 1
		for j < len(toks) && nameTitles[toks[j].s] {
			j++
		}
		if j >= len(toks) || !isNameWord(toks, j) {
			continue
		}
		first, last := j, j
		for k := j + 1; k < len(toks) && k-first < 6; k++ {
			if isNameWord(toks, k) {
				last = k
				continue
			}
			if nameInner[toks[k].s] && k+1 < len(toks) && isNameWord(toks, k+1) {
				continue
			}
			break
		}
		return titleName(text, toks[first:last+1])
	}
	return ""
}

// titleName writes the words of a name as typed, each Title-cased,
// connectors ("da", "de") in lower case.
func titleName(text string, toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		word := text[t.start:t.end]
		if nameInner[t.s] {
			b.WriteString(strings.ToLower(word))
			continue
		}
		for k, r := range word {
			if k == 0 {
				r = unicode.ToUpper(r)
			} else {
				r = unicode.ToLower(r)
			}
			if r == utf8.RuneError {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
