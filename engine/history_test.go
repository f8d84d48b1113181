package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// seedServices stores n services of the demo office: service i started i minutes after from,
// a staff first response of i seconds, outcome by i%3.
func seedServices(t testing.TB, db *storage.DB, from time.Time, n int) {
	t.Helper()
	outcomes := []balcao.Outcome{balcao.OutcomeAssistant, balcao.OutcomeStaff, balcao.OutcomeIgnored}
	for done := 0; done < n; {
		b := &storage.Batch{}
		for ; done < n && b.Len() < 4000; done++ {
			start := from.Add(time.Duration(done) * time.Minute)
			s := balcao.Service{
				ID: fmt.Sprintf("55489%08d-1", done), Phone: fmt.Sprintf("55489%08d", done), ContactName: "Cliente",
				Company: "padaria-pao-quente", CompanyName: "Padaria Pão Quente Ltda", Start: start,
				Queued: start, FirstResponse: start.Add(time.Duration(done%100+1) * time.Second),
				End: start.Add(5 * time.Minute), Outcome: outcomes[done%3], Staff: "ana", StaffMessages: 1,
				ReplyMicros: []int64{int64(done%50+1) * 100},
			}
			b.Put(storage.ServiceKey("demo", s.Start, s.ID), &s)
			b.Set(storage.ServiceIDKey("demo", s.ID), beNanos(s.Start))
		}
		if err := db.Writer.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func beNanos(t time.Time) []byte {
	n := uint64(t.UnixNano())
	return []byte{byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func TestDashboardFiguresSurviveRestart(t *testing.T) {
	data := t.TempDir()
	cfg := engine.Config{DataDir: data, Addr: "127.0.0.1:0", Demo: true, DemoPassword: demoPassword}
	e := startEngine(t, func(c *engine.Config) { *c = cfg })
	// 300 services across the first days of two months ago (stored days) and this month.
	loc := assistant.Location()
	now := time.Now().In(loc)
	old := time.Date(now.Year(), now.Month(), 1, 8, 0, 0, 0, loc).AddDate(0, -2, 0)
	seedServices(t, e.DB(), old, 300)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	month := old.Format("2006-01")
	_, body := admin.do("GET", "/api/dashboard?month="+month, nil)
	d := decode[balcao.Dashboard](t, body)
	if d.Services[balcao.OutcomeAssistant] != 100 || d.Services[balcao.OutcomeStaff] != 100 || d.Services[balcao.OutcomeIgnored] != 100 {
		t.Fatalf("services = %v, want 100 of each outcome", d.Services)
	}
	// First responses are 1..100 s, each three times: p50 ≈ 50 s, p99 ≈ 99 s (2 significant digits).
	if fr := d.FirstResponse; fr.Count != 300 || fr.P50 < 49_000 || fr.P50 > 51_000 || fr.P99 < 98_000 || fr.P99 > 101_000 {
		t.Fatalf("first response = %+v", fr)
	}
	if len(d.TopStaff) != 1 || d.TopStaff[0].Staff != "ana" || d.TopStaff[0].Services != 100 {
		t.Fatalf("top staff = %+v", d.TopStaff)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	e = startEngine(t, func(c *engine.Config) { *c = cfg })
	admin = newClient(t, e)
	admin.login("demo", "admin")
	_, again := admin.do("GET", "/api/dashboard?month="+month, nil)
	if string(again) != string(body) {
		t.Fatalf("figures changed across a restart:\n%s\n%s", body, again)
	}
}

func TestHistoryFiltersPagesAndPermissions(t *testing.T) {
	e := startEngine(t)
	loc := assistant.Location()
	day := time.Date(2026, 3, 10, 9, 0, 0, 0, loc)
	seedServices(t, e.DB(), day, 90)
	admin, ana := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	ana.login("demo", "ana")
	for _, path := range []string{"/api/history?from=2026-03-10&to=2026-03-10", "/api/history?from=2026-03-10&to=2026-03-10&format=csv", "/api/dashboard", "/api/history/5548900000001-1"} {
		if status, body := ana.do("GET", path, nil); status != http.StatusForbidden || strings.Contains(string(body), "5548900000001") {
			t.Errorf("attendant GET %s = %d, want 403 and no data", path, status)
		}
	}
	var ids []string
	cursor := ""
	for {
		_, body := admin.do("GET", "/api/history?from=2026-03-10&to=2026-03-10&status=atendente&limit=7&cursor="+cursor, nil)
		page := decode[struct {
			Services []balcao.Service `json:"services"`
			Next     string           `json:"next"`
		}](t, body)
		for _, s := range page.Services {
			if s.Outcome != balcao.OutcomeStaff {
				t.Fatalf("status filter let %s through", s.Outcome)
			}
			ids = append(ids, s.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(ids) != 30 || ids[0] != "5548900000088-1" {
		t.Fatalf("paged history = %d services starting %v, want 30 newest first", len(ids), ids[:min(1, len(ids))])
	}
	status, body := admin.do("GET", "/api/history?from=2026-03-10&to=2026-03-10&format=csv&contact=00000004", nil)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if status != 200 || len(lines) != 2 || !strings.Contains(lines[1], "5548900000004") {
		t.Fatalf("csv = %d %q", status, lines)
	}
	// The export is for a spreadsheet in Portuguese: a BOM (accents read as UTF-8), columns named
	// in Portuguese, separated by semicolons, days as dd/mm/aaaa and decimal commas.
	if want := "\ufeffCódigo;Início;Fim;Contato;Telefone;Empresa;Resultado;Atendente;Primeira resposta (s);Duração (s);Avaliação;Setor"; lines[0] != want {
		t.Errorf("csv header = %q, want %q", lines[0], want)
	}
	if row := strings.Split(lines[1], ";"); len(row) != 12 || !strings.HasPrefix(row[1], "10/03/2026 ") || !strings.HasPrefix(row[2], "10/03/2026 ") ||
		!strings.Contains(row[8], ",") || !strings.Contains(row[9], ",") {
		t.Errorf("csv row = %q, want São Paulo days as dd/mm/aaaa and times in seconds with a decimal comma", lines[1])
	}
	if status, _ := admin.do("GET", "/api/history?from=2026-13-01", nil); status != http.StatusBadRequest {
		t.Fatalf("bad date = %d, want 400", status)
	}
	if status, body := admin.do("GET", "/api/history/5548900000004-1", nil); status != 200 || !strings.Contains(string(body), `"service"`) {
		t.Fatalf("detail = %d %s", status, body)
	}
}

// TestHistoryRefusesDatesOutsideTheKeys: a day before 1970 or after 2262 has no service key
// (the start's UnixNano as an unsigned number), and history said nothing happened: dates
// outside 2000–2100, in the history, its export and the dashboards, are a 400.
func TestHistoryRefusesDatesOutsideTheKeys(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const carlos = "5548999990001"
	admin.inbound("demo", carlos, "quero falar com um atendente", "")
	eventually(t, "Carlos pending", func() bool {
		status, _ := admin.do("POST", "/api/conversations/"+carlos+"/start", nil)
		return status == http.StatusOK
	})
	if status, body := admin.do("POST", "/api/conversations/"+carlos+"/messages", map[string]string{"text": "Olá!"}); status != http.StatusCreated {
		t.Fatalf("send: %d %s", status, body)
	}
	if status, body := admin.do("POST", "/api/conversations/"+carlos+"/finish", nil); status != http.StatusOK {
		t.Fatalf("finish: %d %s", status, body)
	}
	services := func(query string) int {
		_, body := admin.do("GET", "/api/history?"+query, nil)
		return len(decode[struct {
			Services []balcao.Service `json:"services"`
		}](t, body).Services)
	}
	eventually(t, "the service in the history", func() bool { return services("") == 1 })
	if n := services("from=2000-01-01&to=2100-12-31"); n != 1 {
		t.Fatalf("history from 2000 to 2100 = %d services, want 1", n)
	}
	if status, body := admin.do("GET", "/api/dashboard?month=2000-01", nil); status != http.StatusOK {
		t.Fatalf("dashboard of 2000-01 = %d %s", status, body)
	}
	for _, tc := range []struct{ path, code string }{
		{"/api/history?from=1969-12-01", "invalid_filter"},
		{"/api/history?from=1999-12-31", "invalid_filter"},
		{"/api/history?from=2000-01-01&to=2300-01-01", "invalid_filter"},
		{"/api/history?to=2101-01-01", "invalid_filter"},
		{"/api/history?from=0001-01-01&to=9999-12-31", "invalid_filter"},
		{"/api/history?from=1900-01-01&format=csv", "invalid_filter"},
		{"/api/dashboard?month=1969-12", "invalid_month"},
		{"/api/dashboard?month=1970-01", "invalid_month"},
		{"/api/dashboard?month=0000-01", "invalid_month"},
		{"/api/dashboard?month=2263-01", "invalid_month"},
	} {
		status, body := admin.do("GET", tc.path, nil)
		if status != http.StatusBadRequest || decode[fieldErr](t, body).Error.Code != tc.code {
			t.Errorf("GET %s = %d %s, want 400 %s", tc.path, status, body, tc.code)
		}
	}
}

// TestServicesAreRecorded: a real service (pending, started, answered, finished) lands in the
// history with its times and outcome.
func TestServicesAreRecorded(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.inbound("demo", "5548999990001", "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	admin.serve("5548999990001", "Olá!")
	_, body := admin.do("GET", "/api/history", nil)
	list := decode[struct {
		Services []balcao.Service `json:"services"`
	}](t, body).Services
	if len(list) != 1 {
		t.Fatalf("history = %s", body)
	}
	s := list[0]
	if s.Outcome != balcao.OutcomeStaff || s.Staff != "admin" || s.Queued.IsZero() || s.FirstResponse.IsZero() || s.CompanyName == "" {
		t.Fatalf("service = %+v", s)
	}
	_, body = admin.do("GET", "/api/history/"+s.ID, nil)
	if !strings.Contains(string(body), "quero falar com um atendente") || !strings.Contains(string(body), "service_finished") {
		t.Fatalf("detail = %s", body)
	}
	_, body = admin.do("GET", "/api/dashboard", nil)
	d := decode[balcao.Dashboard](t, body)
	if d.Services[balcao.OutcomeStaff] != 1 || d.AssistantReply.Count != 1 || d.FirstResponse.Count != 1 {
		t.Fatalf("dashboard = %s", body)
	}
}

// BenchmarkHistoryExport100k exports 100 000 services as CSV and reports the peak heap in use
// during the export: it stays flat, whatever the number of rows.
func BenchmarkHistoryExport100k(b *testing.B) {
	e := startEngine(b)
	seedServices(b, e.DB(), time.Date(2026, 1, 1, 0, 0, 0, 0, assistant.Location()), 100_000)
	admin, err := e.DB().Staff("demo", "admin")
	if err != nil {
		b.Fatal(err)
	}
	f := balcao.HistoryFilter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	var rows countingWriter
	for b.Loop() {
		if err := e.HistoryCSV(context.Background(), "demo", admin, f, &rows, nil); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(rows.lines)/float64(b.N), "rows/op")
}

type countingWriter struct{ lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += strings.Count(string(p), "\n")
	return len(p), nil
}

// TestSatisfactionSurvey: when the office wants it, a client served by a person is asked for a
// score; the reply goes to the service's record and to the dashboard, and the client is thanked
// in the office's words.
func TestSatisfactionSurvey(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	thanks := map[string]string{balcao.MessageSurveyThanks: "Valeu pela nota, {cliente}! {atendente} agradece."}
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"survey": true, "messages": thanks}); status != 200 {
		t.Fatalf("settings: %d %s", status, body)
	}
	const phone = "5548999990003"
	if status, body := admin.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	admin.serve(phone, "Pronto, resolvido!")
	eventually(t, "the survey question on the phone", func() bool {
		msgs := admin.outbound(phone)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, "de 1 (péssimo) a 5 (ótimo)")
	})
	if status, body := admin.inbound("demo", phone, "ótimo!", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the thanks", func() bool {
		msgs := admin.outbound(phone)
		return msgs[len(msgs)-1].Text == "Valeu pela nota, João! Administrador agradece."
	})
	_, body := admin.do("GET", "/api/history", nil)
	list := decode[struct {
		Services []balcao.Service `json:"services"`
	}](t, body).Services
	if len(list) != 1 || list[0].Rating != 5 {
		t.Fatalf("history = %s, want one service rated 5 (the answer opens no new service)", body)
	}
	_, body = admin.do("GET", "/api/dashboard", nil)
	if d := decode[balcao.Dashboard](t, body); d.Satisfaction[5] != 1 {
		t.Fatalf("satisfaction = %v, want one 5", d.Satisfaction)
	}
	// A later "5" is no longer a score: the survey is answered.
	if status, body := admin.inbound("demo", phone, "5", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	_, body = admin.do("GET", "/api/history", nil)
	if strings.Count(string(body), `"rating":5`) != 1 {
		t.Fatalf("history after a second 5 = %s", body)
	}
}

// TestHistoryCSVNeutralizesFormulas: a contact whose name a spreadsheet would run as a formula
// is exported as text.
func TestHistoryCSVNeutralizesFormulas(t *testing.T) {
	e := startEngine(t)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone = "5547988887711"
	if status, body := admin.do("POST", "/api/contacts", map[string]any{"phone": phone, "name": `=HYPERLINK("http://x","y")`, "companies": []string{"padaria-pao-quente"}}); status != http.StatusCreated {
		t.Fatalf("add contact: %d %s", status, body)
	}
	admin.inbound("demo", phone, "quero falar com um atendente", "")
	eventually(t, "pending", func() bool {
		status, _ := admin.do("POST", "/api/conversations/"+phone+"/start", nil)
		return status == http.StatusOK
	})
	admin.do("POST", "/api/conversations/"+phone+"/messages", map[string]string{"text": "Olá!"})
	if status, body := admin.do("POST", "/api/conversations/"+phone+"/finish", nil); status != http.StatusOK {
		t.Fatalf("finish: %d %s", status, body)
	}
	_, body := admin.do("GET", "/api/history?format=csv", nil)
	if !strings.Contains(string(body), `;"'=HYPERLINK(""http://x"",""y"")";`) {
		t.Errorf("CSV = %s, want the name as text (leading apostrophe)", body)
	}
}

// TestDashboardCountsVeryLongServices: a service left open for 60 days, past the 30 days the
// time histograms hold, counts in the percentiles at the cap, as it counts in Services (it
// was left out of them).
func TestDashboardCountsVeryLongServices(t *testing.T) {
	e := startEngine(t)
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, assistant.Location())
	day := 24 * time.Hour
	b := &storage.Batch{}
	for i, s := range []balcao.Service{
		{Queued: start, FirstResponse: start.Add(time.Minute), End: start.Add(5 * time.Minute)},
		{Queued: start, FirstResponse: start.Add(60 * day), End: start.Add(60 * day)}, // nobody answered for 60 days
	} {
		s.ID, s.Phone, s.Start = fmt.Sprintf("554890000000%d-1", i), fmt.Sprintf("554890000000%d", i), start
		s.Outcome, s.Staff, s.StaffMessages = balcao.OutcomeStaff, "ana", 1
		b.Put(storage.ServiceKey("demo", s.Start, s.ID), &s)
		b.Set(storage.ServiceIDKey("demo", s.ID), beNanos(s.Start))
	}
	if err := e.DB().Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	admin := newClient(t, e)
	admin.login("demo", "admin")
	_, body := admin.do("GET", "/api/dashboard?month=2026-03", nil)
	d := decode[balcao.Dashboard](t, body)
	if d.Services[balcao.OutcomeStaff] != 2 || d.ServiceTime.Count != 2 || d.FirstResponse.Count != 2 {
		t.Fatalf("services = %v, service time = %+v, first response = %+v; want 2 of each", d.Services, d.ServiceTime, d.FirstResponse)
	}
	if cap := (30 * day).Milliseconds(); d.ServiceTime.Max < cap*99/100 || d.ServiceTime.Max > cap*101/100 {
		t.Errorf("service time max = %d ms, want the cap, %d ms (to 2 significant digits)", d.ServiceTime.Max, cap)
	}
}

// TestHistoryFiltersByCompanyAndStaff: a manager (gerente) pages through the history filtered
// by company and attendant and exports the same lists; every service that passes is there,
// newest first, and no other.
func TestHistoryFiltersByCompanyAndStaff(t *testing.T) {
	e := startEngine(t)
	all := knownServices(time.Date(2026, 3, 10, 9, 0, 0, 0, assistant.Location()), 120)
	storeServices(t, e.DB(), all)
	admin, gil := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("POST", "/api/staff", map[string]any{"user": "gil", "name": "Gil Gerente", "role": "gerente", "password": demoPassword}); status != http.StatusCreated {
		t.Fatalf("create manager = %d %s", status, body)
	}
	gil.login("demo", "gil")
	for _, tc := range []struct {
		name, query string
		want        func(s balcao.Service) bool
	}{
		{"company and staff", "company=empresa-01&staff=ana", func(s balcao.Service) bool { return s.Company == "empresa-01" && s.Staff == "ana" }},
		{"company and another staff", "company=empresa-01&staff=bruno", func(balcao.Service) bool { return false }},
		{"staff", "staff=bruno", func(s balcao.Service) bool { return s.Staff == "bruno" }},
		{"company", "company=empresa-05", func(s balcao.Service) bool { return s.Company == "empresa-05" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := []string{}
			for i := len(all) - 1; i >= 0; i-- { // newest first: later days, then later minutes
				if tc.want(all[i]) {
					want = append(want, all[i].ID)
				}
			}
			slices.SortStableFunc(want, func(a, b string) int {
				return all[serviceIndex(b)].Start.Compare(all[serviceIndex(a)].Start)
			})
			filter := "/api/history?from=2026-03-10&to=2026-03-13&" + tc.query
			got := []string{}
			cursor := ""
			for {
				status, body := gil.do("GET", filter+"&limit=3&cursor="+cursor, nil)
				if status != http.StatusOK {
					t.Fatalf("manager GET %s = %d %s", filter, status, body)
				}
				page := decode[struct {
					Services []balcao.Service `json:"services"`
					Next     string           `json:"next"`
				}](t, body)
				for _, s := range page.Services {
					got = append(got, s.ID)
				}
				if page.Next == "" {
					break
				}
				cursor = page.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("history %s = %v, want %v", tc.query, got, want)
			}
			status, body := gil.do("GET", filter+"&format=csv", nil)
			if status != http.StatusOK {
				t.Fatalf("manager export = %d %s", status, body)
			}
			exported := []string{}
			for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n")[1:] {
				exported = append(exported, strings.SplitN(line, ";", 2)[0])
			}
			if !slices.Equal(exported, want) {
				t.Errorf("export %s = %v, want %v", tc.query, exported, want)
			}
		})
	}
	for _, path := range []string{"/api/history/" + all[1].ID, "/api/dashboard?month=2026-03"} {
		if status, body := gil.do("GET", path, nil); status != http.StatusOK {
			t.Errorf("manager GET %s = %d %s, want 200", path, status, body)
		}
	}
}

// serviceIndex is i of knownServices' "55489%08d-1".
func serviceIndex(id string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(id, "55489"), "-1"))
	return n
}

// TestServiceFinishedUnansweredIsDesconsiderado: a staff member who takes a conversation and
// finishes it without a word to the client leaves a desconsiderado service, theirs, with no
// first response: counted apart in the dashboard, out of the staff's services and of the
// first-response times.
func TestServiceFinishedUnansweredIsDesconsiderado(t *testing.T) {
	e := startEngine(t)
	admin, bruno := newClient(t, e), newClient(t, e)
	admin.login("demo", "admin")
	bruno.login("demo", "bruno")
	const phone = "5548999990001"
	admin.inbound("demo", phone, "quero falar com um atendente", "")
	eventually(t, "bruno takes it", func() bool {
		status, _ := bruno.do("POST", "/api/conversations/"+phone+"/start", nil)
		return status == http.StatusOK
	})
	if status, body := bruno.do("POST", "/api/conversations/"+phone+"/finish", nil); status != http.StatusOK {
		t.Fatalf("finish: %d %s", status, body)
	}
	list := history(t, admin)
	if len(list) != 1 {
		t.Fatalf("history lists %d services, want 1", len(list))
	}
	if s := list[0]; s.Outcome != balcao.OutcomeIgnored || s.Staff != "bruno" || s.StaffMessages != 0 || !s.FirstResponse.IsZero() || s.Queued.IsZero() || s.End.IsZero() {
		t.Errorf("service = %+v, want desconsiderado by bruno, queued and ended, with no response", s)
	}
	_, body := admin.do("GET", "/api/history?format=csv&status=desconsiderado", nil)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], ";desconsiderado;Bruno Alves;;") {
		t.Errorf("CSV = %q, want the service desconsiderado by Bruno Alves (his name, not his login) with no first response", lines)
	}
	_, body = admin.do("GET", "/api/dashboard", nil)
	d := decode[balcao.Dashboard](t, body)
	if d.Services[balcao.OutcomeIgnored] != 1 || d.Services[balcao.OutcomeStaff] != 0 || d.FirstResponse.Count != 0 || len(d.TopStaff) != 0 {
		t.Errorf("dashboard = services %v, first response %+v, top staff %+v; want one desconsiderado and no staff figures", d.Services, d.FirstResponse, d.TopStaff)
	}
}

