package assistant

import (
	"strings"
	"time"
)

// Parse understands one message; now is converted to America/Sao_Paulo for
// relative dates.
//
// How: the text is normalized and split into words (see tokenize); lexicon
// phrases are matched longest first and add their weight to a class (an
// intent, or a cue such as "a status question" or "a request verb"); words
// that match nothing get one chance at a one-typo match against the longer
// document keywords; a few rules then weigh the classes (decide). Dates are
// read in a separate pass (scanDates) and shaped by the intent's Period.
func Parse(text string, now time.Time) Parsed {
	var arr [maxTokens]token
	r := parse(text, now, tokenize(text, arr[:0]))
	return r.Parsed
}

// result is Parse's answer plus what the dialog also needs.
type result struct {
	Parsed
	number   int  // the message is only this number (a menu choice), else -1
	year     int  // the date said, before fitting it to the intent
	month    int  //
	category bool // a generic tax word ("guia", "imposto") without a document
	ack      bool // a bare acknowledgement ("ok", "blz", 👍): desconhecido, but answered politely
}

// parse understands text, already split into toks by tokenize. The tokens are the caller's
// and are not kept in the result: the caller's buffer of maxTokens tokens can then stay on
// its stack (3.5 KB per message otherwise).
func parse(text string, now time.Time, toks []token) result {
	now = now.In(saoPaulo)
	res := result{number: -1}
	res.Intent = Desconhecido
	if len(toks) == 0 {
		return res
	}
	if len(toks) == 1 {
		if n, ok := smallNumber(toks[0].s); ok {
			res.number = n
		}
	}

	var (
		score    [numClasses]int
		first    [numClasses]int
		covered  [maxTokens]bool
		lead     = 0 // leading words that are greetings or thanks
		leading  = true
		docEnd   = 0 // word after the first document phrase
		fuzzyDoc = false
	)
	for c := range first {
		first[c] = -1
	}
	add := func(c class, w, at int) {
		score[c] += w
		if first[c] < 0 {
			first[c] = at
		}
	}
	for i := 0; i < len(toks); {
		if toks[i].s == "das" && isDASWord(toks, i) {
			add(cDAS, 3, i)
			covered[i] = true
			leading = false
			if docEnd == 0 {
				docEnd = i + 1
			}
			i++
			continue
		}
		r, ok := match(toks, i)
		if !ok {
			leading = false
			i++
			continue
		}
		for k := range r.toks {
			covered[i+k] = true
		}
		if r.c < numDocClasses && i > 0 && thanksFor[toks[i-1].s] && score[cAgradecimento] > 0 {
			// "obrigado pelo balancete": received, not asked for.
			leading = false
			i += len(r.toks)
			continue
		}
		add(r.c, r.w, i)
		if r.c >= cDAS && r.c <= cISS && afterGuia(toks, i) {
			add(r.c, 2, i) // "a guia do FGTS da rescisão": the guide is what is asked for
		}
		if leading && (r.c == cSaudacao || r.c == cAgradecimento) {
			lead = i + len(r.toks)
		} else {
			leading = false
		}
		if r.c < numDocClasses && docEnd == 0 {
			docEnd = i + len(r.toks)
		}
		i += len(r.toks)
	}

	doc := bestDoc(&score, &first)
	if doc == noClass {
		for i := 0; i < len(toks); i++ {
			if covered[i] {
				continue
			}
			if r, ok := fuzzyPhrase(toks, i); ok {
				add(r.c, r.w, i)
				for k := range r.toks {
					covered[i+k] = true
				}
				fuzzyDoc = true
				if docEnd == 0 {
					docEnd = i + len(r.toks)
				}
				i += len(r.toks) - 1
				continue
			}
			if r, ok := fuzzyMatch(toks[i].s); ok {
				add(r.c, r.w, i)
				covered[i] = true
				fuzzyDoc = true
				if docEnd == 0 {
					docEnd = i + 1
				}
			}
		}
		doc = bestDoc(&score, &first)
	}

	// A bare "pedido" chases an earlier request only when no document is named
	// or the message asks about it ("o pedido do DAS saiu?"): "segue pedido: guia
	// DAS 10/2026" asks for the DAS. "meu pedido" always chases (a cStatus phrase).
	if score[cStatusWeak] > 0 && (doc == noClass || hasQuestionMark(text)) {
		add(cStatus, score[cStatusWeak], first[cStatusWeak])
	}

	// "e o holerite?": chasing an earlier request.
	if lead+1 < len(toks) && toks[lead].s == "e" && articles[toks[lead+1].s] &&
		(doc != noClass || score[cStatus] > 0 || score[cGuia] > 0) && score[cVerb] == 0 {
		add(cStatus, 2, lead)
	}

	intent, conf := decide(&score, doc)
	if fuzzyDoc && intent.IsDocument() {
		conf = 0.7
	}
	res.Intent = intent
	res.Confidence = conf
	res.category = doc == noClass && score[cGuia] > 0
	res.ack = intent == Desconhecido && score[cThanksWeak] > 0

	w := scanDates(toks, now)
	if w.month == 0 && w.absMonth == 0 {
		w.month = fuzzyMonth(toks, covered[:len(toks)])
	}
	if w.month == 0 && w.absMonth == 0 && intent.Period() == "month" && docEnd > 0 {
		w.month = monthAfterDoc(toks, docEnd)
	}
	res.year, res.month = w.resolve(now)
	res.Competence = competence(intent, res.year, res.month)
	if personIntents[intent] {
		res.Person = findPerson(text, toks, docEnd)
	}
	return res
}

