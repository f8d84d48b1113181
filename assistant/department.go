package assistant

import "strings"

// Distribution: a client who asks for a person picks the department (Settings.Departments)
// from a numbered list, by number or by name; a document the office keeps for its staff goes
// to the department that produces it.

// askPerson answers a client who asks for a person. With distribution, a message that names
// one department ("quero falar com o fiscal") hands over to it at once; otherwise the client
// is asked which one. Without distribution (or with fewer than two departments) it hands over.
func (d *dialog) askPerson() {
	deps := d.in.Settings.Departments
	if !d.in.Settings.Distribution || len(deps) < 2 {
		d.handover(leadHandover, nil, "")
		return
	}
	if i := matchDepartment(d.words, deps, false); i >= 0 {
		d.handover(leadHandover, nil, deps[i].ID)
		return
	}
	d.reset()
	d.out.State.Awaiting = AwaitDepartment
	d.say(msgDepartments(deps))
}

// answerDepartment takes the answer to "Com qual setor você quer falar?": a number from the
// list or a department's name (a prefix is enough). A new request or question is handled
// afresh; anything else repeats the list and counts as a miss.
func (d *dialog) answerDepartment() bool {
	deps := d.in.Settings.Departments
	if len(deps) == 0 {
		return false
	}
	r := d.r
	if n := r.number; n >= 0 {
		if n < 1 || n > len(deps) {
			d.miss(msgPickFromList + "\n" + msgDepartments(deps))
			return true
		}
		d.handover(leadHandover, nil, deps[n-1].ID)
		return true
	}
	if r.Intent.IsDocument() {
		return false // a new request
	}
	if i := matchDepartment(d.words, deps, true); i >= 0 {
		d.handover(leadHandover, nil, deps[i].ID)
		return true
	}
	if (r.Intent != Desconhecido && r.Intent != Atendente) || r.ack {
		return false // thanks, menu, a status question...
	}
	d.miss(msgDepartmentAgain + " " + msgDepartments(deps))
	return true
}

// departmentStop are words of an answer that name no department, even as a prefix.
var departmentStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range normalizeWords("setor departamento depto dep área equipe time pessoa alguém " +
		"com para pra por pelo pela dos das sobre quero queria falar fala favor the") {
		m[w] = true
	}
	return m
}()

// matchDepartment finds the one department the words name, or -1 (none, or more than one). A
// word of three letters or more names a department when it is a word of its name or its id,
// accents and case aside; loose (an answer to the list) also takes the start of one ("fisc").
func matchDepartment(said []string, deps []Department, loose bool) int {
	found := -1
	for i, dep := range deps {
		var arr [16]token
		words := tokenize(dep.Name+" "+dep.ID, arr[:0])
		hit := false
		for _, t := range said {
			if len(t) < 3 || departmentStop[t] {
				continue
			}
			for _, w := range words {
				if w.s == t || (loose && strings.HasPrefix(w.s, t)) {
					hit = true
				}
			}
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

// departmentOf is the department that produces each document, by the ids of
// balcao.DefaultDepartments: payroll and labour documents are pessoal, tax guides and tax
// records fiscal, accounting statements contábil, the office's own fee bill financeiro.
var departmentOf = map[Intent]string{
	Holerite: "pessoal", Ferias: "pessoal", DecimoTerceiro: "pessoal", Rescisao: "pessoal",
	RelacaoEmpregados: "pessoal", FolhaResumo: "pessoal", ProLabore: "pessoal", InformeRendimentos: "pessoal",

	DAS: "fiscal", FGTS: "fiscal", INSS: "fiscal", DARF: "fiscal", ICMS: "fiscal", ISS: "fiscal",
	CertidaoNegativa: "fiscal", ExtratoSimples: "fiscal", Faturamento: "fiscal",

	Balancete: "contabil", DRE: "contabil", Balanco: "contabil",

	BoletoHonorarios: "financeiro",
}

// impliedDepartment is the department a document the staff serves goes to, when the office
// has it; "" otherwise.
func (d *dialog) impliedDepartment(i Intent) string {
	id := departmentOf[i]
	for _, dep := range d.in.Settings.Departments {
		if id != "" && dep.ID == id {
			return id
		}
	}
	return ""
}
