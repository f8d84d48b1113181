package engine

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/balcao/balcao"
)

var validDepartmentID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,29}$`)

// validateTeams checks the departments and the carteira of new settings against the office's
// companies and staff, adding an error per field. e.teams.of(office) must be held.
func (e *Engine) validateTeams(office string, s *balcao.Settings, fields map[string]string) error {
	if s.Departments == nil { // not sent: the defaults
		s.Departments = balcao.DefaultDepartments()
	}
	if len(s.Departments) == 0 {
		fields["departments"] = "Mantenha pelo menos um setor."
	}
	if len(s.Departments) > 30 {
		fields["departments"] = "No máximo 30 setores."
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for i := range s.Departments {
		d := &s.Departments[i]
		d.Name = strings.TrimSpace(d.Name)
		key := fmt.Sprintf("departments.%d", i)
		switch {
		case !validDepartmentID.MatchString(d.ID):
			fields[key] = "Identificador de setor inválido: use letras minúsculas, números e hífen."
		case d.Name == "" || len(d.Name) > 40:
			fields[key] = "Informe o nome do setor (até 40 caracteres)."
		case ids[d.ID] || names[strings.ToLower(d.Name)]:
			fields[key] = "Setor repetido: " + d.Name + "."
		}
		ids[d.ID], names[strings.ToLower(d.Name)] = true, true
	}
	staff, err := e.db.StaffList(office)
	if err != nil {
		return err
	}
	for _, st := range staff {
		for _, d := range st.Departments {
			if !ids[d] && fields["departments"] == "" {
				fields["departments"] = "O setor " + d + " ainda é de " + st.Name + ": tire-o em Equipe antes de removê-lo."
			}
		}
	}
	if len(s.Portfolio) == 0 {
		return nil
	}
	companies, err := e.db.Companies(office)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range companies {
		known["company/"+c.ID] = true
	}
	for _, st := range staff {
		known["staff/"+st.User] = true
	}
	seen := map[[2]string]bool{}
	for i, p := range s.Portfolio {
		key := fmt.Sprintf("portfolio.%d", i)
		switch {
		case !known["company/"+p.Company]:
			fields[key] = "Empresa não encontrada."
		case !ids[p.Department]:
			fields[key] = "Setor não encontrado."
		case !known["staff/"+p.Staff]:
			fields[key] = "Pessoa da equipe não encontrada."
		case seen[[2]string{p.Company, p.Department}]:
			fields[key] = "Esta empresa já tem um responsável neste setor."
		}
		seen[[2]string{p.Company, p.Department}] = true
	}
	return nil
}
