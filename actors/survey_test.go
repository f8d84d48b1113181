package actors

import "testing"

func TestParseRating(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"5", 5}, {"nota 4", 4}, {"4 estrelas", 4}, {"Ótimo!", 5}, {"muito bom", 5}, {"bom", 4},
		{"regular", 3}, {"ruim", 2}, {"muito ruim", 1}, {"péssimo", 1}, {"ótimo atendimento, obrigado", 5},
		{"bom dia", 0}, {"holerite 5", 0}, {"6", 0}, {"3 ou 4", 0}, {"", 0}, {"oi", 0},
		{"me manda a guia do das de outubro por favor", 0},
	}
	for _, tc := range cases {
		if got := ParseRating(tc.in); got != tc.want {
			t.Errorf("ParseRating(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
