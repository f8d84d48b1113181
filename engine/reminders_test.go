package engine_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestReminderHistoryIsBounded: each guide keeps its newest 20 reminders, as a schedule keeps
// its runs. An office whose DAS reminders piled up for 29 months (as builds before this one
// left them: a run and a marker per competence, never dropped) gets its next reminder, and the
// ten oldest go, runs and markers; a month later the oldest kept goes too. Another guide's are
// left alone, and the reminder of the month is not sent again.
func TestReminderHistoryIsBounded(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 11, 16, 8, 0, 0, 0, spLoc))
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	db := e.DB()
	month := func(competence string, n int) string {
		m, err := time.ParseInLocation("2006-01", competence, spLoc)
		if err != nil {
			t.Fatal(err)
		}
		return m.AddDate(0, n, 0).Format("2006-01")
	}
	runID := func(guide, competence string) string { return "lembrete-" + guide + "-" + competence }
	// Finished reminders from 2024-05 to 2026-09, and one of the FGTS.
	b := &storage.Batch{}
	seed := func(guide, competence string) {
		m, _ := time.ParseInLocation("2006-01", competence, spLoc)
		at := time.Date(m.Year(), m.Month()+1, 13, 9, 0, 0, 0, spLoc)
		run := balcao.ScheduleRun{
			Schedule: runID(guide, competence), Name: "Lembrete", At: at, Text: "Lembrete", Author: balcao.AuthorSystem,
			Request: &balcao.ScheduleRequest{Intent: guide, Competence: competence},
			Total:   1, Next: 1, Sent: 1, Done: true, StartedAt: at, FinishedAt: at.Add(time.Minute),
		}
		b.Put(storage.RunKey(engine.DemoOffice, run.Schedule, at), &run)
		b.Set(storage.ReminderKey(engine.DemoOffice, guide, competence), nil)
	}
	for c := "2024-05"; c <= "2026-09"; c = month(c, 1) {
		seed("das", c)
	}
	seed("fgts", "2024-05")
	if err := db.Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}

	// awaitReminder moves the clock until the DAS reminder of a competence is finished.
	awaitReminder := func(competence string) {
		t.Helper()
		for i := 0; ; i++ {
			runs, err := db.Runs(engine.DemoOffice, runID("das", competence), 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) == 1 && runs[0].Done {
				return
			}
			if i > 30 {
				t.Fatalf("DAS reminder of %s = %+v", competence, runs)
			}
			clock.next(t)
		}
	}
	// requireKept fails unless the DAS reminders are the 20 up to newest, each with its marker
	// and its one run, and those of the 12 months before are gone.
	requireKept := func(newest string) {
		t.Helper()
		var want []string
		for i := range 20 {
			want = append(want, month(newest, -i))
		}
		got, err := db.ReminderCompetences(engine.DemoOffice, "das")
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("DAS reminder markers = %q (%v), want %q", got, err, want)
		}
		for i := range 32 {
			c := month(newest, -i)
			runs, err := db.Runs(engine.DemoOffice, runID("das", c), 2)
			if err != nil {
				t.Fatal(err)
			}
			if kept := i < 20; kept && (len(runs) != 1 || !runs[0].Done) || !kept && len(runs) != 0 {
				t.Fatalf("runs of the DAS reminder of %s = %+v, want kept %v", c, runs, kept)
			}
		}
		if fgts, err := db.ReminderCompetences(engine.DemoOffice, "fgts"); err != nil || !slices.Equal(fgts, []string{"2024-05"}) {
			t.Fatalf("FGTS reminder markers = %q (%v), want 2024-05's untouched", fgts, err)
		}
		if runs, err := db.Runs(engine.DemoOffice, runID("fgts", "2024-05"), 2); err != nil || len(runs) != 1 {
			t.Fatalf("runs of the FGTS reminder of 2024-05 = %+v (%v), want it untouched", runs, err)
		}
		// Envios lists the runs under way and the schedules' latest: no reminder is left there.
		status, body := admin.do("GET", "/api/sends", nil)
		if status != http.StatusOK {
			t.Fatalf("GET /api/sends = %d %s", status, body)
		}
		for _, r := range decode[struct{ Sends []balcao.ScheduleRun }](t, body).Sends {
			if strings.HasPrefix(r.Schedule, "lembrete-") {
				t.Fatalf("sends list %+v after the reminders finished", r)
			}
		}
	}

	settings := balcao.DefaultSettings()
	settings.Reminders = balcao.Reminders{Guides: []string{"das"}, DaysBefore: 7} // DAS due Monday the 23rd
	arms := clock.arms0()
	if status, body := admin.do("PUT", "/api/settings", settings); status != http.StatusOK {
		t.Fatalf("save settings: %d %s", status, body)
	}
	clock.waitSleep(t, arms)
	awaitReminder("2026-10")
	requireKept("2026-10")
	// The rest of the window: the month's reminder stays started, nothing goes again.
	clock.advance(t, time.Date(2026, 11, 17, 9, 30, 0, 0, spLoc))
	clock.advance(t, time.Date(2026, 11, 22, 12, 0, 0, 0, spLoc))
	if n := len(scheduledMessagesAny(t, e, "5548999990001")); n != 1 {
		t.Fatalf("Carlos got %d reminders in November, want 1", n)
	}

	// December: the DAS of November is due on Monday the 21st (the 20th is a Sunday).
	due := balcao.GuideDueDate("das", 2026, time.December, spLoc)
	clock.advance(t, time.Date(2026, 12, due.Day()-7, 9, 0, 0, 0, spLoc))
	awaitReminder("2026-11")
	requireKept("2026-11")
	if n := len(scheduledMessagesAny(t, e, "5548999990001")); n != 2 {
		t.Fatalf("Carlos got %d reminders by December, want 2", n)
	}
}
