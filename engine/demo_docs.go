package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
)

// demoEmployees are the employees of each demo company, for payslips.
var demoEmployees = map[string][]string{
	"padaria-pao-quente": {"Maria Silva", "José Santos", "Ana Oliveira"},
	"auto-mecanica-sul":  {"Pedro Rocha", "Lucas Almeida"},
	"clinica-vida":       {"Juliana Martins", "Roberto Lima"},
	"tech-floripa":       {"Camila Ferreira", "Rafael Gomes", "Beatriz Souza"},
	"construtora-ilha":   {"Marcos Pereira"},
}

// writeDemoDocuments fills dir with the demo companies' documents for the past months, as an
// accounting system's export would: DIR/{cnpj}/{intent}/{competence}/*.pdf. The current month's
// payroll is left out on purpose, so that a request for it waits at the office. It writes only
// when dir has no documents yet.
func writeDemoDocuments(dir string, now time.Time) error {
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return nil
	}
	now = now.In(assistant.Location())
	thisMonth := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, now.Location())
	lastYear := fmt.Sprint(now.Year() - 1)
	for _, c := range demoCompanies {
		cnpj := balcao.CNPJCheckDigits(c.cnpjBase)
		company := c.name + " — CNPJ " + balcao.FormatCNPJ(cnpj)
		put := func(intent, comp, name, title string, lines ...string) error {
			p := filepath.Join(dir, cnpj, intent, comp, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			return os.WriteFile(p, pdfPage(title, append([]string{company, ""}, lines...)), 0o644)
		}
		for back := 1; back <= 6; back++ {
			m := thisMonth.AddDate(0, -back, 0)
			comp, label := m.Format("2006-01"), m.Format("01/2006")
			due := m.AddDate(0, 1, 19).Format("02/01/2006")
			for i, emp := range demoEmployees[c.id] {
				salary := 2400 + 850*i
				if err := put("holerite", comp, "holerite-"+slug(emp)+".pdf", "Recibo de Pagamento de Salário — "+label,
					"Funcionário: "+emp, fmt.Sprintf("Salário base: R$ %d,00", salary),
					fmt.Sprintf("INSS: R$ %d,%02d", salary*9/100, salary*9%100),
					fmt.Sprintf("Líquido a receber: R$ %d,00", salary*91/100)); err != nil {
					return err
				}
			}
			guides := []struct{ intent, title string }{
				{"das", "Documento de Arrecadação do Simples Nacional (DAS)"},
				{"fgts", "Guia do FGTS Digital"},
				{"inss", "DARF Previdenciário — DCTFWeb (INSS)"},
			}
			for _, g := range guides {
				if err := put(g.intent, comp, g.intent+"-"+comp+".pdf", g.title+" — "+label,
					"Competência: "+label, "Vencimento: "+due, "Valor: R$ 1.234,56"); err != nil {
					return err
				}
			}
			if err := put("folha_resumo", comp, "resumo-folha-"+comp+".pdf", "Resumo da Folha — "+label,
				fmt.Sprintf("Funcionários: %d", len(demoEmployees[c.id]))); err != nil {
				return err
			}
			if err := put("balancete", comp, "balancete-"+comp+".pdf", "Balancete de Verificação — "+label,
				"Ativo: R$ 250.000,00", "Passivo: R$ 180.000,00"); err != nil {
				return err
			}
		}
		for _, emp := range demoEmployees[c.id] {
			if err := put("informe_rendimentos", lastYear, "informe-"+slug(emp)+".pdf", "Informe de Rendimentos — ano-calendário "+lastYear,
				"Beneficiário: "+emp); err != nil {
				return err
			}
		}
		if err := put("dre", lastYear, "dre-"+lastYear+".pdf", "Demonstração do Resultado do Exercício — "+lastYear, "Lucro líquido: R$ 98.765,43"); err != nil {
			return err
		}
		if err := put("certidao_negativa", "atual", "certidao-negativa.pdf", "Certidão Negativa de Débitos", "Válida por 180 dias"); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
}

// slug writes a person's name as a file name part: "José Santos" → "jose-santos".
func slug(name string) string {
	r := strings.NewReplacer("á", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i", "ó", "o", "ô", "o", "õ", "o", "ú", "u", "ç", "c", " ", "-")
	return r.Replace(strings.ToLower(name))
}
