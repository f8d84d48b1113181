package engine

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// Dashboards are built from the service records: each day's figures (counts and
// HdrHistograms of the response times) are computed from that day's services, and a day that
// is over (a week old) is stored, so that a month's percentiles come from merging its days,
// exact to the histograms' precision, and survive restarts. A service stored, or ending, more
// than six days after it started drops its day's stored figures, which are then computed again.
// Times past a histogram's range count at its cap (see record).

// dayMetrics are one day's figures, as stored.
type dayMetrics struct {
	Counts     map[balcao.Outcome]int `msgpack:"counts"`
	Assistant  []byte                 `msgpack:"assistant"` // HdrHistogram of assistant reply times, µs
	First      []byte                 `msgpack:"first"`     // staff first-response times, ms
	Total      []byte                 `msgpack:"total"`     // service times, ms
	Staff      map[string]int         `msgpack:"staff"`     // services served, by staff member
	StaffFirst map[string][]byte      `msgpack:"staff_first"`
	Companies  map[string]int         `msgpack:"companies"` // services, by company name
	Ratings    map[int]int            `msgpack:"ratings"`
}

func newReplyHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 600_000_000, 2) }   // µs, up to 10 min
func newTimeHist() *hdrhistogram.Histogram  { return hdrhistogram.New(1, 30*86_400_000, 2) } // ms, up to 30 days

// record adds v to h, capped at the most h tracks, which HdrHistogram would refuse past it: a
// service left open for 60 days counts as one of 30 days (an assistant reply of 15 minutes as
// one of 10), so that every service in Services is in the percentiles too, whose Max is then
// the cap.
func record(h *hdrhistogram.Histogram, v int64) {
	_ = h.RecordValue(min(v, h.HighestTrackableValue())) // the times recorded are at least 1
}

// monthFigures are the merged figures of a span of days.
type monthFigures struct {
	counts     map[balcao.Outcome]int
	assistant  *hdrhistogram.Histogram
	first      *hdrhistogram.Histogram
	total      *hdrhistogram.Histogram
	staff      map[string]int
	staffFirst map[string]*hdrhistogram.Histogram
	companies  map[string]int
	ratings    map[int]int
	perDay     []balcao.DayCount
}

func summarize(h *hdrhistogram.Histogram) balcao.Percentiles {
	if h.TotalCount() == 0 {
		return balcao.Percentiles{}
	}
	return balcao.Percentiles{Count: h.TotalCount(), Mean: h.Mean(), P50: h.ValueAtQuantile(50), P90: h.ValueAtQuantile(90), P99: h.ValueAtQuantile(99), Max: h.Max()}
}

