package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// knownServices is the set the dashboard tests replay: n services over the first four days of
// the month of from (from is its first day, 09:00), three outcomes in turn, ana and bruno
// serving the staff ones alternately (as many each), twelve companies with as many services
// each, varied times and ratings.
func knownServices(from time.Time, n int) []balcao.Service {
	outcomes := []balcao.Outcome{balcao.OutcomeAssistant, balcao.OutcomeStaff, balcao.OutcomeIgnored}
	var out []balcao.Service
	for i := range n {
		start := from.AddDate(0, 0, i%4).Add(time.Duration(i) * time.Minute)
		s := balcao.Service{
			ID: fmt.Sprintf("55489%08d-1", i), Phone: fmt.Sprintf("55489%08d", i), ContactName: "Cliente",
			Company: fmt.Sprintf("empresa-%02d", i%12), CompanyName: fmt.Sprintf("Empresa %02d Ltda", i%12),
			Start: start, End: start.Add(time.Duration(i%10+1) * time.Minute), Outcome: outcomes[i%3],
			ReplyMicros: []int64{int64(i%50+1) * 137, int64(i%7+1) * 1_000},
		}
		if s.Outcome != balcao.OutcomeAssistant {
			s.Staff = []string{"ana", "bruno"}[(i/3)%2]
			s.Queued, s.Taken = start, start
		}
		if s.Outcome == balcao.OutcomeStaff {
			s.FirstResponse, s.StaffMessages, s.Rating = start.Add(time.Duration(i*7%300+1)*time.Second), 1, i%5+1
		}
		out = append(out, s)
	}
	return out
}

