package assistant

import (
	"strings"
	"time"
	"unicode"
)

// Respond advances the dialog by one client message. Pure: no I/O, no
// globals mutated, never panics.
//
// Order: an answer to what the last reply asked (a competence, a company, a
// number from a sub-list) is taken first; anything else is understood afresh
// and a new intent replaces the pending one. A bare number is a choice from
// the main menu. Three messages in a row not understood hand the
// conversation to the staff.
func Respond(st State, in Input) Turn {
	// The tokens are read into a buffer on this stack and only their words are kept: whatever
	// the dialog holds escapes with its replies, and a whole buffer is 3.5 KB.
	var arr [maxTokens]token
	toks := tokenize(in.Text, arr[:0])
	d := &dialog{
		st:    st,
		in:    in,
		now:   in.Now.In(saoPaulo),
		r:     parse(in.Text, in.Now, toks),
		words: tokenWords(toks),
		greet: !st.Greeted,
	}
	d.out.State = State{Awaiting: st.Awaiting, Draft: st.Draft, Misses: st.Misses, Greeted: true}
	// Most turns send one or two replies, after the greeting on first contact (its slot is
	// kept first and filled at the end).
	if d.greet {
		d.out.Replies = make([]string, 1, 3)
	} else {
		d.out.Replies = make([]string, 0, 2)
	}
	d.run()
	if d.greet {
		d.out.Replies[0] = d.greeting()
	}
	return d.out
}

// tokenWords are the normalized words of toks, in a slice of their own.
func tokenWords(toks []token) []string {
	if len(toks) == 0 {
		return nil
	}
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.s
	}
	return out
}

// dialog holds one Respond call.
type dialog struct {
	st    State
	in    Input
	now   time.Time // in São Paulo
	r     result
	words []string // the message's normalized words (the tokens' strings)
	greet bool     // first contact: a greeting goes first
	out   Turn
}

func (d *dialog) say(s string) { d.out.Replies = append(d.out.Replies, s) }

// reset forgets any pending question; the client was understood.
func (d *dialog) reset() {
	d.out.State.Awaiting = ""
	d.out.State.Draft = nil
	d.out.State.Misses = 0
}

func (d *dialog) run() {
	switch d.st.Awaiting {
	case AwaitCompetence:
		if d.answerCompetence() {
			return
		}
	case AwaitCompany:
		if d.answerCompany() {
			return
		}
	case AwaitGuias, AwaitPessoal, AwaitContabil:
		if d.answerSubmenu(d.st.Awaiting) {
			return
		}
	case AwaitDepartment:
		if d.answerDepartment() {
			return
		}
	}
	if d.r.number >= 0 {
		d.menuChoice(d.r.number)
		return
	}
	d.handle(d.r.Intent, d.r.Competence, d.r.Person)
}

func (d *dialog) handle(intent Intent, comp, person string) {
	if intent.IsDocument() {
		d.request(Request{Intent: intent, Competence: comp, Person: person})
		return
	}
	switch intent {
	case Atendente:
		d.askPerson()
	case Saudacao:
		d.reset()
		if !d.greet {
			d.say(greetAgain(firstName(d.in.ContactName)))
		}
		d.say(d.menu())
	case Menu:
		d.reset()
		d.say(d.menu())
	case StatusPedido:
		d.reset()
		var open []string
		if d.in.OpenRequests != nil {
			open = d.in.OpenRequests()
		}
		d.say(msgStatus(open))
	case Agradecimento:
		d.reset()
		d.say(msgThanks)
	default:
		if d.r.ack { // "ok", "blz", 👍: not a request, not a miss either
			d.reset()
			d.say(msgThanks)
			return
		}
		if d.r.category {
			d.submenu(AwaitGuias)
			return
		}
		d.miss("")
	}
}

func greetAgain(name string) string {
	if name == "" {
		return "Olá! 👋 " + msgHowCanIHelp
	}
	return "Olá, " + name + "! 👋 " + msgHowCanIHelp
}

// miss counts a message not understood; the third in a row hands over.
// again, when set, repeats the pending question instead of the menu.
func (d *dialog) miss(again string) {
	m := d.st.Misses + 1
	if m >= 3 {
		d.handover(leadMisses, nil, "")
		return
	}
	d.out.State.Misses = m
	switch {
	case again != "":
		d.say(again)
	case d.greet:
		d.say(d.menu())
	default:
		d.out.State.Awaiting, d.out.State.Draft = "", nil
		d.say(msgNotUnderstood + "\n" + d.menu())
	}
}

