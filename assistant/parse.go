package assistant

import (
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
	r := parse(text, now, arr[:0])
	return r.Parsed
}

// result is Parse's answer plus what the dialog also needs.
type result struct {
	Parsed
	number   int  // the message is only this number (a menu choice), else -1
	year     int  // the date said, before fitting it to the intent
	month    int  //
	category bool // a generic tax word ("guia", "imposto") without a document
	toks     []token
}

func parse(text string, now time.Time, buf []token) result {
	now = now.In(saoPaulo)
	toks := tokenize(text, buf)
	res := result{number: -1, toks: toks}
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
		add(r.c, r.w, i)
		for k := range r.toks {
			covered[i+k] = true
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
		for i, t := range toks {
			if covered[i] {
				continue
			}
			if r, ok := fuzzyMatch(t.s); ok {
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

	// "e o holerite?": chasing an earlier request.
	if lead+1 < len(toks) && toks[lead].s == "e" && articles[toks[lead+1].s] &&
		(doc != noClass || score[cStatus] > 0) && score[cVerb] == 0 {
		add(cStatus, 2, lead)
	}

	intent, conf := decide(&score, doc)
	if fuzzyDoc && intent.IsDocument() {
		conf = 0.7
	}
	res.Intent = intent
	res.Confidence = conf
	res.category = doc == noClass && score[cGuia] > 0

	w := scanDates(toks, now)
	if w.month == 0 && w.absMonth == 0 {
		w.month = fuzzyMonth(toks, covered[:len(toks)])
	}
	res.year, res.month = w.resolve(now)
	res.Competence = competence(intent, res.year, res.month)
	if personIntents[intent] {
		res.Person = findPerson(text, toks, docEnd)
	}
	return res
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
// answer goes to a person; then menu, thanks, greeting, acknowledgement.
func decide(score *[numClasses]int, doc class) (Intent, float64) {
	hasDoc := doc < numDocClasses
	switch {
	case score[cAtendente] > 0:
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
	case score[cThanksWeak] > 0:
		return Agradecimento, 0.6
	}
	return Desconhecido, 0
}