func storeServices(t *testing.T, db *storage.DB, list []balcao.Service) {
	t.Helper()
	b := &storage.Batch{}
	for _, s := range list {
		b.Put(storage.ServiceKey("demo", s.Start, s.ID), &s)
		b.Set(storage.ServiceIDKey("demo", s.ID), beNanos(s.Start))
	}
	if err := db.Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// percentiles summarizes values as one HdrHistogram of the dashboard's precision would.
func percentiles(highest int64, values []int64) balcao.Percentiles {
	h := hdrhistogram.New(1, highest, 2)
	for _, v := range values {
		if err := h.RecordValue(v); err != nil {
			panic(err)
		}
	}
	return balcao.Percentiles{Count: h.TotalCount(), Mean: h.Mean(), P50: h.ValueAtQuantile(50), P90: h.ValueAtQuantile(90), P99: h.ValueAtQuantile(99), Max: h.Max()}
}

// TestDashboardMonthFromStoredDays replays a known set of services over four days of a month
// two months ago (whose days' figures are stored) and some in the month before it: the counts,
// the previous month's, the services per day, the top staff and clients and the satisfaction
// are those of the set, and the month's percentiles, merged from the stored days, are exactly
// those of one histogram of all its times. The figures are the same on every request and
// across a restart, ties in the top lists included (they came in map order, so that the ten
// clients shown out of twelve tied ones changed from one request to the next).
func TestDashboardMonthFromStoredDays(t *testing.T) {
	data := t.TempDir()
	cfg := func(c *engine.Config) { c.DataDir = data }
	e := startEngine(t, cfg)
	loc := assistant.Location()
	now := time.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), 1, 9, 0, 0, 0, loc).AddDate(0, -2, 0)
	month := knownServices(first, 120)
	storeServices(t, e.DB(), month)
	previous := knownServices(first.AddDate(0, -1, 0), 7)
	for i := range previous {
		previous[i].ID, previous[i].Phone = "p"+previous[i].ID, "p"+previous[i].Phone
	}
	storeServices(t, e.DB(), previous)

	var reply, firsts, totals []int64
	staffFirst := map[string][]int64{}
	counts, prevCounts, perDay, ratings := map[balcao.Outcome]int{}, map[balcao.Outcome]int{}, map[string]int{}, map[int]int{}
	for _, s := range month {
		counts[s.Outcome]++
		perDay[s.Start.Format(time.DateOnly)]++
		reply = append(reply, s.ReplyMicros...)
		totals = append(totals, s.End.Sub(s.Start).Milliseconds())
		if d := s.FirstResponseTime(); d > 0 {
			firsts = append(firsts, d.Milliseconds())
			staffFirst[s.Staff] = append(staffFirst[s.Staff], d.Milliseconds())
		}
		if s.Rating > 0 {
			ratings[s.Rating]++
		}
	}
	for _, s := range previous {
		prevCounts[s.Outcome]++
	}
	const replyCap, month30 = 600_000_000, 30 * 86_400_000 // as the dashboard's histograms

	admin := newClient(t, e)
	admin.login("demo", "admin")
	path := "/api/dashboard?month=" + first.Format("2006-01")
	status, body := admin.do("GET", path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, status, body)
	}
	d := decode[balcao.Dashboard](t, body)
	if !mapsEqual(d.Services, counts) || !mapsEqual(d.Previous, prevCounts) {
		t.Errorf("services = %v, previous = %v; want %v and %v", d.Services, d.Previous, counts, prevCounts)
	}
	for _, tc := range []struct {
		name      string
		got, want balcao.Percentiles
	}{
		{"assistant reply", d.AssistantReply, percentiles(replyCap, reply)},
		{"first response", d.FirstResponse, percentiles(month30, firsts)},
		{"service time", d.ServiceTime, percentiles(month30, totals)},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %+v, want %+v (one histogram of all the month's times)", tc.name, tc.got, tc.want)
		}
	}
	days := first.AddDate(0, 1, -1).Day()
	if len(d.PerDay) != days {
		t.Fatalf("per day = %d days, want %d", len(d.PerDay), days)
	}
	for _, pd := range d.PerDay {
		if pd.Services != perDay[pd.Day] {
			t.Errorf("services on %s = %d, want %d", pd.Day, pd.Services, perDay[pd.Day])
		}
	}
	wantStaff := []balcao.StaffFigure{
		{Staff: "ana", Services: counts[balcao.OutcomeStaff] / 2, FirstResponseMs: percentiles(month30, staffFirst["ana"]).P50},
		{Staff: "bruno", Services: counts[balcao.OutcomeStaff] / 2, FirstResponseMs: percentiles(month30, staffFirst["bruno"]).P50},
	}
	if !slices.Equal(d.TopStaff, wantStaff) {
		t.Errorf("top staff = %+v, want %+v (tied: by name)", d.TopStaff, wantStaff)
	}
	var wantClients []balcao.NamedCount
	for i := range 10 {
		wantClients = append(wantClients, balcao.NamedCount{Name: fmt.Sprintf("Empresa %02d Ltda", i), Count: 10})
	}
	if !slices.Equal(d.TopClients, wantClients) {
		t.Errorf("top clients = %+v, want %+v (tied: by name)", d.TopClients, wantClients)
	}
	if !mapsEqual(d.Satisfaction, ratings) {
		t.Errorf("satisfaction = %v, want %v", d.Satisfaction, ratings)
	}

	for i := range 5 {
		if _, again := admin.do("GET", path, nil); string(again) != string(body) {
			t.Fatalf("request %d answered other figures:\n%s\n%s", i+2, body, again)
		}
	}
	stop(t, e)
	e = startEngine(t, cfg)
	admin = newClient(t, e)
	admin.login("demo", "admin")
	if _, again := admin.do("GET", path, nil); string(again) != string(body) {
		t.Fatalf("figures changed across a restart:\n%s\n%s", body, again)
	}
}

func mapsEqual[K comparable](a, b map[K]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestDashboardCountsDocumentsServed: a payslip request served this month counts its
// documents under its kind.
func TestDashboardCountsDocumentsServed(t *testing.T) {
	e := startEngine(t)
	c := newClient(t, e)
	c.login("demo", "admin")
	_, name := month(1)
	if status, body := c.inbound("demo", "5548999990001", "me manda o holerite de "+name+" pfv", ""); status != http.StatusAccepted {
		t.Fatalf("inbound: %d %s", status, body)
	}
	eventually(t, "the payslips on the phone", func() bool { return len(documentsOf(c.outbound("5548999990001"))) == 3 })
	var d balcao.Dashboard
	eventually(t, "the documents in the dashboard", func() bool {
		_, body := c.do("GET", "/api/dashboard", nil)
		d = decode[balcao.Dashboard](t, body)
		return d.Documents["holerite"] > 0
	})
	if len(d.Documents) != 1 || d.Documents["holerite"] != 3 {
		t.Errorf("documents = %v, want 3 holerites", d.Documents)
	}
	last, _ := month(1)
	_, body := c.do("GET", "/api/dashboard?month="+last, nil)
	if d := decode[balcao.Dashboard](t, body); len(d.Documents) != 0 {
		t.Errorf("last month's documents = %v, want none", d.Documents)
	}
}