// handover passes the conversation to the staff, to a department when dept is set: the lead
// of the path, the office's hand-over text and, when the office is closed, when it opens. req
// is the request the client made, if any, for the texts' variables.
func (d *dialog) handover(lead string, req *Request, dept string) {
	var msg string
	if d.in.Settings.Open {
		msg = lead + d.handoverText(req)
	} else {
		msg = lead + d.handoverText(req) + "\n" + d.closedText(req)
	}
	d.reset()
	d.out.Handover = true
	d.out.Department = dept
	d.say(msg)
}

func (d *dialog) menuChoice(n int) {
	switch n {
	case 0:
		d.handle(Menu, "", "")
	case 1:
		d.handle(Holerite, "", "")
	case 2:
		d.submenu(AwaitGuias)
	case 3:
		d.handle(InformeRendimentos, "", "")
	case 4:
		d.submenu(AwaitPessoal)
	case 5:
		d.submenu(AwaitContabil)
	case 6:
		d.handle(StatusPedido, "", "")
	case 7:
		d.handle(Atendente, "", "")
	default:
		d.miss("")
	}
}

func (d *dialog) submenu(kind string) {
	d.reset()
	d.out.State.Awaiting = kind
	d.say(msgSubmenu(kind))
}

func (d *dialog) answerSubmenu(kind string) bool {
	n := d.r.number
	if n < 0 {
		return false
	}
	opts := submenus[kind].options
	if n < 1 || n > len(opts) {
		d.miss(msgPickFromList + "\n" + msgSubmenu(kind))
		return true
	}
	d.handle(opts[n-1], "", "")
	return true
}

// request moves a document request on: staff-only, then competence, then
// company, then done. A company the message names is kept in the draft while
// the competence is asked, so that the answer completes the request.
func (d *dialog) request(req Request) {
	if d.in.Settings.Disabled[req.Intent] {
		d.handover(leadDisabled(req.Intent), &req, d.impliedDepartment(req.Intent))
		return
	}
	d.reset()
	companies := d.in.Companies
	if req.CompanyID != "" && companyIndex(companies, req.CompanyID) < 0 {
		req.CompanyID = "" // a draft's company the contact no longer speaks for
	}
	if req.CompanyID == "" && len(companies) > 1 {
		if i := matchCompany(d.words, companies, false); i >= 0 {
			req.CompanyID = companies[i].ID
		}
	}
	if req.Intent.Period() != "" && req.Competence == "" {
		d.out.State.Awaiting = AwaitCompetence
		d.out.State.Draft = &req
		d.say(d.askCompetence(req.Intent))
		return
	}
	if req.CompanyID == "" {
		switch len(companies) {
		case 0:
		case 1:
			req.CompanyID = companies[0].ID
		default:
			d.out.State.Awaiting = AwaitCompany
			d.out.State.Draft = &req
			d.say(msgAskCompany(companies))
			return
		}
	}
	company := ""
	if i := companyIndex(companies, req.CompanyID); i >= 0 {
		company = companies[i].Name
		if req.Person != "" && matchCompany(tokenWords(tokenize(req.Person, make([]token, 0, 8))), companies[i:i+1], false) == 0 {
			req.Person = "" // "holerite da padaria": the company, not an employee
		}
	}
	d.out.Request = &req
	d.say(msgRequested(req, company))
}

// companyIndex is the index of the company with the id in companies, or -1.
func companyIndex(companies []Company, id string) int {
	for i, c := range companies {
		if c.ID == id {
			return i
		}
	}
	return -1
}

func (d *dialog) askCompetence(i Intent) string {
	if i.Period() == "year" {
		return msgAskCompetence(i, 0, d.now.Year()-1)
	}
	prev := time.Date(d.now.Year(), d.now.Month()-1, 1, 12, 0, 0, 0, time.UTC)
	return msgAskCompetence(i, int(prev.Month()), prev.Year())
}

func (d *dialog) answerCompetence() bool {
	if d.st.Draft == nil {
		return false
	}
	dr := *d.st.Draft
	r := d.r
	if r.Intent.IsDocument() && r.Intent != dr.Intent {
		return false // a new request
	}
	if !r.Intent.IsDocument() && (r.Intent != Desconhecido || r.ack) && r.year == 0 {
		return false // thanks, menu, a person...
	}
	c := competence(dr.Intent, r.year, r.month)
	if c == "" && r.number >= 1 && r.number <= 12 && dr.Intent.Period() == "month" {
		y := d.now.Year()
		if r.number > int(d.now.Month()) {
			y--
		}
		c = competence(dr.Intent, y, r.number)
	}
	if c != "" {
		dr.Competence = c
		if dr.Person == "" {
			dr.Person = r.Person
		}
		d.request(dr)
		return true
	}
	if r.Intent == dr.Intent {
		d.request(dr) // asked again without a period: ask again
		return true
	}
	d.miss(msgCompetenceAgain + " " + d.askCompetence(dr.Intent))
	return true
}

