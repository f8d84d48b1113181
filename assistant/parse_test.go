package assistant

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// spDate is noon on a day in São Paulo.
func spDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, saoPaulo)
}

var ref = spDate(2026, 11, 25)

func TestParseCompetence(t *testing.T) {
	tests := []struct {
		name string
		text string
		now  time.Time
		want string
	}{
		{"month this year", "holerite de outubro", ref, "2026-10"},
		{"current month", "holerite de novembro", ref, "2026-11"},
		{"future month is last year", "holerite de dezembro", ref, "2025-12"},
		{"year boundary", "holerite de dezembro", spDate(2026, 1, 10), "2025-12"},
		{"january in january", "holerite de janeiro", spDate(2026, 1, 10), "2026-01"},
		{"mes passado in january", "holerite do mês passado", spDate(2026, 1, 10), "2025-12"},
		{"mes retrasado in february", "das do mes retrasado", spDate(2026, 2, 3), "2025-12"},
		{"mes passado no accent", "das mes passado", ref, "2026-10"},
		{"este mes", "fgts deste mês", ref, "2026-11"},
		{"mes atual", "inss do mês atual", ref, "2026-11"},
		{"abbreviation", "holerite set", ref, "2026-09"},
		{"abbreviation with year", "holerite out/2026", ref, "2026-10"},
		{"abbreviation two-digit year", "das out/25", ref, "2025-10"},
		{"mm/yyyy", "holerite 10/2026", ref, "2026-10"},
		{"mm/yy", "holerite 10/26", ref, "2026-10"},
		{"yyyy-mm", "holerite 2026-08", ref, "2026-08"},
		{"dd/mm/yyyy", "holerite de 25/10/2026", ref, "2026-10"},
		{"month de year", "holerite de outubro de 2025", ref, "2025-10"},
		{"month do ano passado", "holerite de março do ano passado", ref, "2025-03"},
		{"mes N", "holerite do mes 9", ref, "2026-09"},
		{"yearly document keeps the year", "informe de rendimentos 2025", ref, "2025"},
		{"yearly ano passado", "informe de rendimentos do ano passado", ref, "2025"},
		{"yearly from a month", "dre de outubro", ref, "2026"},
		{"monthly with only a year", "das de 2025", ref, ""},
		{"no period document", "rescisão de outubro", ref, ""},
		{"dialog intent keeps the date", "outubro", ref, "2026-10"},
		{"month typo", "holerite de otubro", ref, "2026-10"},
		{"ALL CAPS", "HOLERITE DE SETEMBRO", ref, "2026-09"},
		{"utc instant converted to São Paulo", "holerite do mês passado", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), "2026-10"},
		{"named month not yet begun in São Paulo", "holerite de dezembro", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), "2025-12"},
		{"ano passado on New Year's Eve in São Paulo", "informe do ano passado", time.Date(2027, 1, 1, 2, 0, 0, 0, time.UTC), "2025"},
		{"no date", "holerite", ref, ""},
		{"13 is not a month", "13 salario", ref, ""},
		{"last 12 months", "faturamento dos ultimos 12 meses", ref, ""},
		{"N meses atras", "fgts de 2 meses atrás", ref, "2026-09"},
		{"dois meses atras", "holerite de dois meses atras", ref, "2026-09"},
		{"ha N meses", "das de há 3 meses", ref, "2026-08"},
		{"N anos atras", "informe de 2 anos atrás", ref, "2024"},
		{"meses without atras", "holerite 2 meses", ref, ""},
		{"mes que passou", "holerite do mês que passou", ref, "2026-10"},
		{"exercicio passado", "DRE do exercício passado", ref, "2025"},
		{"bare number after document", "holerite 09 pfv", ref, "2026-09"},
		{"bare number after document and de", "fgts do 9", ref, "2026-09"},
		{"count after document", "holerite de 3 funcionarios", ref, ""},
		{"segunda via", "das 2 via", ref, ""},
		{"bare number for a yearly document", "decimo 3 salario", ref, ""},
		{"cnpj is not a date", "das do cnpj 23.456.789/0001-10 de outubro", ref, "2026-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.text, tt.now).Competence; got != tt.want {
				t.Errorf("Parse(%q) competence = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseIntent(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Intent
	}{
		{"plain", "holerite de outubro", Holerite},
		{"typo", "hollerite", Holerite},
		{"contra cheque", "contra cheque de julho", Holerite},
		{"contracheque", "contracheque de agosto", Holerite},
		{"recibo de pagamento", "recibo de pagamento do mes passado", Holerite},
		{"vcs and pfv", "vcs mandam o fgts pfv?", FGTS},
		{"laugh before a request", "kkk manda o das", DAS},
		{"guia do simples", "guia do simples", DAS},
		{"boleto do simples", "boleto do simples", DAS},
		{"das preposition", "recibo das ferias do lucas", Ferias},
		{"fundo de garantia", "fundo de garantia mes passado", FGTS},
		{"previdencia", "guia da previdência", INSS},
		{"certidao beats fgts", "certidão negativa do fgts", CertidaoNegativa},
		{"holerite of ferias", "holerite de férias da ana", Ferias},
		{"greeting and document", "oi bom dia, me manda o holerite pfv, obrigado", Holerite},
		{"asks for a person", "quero falar com alguém sobre o holerite", Atendente},
		{"question for a person", "como faço pra demitir um funcionário?", Atendente},
		{"chasing", "e o meu holerite?", StatusPedido},
		{"chasing ready", "já ficou pronto?", StatusPedido},
		{"chasing but asking again", "meu holerite não veio, manda pfv", Holerite},
		{"thanks", "valeu 🙏", Agradecimento},
		{"greeting", "oiii tudo bem?", Saudacao},
		{"menu", "menu", Menu},
		{"laughs", "kkkkk", Desconhecido},
		{"empty", "", Desconhecido},
		{"only emojis", "😂😂🚗", Desconhecido},
		{"invalid utf-8", "\xff\xfe\xfd", Desconhecido},
		{"other script", "你好世界", Desconhecido},
		{"fuzzy keyword", "prolabori de outubro", ProLabore},
		{"fuzzy word in a phrase", "pro labori do fernando", ProLabore},
		{"fuzzy word in a phrase 2", "fundo de garamtia de outubro", FGTS},
		{"dotted acronym", "D.R.E. 2025", DRE},
		{"dotted acronym caps", "guia do F.G.T.S.", FGTS},
		{"abbreviation dot is not an acronym", "Att. Sr. Antonio", Desconhecido},
		{"ok is an acknowledgement", "ok", Desconhecido},
		{"thumbs up", "👍", Desconhecido},
		{"ok and thanks", "ok obrigado", Agradecimento},
		{"thanks for a document, asks another", "obrigado pelo balancete, agora preciso da DRE", DRE},
		{"thanks for a document", "valeu pelo holerite", Agradecimento},
		{"guia of a tax wins over another document", "me manda a guia do FGTS da rescisão do Jorge", FGTS},
		{"contador as salutation", "Prezado contador, segue solicitação: guia do ISS 10/2026. Att.", ISS},
		{"contador without a document", "preciso falar com o contador", Atendente},
		{"contador only", "cadê o contador, quero o contador", Atendente},
		{"transfer to a person", "me passa pra Fernanda", Atendente},
		{"passa pra mim is a request", "passa pra mim o holerite de outubro", Holerite},
		{"complaint about a value", "o das de setembro ta com valor muito alto", Atendente},
		{"service only a person does", "quero mudar de regime tributario", Atendente},
		{"parcelamento guide", "o darf do parcelamento de outubro", DARF},
		{"parcelamento question", "quero parcelar minhas dividas", Atendente},
		{"state tax words", "imposto do estado de setembro", ICMS},
		{"city tax words", "imposto da prefeitura do mes passado", ISS},
		{"federal tax words", "guia da receita federal", DARF},
		{"certidao beats receita", "a certidão da receita federal", CertidaoNegativa},
		{"mei guide", "me manda a guia do mei", DAS},
		{"negativa", "me tira uma negativa da receita", CertidaoNegativa},
		{"acerto", "o acerto da Juliana que saiu", Rescisao},
		{"retirada do socio", "recibo de retirada do socio", ProLabore},
		{"chasing a guide", "e a guia de outubro?", StatusPedido},
		{"asks again after chasing", "o das nao chegou, reenvia pf", DAS},
		{"menu question", "o que da pra pedir aqui?", Menu},
		{"menu with posso", "o que posso fazer por aqui?", Menu},
		{"pedido introduces a request", "segue pedido: guia DAS competência 10/2026", DAS},
		{"pedido as a heading", "pedido: holerite de outubro", Holerite},
		{"making a pedido", "faço o pedido da guia do FGTS do mês passado", FGTS},
		{"novo pedido", "novo pedido - DAS 09/2026", DAS},
		{"pedido alone is status", "e o pedido?", StatusPedido},
		{"my pedido of a document is status", "como está meu pedido do DAS?", StatusPedido},
		{"my pedido of a document saiu", "meu pedido do holerite saiu?", StatusPedido},
		{"pedido of a document, já saiu", "e o pedido da guia do DAS, já saiu?", StatusPedido},
		{"status of a pedido of a document", "status do pedido do holerite", StatusPedido},
		{"question about a pedido of a document", "como está o pedido do DAS?", StatusPedido},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.text, ref).Intent; got != tt.want {
				t.Errorf("Parse(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestParsePerson(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"do", "holerite do João", "João"},
		{"da", "recibo de férias da Maria", "Maria"},
		{"full name lower case", "holerite da maria silva", "Maria Silva"},
		{"name then month", "holerite do joão de outubro", "João"},
		{"connector inside", "rescisão da ana da silva", "Ana da Silva"},
		{"title", "contra cheque da funcionária Bruna de julho", "Bruna"},
		{"after the date", "holerite do mês passado do Ricardo pfv", "Ricardo"},
		{"caps", "FERIAS DA JULIA", "Julia"},
		{"no name", "holerite do mês passado", ""},
		{"own", "holerite dos meus funcionários", ""},
		{"not for company documents", "das da padaria", ""},
		{"partner", "pro labore do sócio joão", "João"},
		{"preposition after", "holerite do joão em outubro", "João"},
		{"em before the month", "férias da ana em janeiro", "Ana"},
		{"weekday after", "holerite da maria na segunda", "Maria"},
		{"até and a weekday after", "holerite do carlos até sexta", "Carlos"},
		{"connector then a surname", "holerite da Maria da Silva", "Maria da Silva"},
		{"dos inside, de before the month", "holerite do João dos Santos de outubro", "João dos Santos"},
		{"two names then em", "holerite da ana paula em janeiro", "Ana Paula"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.text, ref).Person; got != tt.want {
				t.Errorf("Parse(%q) person = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseLongInput(t *testing.T) {
	long := make([]byte, 100_000)
	for i := range long {
		long[i] = "holerite de outubro "[i%20]
	}
	p := Parse(string(long), ref)
	if p.Intent != Holerite || p.Competence != "2026-10" {
		t.Errorf("Parse(100 kB) = %+v, want holerite 2026-10", p)
	}
}

func TestIntentMethods(t *testing.T) {
	for i, info := range intents {
		if i.Label() == "" {
			t.Errorf("%v.Label() is empty", i)
		}
		switch p := i.Period(); p {
		case "", "month", "year":
		default:
			t.Errorf("%v.Period() = %q", i, p)
		}
		if i.IsDocument() != info.doc {
			t.Errorf("%v.IsDocument() = %v", i, i.IsDocument())
		}
		if !i.IsDocument() && i.Period() != "" {
			t.Errorf("%v is not a document but has period %q", i, i.Period())
		}
	}
	if n := len(intents); n != 27 {
		t.Errorf("%d intents, want 27", n)
	}
}

// BenchmarkParse measures typical messages (p50 and p99 per call are
// reported; the bar is a median under 20 µs) and a 100 kB paste.
func BenchmarkParse(b *testing.B) {
	msgs := []string{
		"oi bom dia! me manda o holerite de outubro pfv, obrigado",
		"guia do das do mes passado",
		"e o meu holerite?",
		"kkkkk",
		"recibo de ferias da maria silva de dezembro",
		"quero falar com um atendente",
		"prolabori de outubro",
		"BOA TARDE PRECISO DO DAS DE SETEMBRO",
	}
	b.Run("messages", func(b *testing.B) { benchParse(b, msgs) })
	b.Run("size=100kB", func(b *testing.B) {
		long := strings.Repeat("preciso do holerite de outubro da maria ", 2500)
		b.ReportAllocs()
		for b.Loop() {
			Parse(long, ref)
		}
	})
}

// benchParse parses msgs in turn and reports the median and p99 time of one Parse.
func benchParse(b *testing.B, msgs []string) {
	b.ReportAllocs()
	lat := make([]time.Duration, 0, 1<<20)
	i := 0
	for b.Loop() {
		start := time.Now()
		Parse(msgs[i%len(msgs)], ref)
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	}
}