// Dashboard computes a month's figures ("2026-11"); administrators and managers only.
func (e *Engine) Dashboard(ctx context.Context, office string, by balcao.Staff, month string) (balcao.Dashboard, error) {
	if !canSeeHistory(by) {
		return balcao.Dashboard{}, forbidden("Só administradores e gerentes veem os painéis.")
	}
	start, err := time.ParseInLocation("2006-01", month, assistant.Location())
	if err != nil || start.Year() < balcao.FirstYear || start.Year() > balcao.LastYear {
		return balcao.Dashboard{}, balcao.NewError(balcao.ErrInvalid, "invalid_month", "Mês inválido: use AAAA-MM, de 2000 a 2100.")
	}
	cur, err := e.figures(office, start, start.AddDate(0, 1, 0))
	if err != nil {
		return balcao.Dashboard{}, err
	}
	prev, err := e.figures(office, start.AddDate(0, -1, 0), start)
	if err != nil {
		return balcao.Dashboard{}, err
	}
	d := balcao.Dashboard{
		Month: month, Services: cur.counts, Previous: prev.counts,
		AssistantReply: summarize(cur.assistant), FirstResponse: summarize(cur.first), ServiceTime: summarize(cur.total),
		PerDay: cur.perDay, Satisfaction: cur.ratings, Documents: map[string]int{},
	}
	if cur.first.TotalCount() > 0 {
		for _, b := range cur.first.Distribution() {
			if b.Count > 0 {
				d.Distribution = append(d.Distribution, balcao.Bar{From: b.From, To: b.To, Count: b.Count})
			}
		}
	}
	for s, n := range cur.staff {
		f := balcao.StaffFigure{Staff: s, Services: n}
		if h := cur.staffFirst[s]; h != nil && h.TotalCount() > 0 {
			f.FirstResponseMs = h.ValueAtQuantile(50)
		}
		d.TopStaff = append(d.TopStaff, f)
	}
	// Ties by name: the maps come in random order, and the same month must read the same on
	// every request (which ten of twelve tied clients, in which order).
	slices.SortFunc(d.TopStaff, func(a, b balcao.StaffFigure) int {
		return cmp.Or(cmp.Compare(b.Services, a.Services), cmp.Compare(a.Staff, b.Staff))
	})
	for name, n := range cur.companies {
		d.TopClients = append(d.TopClients, balcao.NamedCount{Name: name, Count: n})
	}
	slices.SortFunc(d.TopClients, func(a, b balcao.NamedCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	d.TopStaff, d.TopClients = d.TopStaff[:min(10, len(d.TopStaff))], d.TopClients[:min(10, len(d.TopClients))]
	// Documents served: jobs processed in the month, newest first until before it.
	cursor := ""
	for done := false; !done; {
		jobs, next, err := e.db.Jobs(office, balcao.JobDone, cursor, 200)
		if err != nil {
			return d, err
		}
		for _, j := range jobs {
			switch {
			case !j.CreatedAt.Before(start.AddDate(0, 1, 0)):
			case j.CreatedAt.Before(start):
				done = true
			default:
				d.Documents[j.Intent] += len(j.Documents)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return d, nil
}

// figures merges the days of [from, to).
func (e *Engine) figures(office string, from, to time.Time) (*monthFigures, error) {
	f := &monthFigures{
		counts: map[balcao.Outcome]int{}, assistant: newReplyHist(), first: newTimeHist(), total: newTimeHist(),
		staff: map[string]int{}, staffFirst: map[string]*hdrhistogram.Histogram{}, companies: map[string]int{}, ratings: map[int]int{},
	}
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		m, err := e.day(office, day)
		if err != nil {
			return nil, err
		}
		n := 0
		for o, c := range m.Counts {
			f.counts[o] += c
			n += c
		}
		f.perDay = append(f.perDay, balcao.DayCount{Day: day.Format(time.DateOnly), Services: n})
		for _, p := range []struct {
			into *hdrhistogram.Histogram
			enc  []byte
		}{{f.assistant, m.Assistant}, {f.first, m.First}, {f.total, m.Total}} {
			if h, err := hdrhistogram.Decode(p.enc); err == nil {
				p.into.Merge(h)
			}
		}
		for s, c := range m.Staff {
			f.staff[s] += c
		}
		for s, enc := range m.StaffFirst {
			if h, err := hdrhistogram.Decode(enc); err == nil {
				if f.staffFirst[s] == nil {
					f.staffFirst[s] = newTimeHist()
				}
				f.staffFirst[s].Merge(h)
			}
		}
		for c, n := range m.Companies {
			f.companies[c] += n
		}
		for r, n := range m.Ratings {
			f.ratings[r] += n
		}
	}
	return f, nil
}

// day returns one day's figures: stored, or computed from its services (and stored when the
// day is old enough).
func (e *Engine) day(office string, day time.Time) (dayMetrics, error) {
	var m dayMetrics
	if err := e.db.Get(storage.DayMetricsKey(office, day.Format(time.DateOnly)), &m); err == nil {
		return m, nil
	}
	m, err := e.computeDay(office, day)
	if err != nil || time.Since(day.AddDate(0, 0, 1)) <= balcao.DayFiguresFinalAfter {
		return m, err
	}
	return e.storeDay(office, day, m)
}

// storeDay stores m, the figures of day as computed from its services, for good, unless a
// service of the day was stored (closed, or rated) after they were read. Such a service's
// batch deletes the day's figures; when it lands between the read and this Put, the Put
// comes after the delete and the figures would stay wrong for good. The writer applies
// batches in the order they were submitted, so that once the Put is durable such a service is
// there to read: the day is computed again, and if it changed the figures are dropped (the
// next request computes them again). Both writes are waited for (CommitSettled): a request
// that ends after the Put is submitted still checks it.
func (e *Engine) storeDay(office string, day time.Time, m dayMetrics) (dayMetrics, error) {
	key := storage.DayMetricsKey(office, day.Format(time.DateOnly))
	b := &storage.Batch{}
	b.Put(key, &m)
	if err := e.db.Writer.CommitSettled(b); err != nil {
		return m, err
	}
	again, err := e.computeDay(office, day)
	if err != nil || reflect.DeepEqual(again, m) {
		return m, err
	}
	b = &storage.Batch{}
	b.Delete(key)
	return again, e.db.Writer.CommitSettled(b)
}

// computeDay computes one day's figures from its services.
func (e *Engine) computeDay(office string, day time.Time) (dayMetrics, error) {
	m := dayMetrics{Counts: map[balcao.Outcome]int{}, Staff: map[string]int{}, StaffFirst: map[string][]byte{}, Companies: map[string]int{}, Ratings: map[int]int{}}
	reply, first, total := newReplyHist(), newTimeHist(), newTimeHist()
	staffFirst := map[string]*hdrhistogram.Histogram{}
	err := e.db.Services(office, day, day.AddDate(0, 0, 1), "", func(_ string, s balcao.Service) bool {
		m.Counts[s.Outcome]++
		for _, us := range s.ReplyMicros {
			record(reply, us)
		}
		if d := s.FirstResponseTime(); d > 0 {
			record(first, max(d.Milliseconds(), 1))
			if staffFirst[s.Staff] == nil {
				staffFirst[s.Staff] = newTimeHist()
			}
			record(staffFirst[s.Staff], max(d.Milliseconds(), 1))
		}
		record(total, max(s.End.Sub(s.Start).Milliseconds(), 1))
		if s.Outcome == balcao.OutcomeStaff {
			m.Staff[s.Staff]++
		}
		if s.CompanyName != "" {
			m.Companies[s.CompanyName]++
		} else {
			m.Companies[s.Phone]++
		}
		if s.Rating > 0 {
			m.Ratings[s.Rating]++
		}
		return true
	})
	if err != nil {
		return m, fmt.Errorf("services of %s: %w", day.Format(time.DateOnly), err)
	}
	enc := func(h *hdrhistogram.Histogram) []byte {
		b, _ := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		return b
	}
	m.Assistant, m.First, m.Total = enc(reply), enc(first), enc(total)
	for s, h := range staffFirst {
		m.StaffFirst[s] = enc(h)
	}
	return m, nil
}
