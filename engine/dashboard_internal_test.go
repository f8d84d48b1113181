package engine

import (
	"context"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// TestDashboardDayStoredAsAServiceOfItCloses: a service of a day a week old that closes
// between the dashboard's read of the day and its Put of the day's figures (its batch deletes
// them, before the Put) leaves no figures without it: the day is read again after the Put.
// The figures without it were stored for good.
func TestDashboardDayStoredAsAServiceOfItCloses(t *testing.T) {
	e, err := Start(Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Demo: true, DemoPassword: "senha-de-teste"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	now := time.Now().In(assistant.Location())
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, assistant.Location()).AddDate(0, 0, -9)
	// store writes a service of the day as closeService does: its record, its id, and the
	// day's figures deleted.
	store := func(id string, start time.Time) {
		s := balcao.Service{ID: id + "-1", Phone: id, Start: start, Queued: start, Taken: start, Staff: "ana",
			FirstResponse: start.Add(time.Minute), End: start.Add(10 * 24 * time.Hour), Outcome: balcao.OutcomeStaff}
		b := &storage.Batch{}
		b.Put(storage.ServiceKey("demo", s.Start, s.ID), &s)
		b.Delete(storage.DayMetricsKey("demo", day.Format(time.DateOnly)))
		b.Set(storage.ServiceIDKey("demo", s.ID), []byte{0, 0, 0, 0, 0, 0, 0, 1})
		if err := e.db.Writer.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	store("5548900000001", day.Add(9*time.Hour))

	read, err := e.computeDay("demo", day) // the dashboard reads the day…
	if err != nil {
		t.Fatal(err)
	}
	store("5548900000002", day.Add(10*time.Hour))            // …a service of it closes…
	if _, err := e.storeDay("demo", day, read); err != nil { // …and it stores what it read
		t.Fatal(err)
	}
	m, err := e.day("demo", day)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Counts[balcao.OutcomeStaff]; n != 2 || m.Staff["ana"] != 2 {
		t.Fatalf("day's services = %v, staff %v after a service closed during its store; want 2", m.Counts, m.Staff)
	}
}
