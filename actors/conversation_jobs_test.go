package actors

import (
	"testing"

	"github.com/balcao/balcao"
)

// TestJobWhat: the notice of a request that waits for the office names it in plain Portuguese,
// without the state the status list adds nor parentheses inside its own.
func TestJobWhat(t *testing.T) {
	for _, tc := range []struct {
		name string
		job  balcao.Job
		want string
	}{
		{"month", balcao.Job{Intent: "holerite", Competence: "2026-11"}, "holerite de 11/2026"},
		{"person and month", balcao.Job{Intent: "holerite", Person: "Maria Silva", Competence: "2026-11"}, "holerite de Maria Silva, 11/2026"},
		{"person", balcao.Job{Intent: "rescisao", Person: "João Souza"}, "termo de rescisão de João Souza"},
		{"year", balcao.Job{Intent: "informe_rendimentos", Competence: "2025"}, "informe de rendimentos de 2025"},
		{"none", balcao.Job{Intent: "certidao_negativa", State: balcao.JobPending}, "certidão negativa de débitos"},
	} {
		if got := jobWhat(tc.job); got != tc.want {
			t.Errorf("%s: jobWhat(%+v) = %q, want %q", tc.name, tc.job, got, tc.want)
		}
	}
}