func (d *dialog) answerCompany() bool {
	if d.st.Draft == nil || len(d.in.Companies) == 0 {
		return false
	}
	dr := *d.st.Draft
	companies := d.in.Companies
	i := -1
	if n := d.r.number; n >= 1 && n <= len(companies) {
		i = n - 1
	} else if d.r.number < 0 {
		i = matchCompany(d.words, companies, true)
	}
	if i >= 0 {
		dr.CompanyID = companies[i].ID
		d.request(dr)
		return true
	}
	if d.r.number < 0 && (d.r.Intent != Desconhecido || d.r.ack) {
		return false // a new request or question
	}
	d.miss(msgCompanyAgain + " " + msgAskCompany(companies))
	return true
}

// companyStop are words too common in company names to identify one.
var companyStop = map[string]bool{"ltda": true, "eireli": true, "epp": true, "me": true, "sa": true,
	"cia": true, "comercio": true, "servicos": true, "servico": true, "industria": true, "empresa": true,
	"de": true, "da": true, "do": true, "dos": true, "das": true, "e": true, "mei": true, "the": true}

// ordinals answer "a segunda" to a numbered list.
var ordinals = map[string]int{"primeira": 1, "segunda": 2, "terceira": 3, "quarta": 4, "quinta": 5,
	"sexta": 6, "1a": 1, "2a": 2, "3a": 3, "4a": 4, "5a": 5, "6a": 6}

// matchCompany finds the one company the words name, or -1 (none, or more
// than one): a word of its name or its CNPJ. Loose (an answer to "which
// company?") also takes part of a name ("acme" for "ACME Ltda") and ordinals
// ("a segunda").
func matchCompany(said []string, companies []Company, loose bool) int {
	if loose {
		for _, w := range said {
			if n, ok := ordinals[w]; ok && n <= len(companies) {
				return n - 1
			}
		}
	}
	var words []string
	for _, w := range said {
		if !loose {
			if _, ok := lexIndex[w]; ok {
				continue
			}
			if _, ok := months[w]; ok {
				continue
			}
		}
		words = append(words, w)
	}
	joined := strings.Join(words, " ")
	found := -1
	for i, c := range companies {
		var arr [maxTokens]token
		name := tokenize(c.Name, arr[:0])
		hit := false
		for _, w := range words {
			if sameCNPJ(w, c.CNPJ) {
				hit = true
			}
		}
		for _, nt := range name {
			if len(nt.s) < 3 || companyStop[nt.s] {
				continue
			}
			for _, w := range words {
				if w == nt.s {
					hit = true
				}
			}
		}
		if !hit && loose && len(joined) >= 3 {
			var full strings.Builder
			for k, nt := range name {
				if k > 0 {
					full.WriteByte(' ')
				}
				full.WriteString(nt.s)
			}
			hit = strings.Contains(full.String(), joined)
		}
		if hit {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// sameCNPJ reports whether the word w is the CNPJ cnpj, either written with or without its
// punctuation ("44.555.666/0001-99", "44555666000199").
func sameCNPJ(w, cnpj string) bool {
	if w == "" || !isDigit(w[0]) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if !isDigit(w[k]) && w[k] != '.' && w[k] != '/' && w[k] != '-' {
			return false
		}
	}
	n, i, j := 0, 0, 0
	for {
		for i < len(w) && !isDigit(w[i]) {
			i++
		}
		for j < len(cnpj) && !isDigit(cnpj[j]) {
			j++
		}
		if i == len(w) || j == len(cnpj) {
			return i == len(w) && j == len(cnpj) && n == 14
		}
		if w[i] != cnpj[j] {
			return false
		}
		i, j, n = i+1, j+1, n+1
	}
}

// firstName is the contact's first name, Title-cased, without emojis.
func firstName(contact string) string {
	for f := range strings.FieldsSeq(contact) {
		if titled(f) {
			return f // already as it would be written: no copy
		}
		var b strings.Builder
		for _, r := range f {
			if unicode.IsLetter(r) || (b.Len() > 0 && (r == '-' || r == '\'')) {
				if b.Len() == 0 {
					r = unicode.ToUpper(r)
				} else {
					r = unicode.ToLower(r)
				}
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			return b.String()
		}
	}
	return ""
}

// titled reports whether firstName would write the word f unchanged: a letter in upper case,
// then letters in lower case, '-' and '\”.
func titled(f string) bool {
	for i, r := range f {
		switch {
		case i == 0:
			if !unicode.IsLetter(r) || unicode.ToUpper(r) != r {
				return false
			}
		case r == '-' || r == '\'':
		case !unicode.IsLetter(r) || unicode.ToLower(r) != r:
			return false
		}
	}
	return f != ""
}