// hasQuestionMark reports whether the part of text that Parse reads asks a
// question.
func hasQuestionMark(text string) bool {
	return strings.IndexByte(text[:min(len(text), 4*maxRunes)], '?') >= 0
}

// thanksFor introduce the document a client thanks for ("obrigado pelo
// balancete"): it was received, not asked for.
var thanksFor = map[string]bool{"pelo": true, "pela": true, "pelos": true, "pelas": true}

// afterMonthNumber may follow a bare month number right after a document
// ("holerite 09 pfv", "das 10 da loja"); anything else ("holerite de 3
// funcionários", "2 via") means the number is not a month.
var afterMonthNumber = map[string]bool{"de": true, "do": true, "da": true, "pfv": true, "pf": true,
	"por": true, "favor": true, "pra": true, "para": true, "e": true, "obrigado": true, "obg": true,
	"pls": true, "urgente": true}

// monthAfterDoc reads a bare month number right after the first document
// phrase, which ends before toks[at]: "holerite 09", "fgts do 9".
func monthAfterDoc(toks []token, at int) int {
	if at < len(toks) && (toks[at].s == "de" || toks[at].s == "do") {
		at++
	}
	if at >= len(toks) || len(toks[at].s) > 2 {
		return 0
	}
	n, ok := smallNumber(toks[at].s)
	if !ok || n < 1 || n > 12 {
		return 0
	}
	if at+1 < len(toks) && !afterMonthNumber[toks[at+1].s] {
		if _, isYear := yearOf(toks[at+1].s); !isYear {
			return 0
		}
	}
	return n
}

// afterGuia reports whether toks[i] follows "guia", "boleto" or "guia
// do/da/de".
func afterGuia(toks []token, i int) bool {
	j := i - 1
	if j >= 0 && (toks[j].s == "do" || toks[j].s == "da" || toks[j].s == "de") {
		j--
	}
	if j < 0 {
		return false
	}
	switch toks[j].s {
	case "guia", "guias", "boleto", "boletos":
		return true
	}
	return false
}

// articles follow "e" in "e o holerite?", "e a guia?".
var articles = map[string]bool{"o": true, "a": true, "os": true, "as": true}

// dasBefore are the words after which "das" is the DAS guide and not the
// preposition ("relação das férias").
var dasBefore = map[string]bool{"o": true, "do": true, "no": true, "ao": true, "meu": true, "guia": true,
	"boleto": true, "e": true, "pagar": true, "manda": true, "mande": true, "gerar": true, "gera": true,
	"pro": true, "via": true, "seu": true, "um": true, "sobre": true, "emitir": true}

func isDASWord(toks []token, i int) bool {
	return i == 0 || toks[i].upper || dasBefore[toks[i-1].s]
}

// bestDoc is the document class with the highest score, the earliest named
// on a tie, or noClass.
func bestDoc(score, first *[numClasses]int) class {
	best := noClass
	for c := range numDocClasses {
		if score[c] == 0 {
			continue
		}
		if best == noClass || score[c] > score[best] || (score[c] == score[best] && first[c] < first[best]) {
			best = c
		}
	}
	return best
}

// decide weighs the classes: asking for a person beats everything; chasing
// an earlier request beats naming a document unless the client also asks
// for it again ("manda"); a document with a question only a person can
// answer goes to a person; then menu, thanks, greeting. A bare
// acknowledgement ("ok") asks nothing: it is desconhecido (result.ack lets
// the dialog answer politely). "contador" or "alguém" want a person only
// when no document is named ("Prezado contador, segue solicitação: guia do
// ISS" asks for the ISS).
func decide(score *[numClasses]int, doc class) (Intent, float64) {
	hasDoc := doc < numDocClasses
	switch {
	case score[cAtendente] > 0, score[cPersonWeak] > 0 && !hasDoc:
		return Atendente, 0.9
	case score[cStatus] > 0 && (!hasDoc || score[cVerb] == 0):
		return StatusPedido, 0.8
	case hasDoc && (score[cAsk] > 0 || score[cErrado] > 0):
		return Atendente, 0.7
	case hasDoc:
		return classIntent[doc], 0.9
	case score[cAsk] > 0, score[cErrado] > 0 && score[cGuia] > 0:
		return Atendente, 0.7
	case score[cMenu] > 0:
		return Menu, 0.9
	case score[cAgradecimento] > 0:
		return Agradecimento, 0.9
	case score[cSaudacao] > 0:
		return Saudacao, 0.9
	}
	return Desconhecido, 0
}