// TestSurveyAnswerExpires: a score sent more than 24 h after the survey question is not a
// score: the service stays unrated and the client is not thanked.
func TestSurveyAnswerExpires(t *testing.T) {
	clock := &fakeClock{}
	clock.set("2026-11-25 10:00") // a Wednesday morning, in office hours
	e := startEngine(t, func(c *engine.Config) { c.Now = clock.now })
	admin := newClient(t, e)
	admin.login("demo", "admin")
	if status, body := admin.do("PUT", "/api/settings", map[string]any{"survey": true}); status != http.StatusOK {
		t.Fatalf("settings: %d %s", status, body)
	}
	const phone = "5548999990003"
	if status, body := admin.inbound("demo", phone, "quero falar com um atendente", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	admin.serve(phone, "Pronto, resolvido!")
	admin.waitPhoneText(phone, balcao.DefaultMessage(balcao.MessageSurvey, ""))

	clock.set("2026-11-26 10:01") // a day and a minute later
	if status, body := admin.inbound("demo", phone, "5", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	_, body := admin.do("GET", "/api/conversations/"+phone+"/messages?limit=200", nil)
	for _, m := range decode[msgList](t, body).Messages {
		if m.Text == balcao.DefaultMessage(balcao.MessageSurveyThanks, "") {
			t.Errorf("the client was thanked for a score sent past the survey's 24 h")
		}
	}
	_, body = admin.do("GET", "/api/history?from=2026-11-01&to=2026-11-30", nil)
	list := decode[struct {
		Services []balcao.Service `json:"services"`
	}](t, body).Services
	if len(list) == 0 {
		t.Fatalf("history = %s, want the finished service", body)
	}
	for _, s := range list {
		if s.Rating != 0 {
			t.Errorf("history = %s, want no service rated by an answer past 24 h", body)
		}
	}
}
