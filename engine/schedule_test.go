package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// schedClock is the scheduler's clock in tests: time moves only when the test says so, and the
// test can see when the scheduler sleeps again.
type schedClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[int]fakeTimer
	id     int
	arms   int // timers made, ever
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock(start time.Time) *schedClock {
	return &schedClock{now: start, timers: map[int]fakeTimer{}}
}

func (c *schedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *schedClock) Timer(d time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.arms++
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch, func() {}
	}
	c.id++
	id := c.id
	c.timers[id] = fakeTimer{at: c.now.Add(d), c: ch}
	return ch, func() {
		c.mu.Lock()
		delete(c.timers, id)
		c.mu.Unlock()
	}
}

// set moves the clock to t and fires the timers due; it returns the arm count before.
func (c *schedClock) set(t time.Time) (arms, fired int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	arms, c.now = c.arms, t
	for id, tm := range c.timers {
		if !tm.at.After(t) {
			tm.c <- t
			delete(c.timers, id)
			fired++
		}
	}
	return arms, fired
}

// sleeping reports whether the scheduler armed a timer after arms and waits on it.
func (c *schedClock) sleeping(arms int) (bool, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var next time.Time
	for _, tm := range c.timers {
		if next.IsZero() || tm.at.Before(next) {
			next = tm.at
		}
	}
	return c.arms > arms && len(c.timers) > 0, next
}

// advance moves the clock to t and waits until the scheduler handled it and sleeps again.
func (c *schedClock) advance(t *testing.T, to time.Time) {
	t.Helper()
	arms, fired := c.set(to)
	if fired > 0 {
		c.waitSleep(t, arms)
	}
}

// waitSleep waits until the scheduler armed a timer after arms.
func (c *schedClock) waitSleep(t *testing.T, arms int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for ok, _ := c.sleeping(arms); !ok; ok, _ = c.sleeping(arms) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the scheduler to sleep again")
		}
		time.Sleep(100 * time.Microsecond) // polled: the scheduler is usually done within a millisecond
	}
}

// next moves the clock to the scheduler's next timer and waits until it sleeps again.
func (c *schedClock) next(t *testing.T) time.Time {
	t.Helper()
	_, at := c.sleeping(-1)
	if at.IsZero() {
		t.Fatal("the scheduler has no timer")
	}
	c.advance(t, at)
	return at
}

func (c *schedClock) arms0() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.arms
}

var spLoc = assistant.Location()

// startClocked starts an engine on data with the fake clock and waits for its scheduler's
// first sleep.
func startClocked(t *testing.T, data string, clock *schedClock) *engine.Engine {
	t.Helper()
	arms := clock.arms0()
	e := startEngine(t, func(c *engine.Config) { c.DataDir, c.Clock = data, clock })
	clock.waitSleep(t, arms)
	return e
}

type scheduleDetail struct {
	Schedule balcao.Schedule      `json:"schedule"`
	Runs     []balcao.ScheduleRun `json:"runs"`
}

func (c *client) run(id string) balcao.ScheduleRun {
	c.t.Helper()
	status, body := c.do("GET", "/api/schedules/"+id, nil)
	if status != http.StatusOK {
		c.t.Fatalf("GET schedule: %d %s", status, body)
	}
	d := decode[scheduleDetail](c.t, body)
	if len(d.Runs) == 0 {
		return balcao.ScheduleRun{}
	}
	return d.Runs[0]
}

// scheduledMessages returns the outbound messages of a phone carrying text, from storage.
func scheduledMessages(t *testing.T, e *engine.Engine, phone, text string) []balcao.Message {
	t.Helper()
	msgs, _, err := e.DB().Messages(engine.DemoOffice, phone, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(msgs, func(m balcao.Message) bool { return m.Direction != balcao.Outbound || m.Text != text })
}

// TestScheduleRecurringAcrossRestart: a daily schedule to a list; the engine stops in the middle
// of an occurrence and a new one starts on the same data: every recipient gets the message
// exactly once per occurrence, and the next day once more.
func TestScheduleRecurringAcrossRestart(t *testing.T) {
	data := t.TempDir()
	clock := newFakeClock(time.Date(2026, 5, 4, 8, 0, 0, 0, spLoc)) // a Monday
	e := startClocked(t, data, clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	// Six more contacts of the padaria: ten recipients with the demo's (Mariana counts once).
	var phones []string
	for i := range 6 {
		p := fmt.Sprintf("55489777700%02d", i)
		if status, body := admin.do("POST", "/api/contacts", map[string]any{"phone": p, "name": "Sócio " + fmt.Sprint(i), "companies": []string{"padaria-pao-quente"}}); status != http.StatusCreated {
			t.Fatalf("add contact: %d %s", status, body)
		}
		phones = append(phones, p)
	}
	phones = append(phones, "5548999990001", "5548999990002", "5548999990003", "5548999990004")
	status, body := admin.do("POST", "/api/lists", map[string]any{"name": "Todos", "companies": []string{"padaria-pao-quente", "auto-mecanica-sul", "clinica-vida", "tech-floripa", "construtora-ilha"}})
	if status != http.StatusCreated {
		t.Fatalf("create list: %d %s", status, body)
	}
	list := decode[struct{ List balcao.BroadcastList }](t, body).List
	const text = "Bom dia, {cliente}! Lembrete diário do escritório."
	arms := clock.arms0()
	status, body = admin.do("POST", "/api/schedules", map[string]any{
		"name": "Diário", "text": text, "enabled": true,
		"target":     map[string]string{"kind": "list", "id": list.ID},
		"recurrence": map[string]any{"kind": "daily", "time": "09:00"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create schedule: %d %s", status, body)
	}
	sc := decode[struct{ Schedule balcao.Schedule }](t, body).Schedule
	if want := time.Date(2026, 5, 4, 9, 0, 0, 0, spLoc); !sc.Next.Equal(want) {
		t.Fatalf("next = %v, want %v", sc.Next, want)
	}
	clock.waitSleep(t, arms)

	// 09:00: the occurrence starts; four messages go out, then the engine stops.
	clock.advance(t, time.Date(2026, 5, 4, 9, 0, 0, 0, spLoc))
	for admin.run(sc.ID).Sent < 4 {
		clock.next(t)
	}
	run := admin.run(sc.ID)
	if run.Total != 10 || run.Sent != 4 || run.Done {
		t.Fatalf("run before the restart = %+v, want 4 of 10 sent", run)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	e = startClocked(t, data, clock)
	admin = newClient(t, e)
	admin.login("demo", "admin")
	for i := 0; !admin.run(sc.ID).Done; i++ {
		if i > 50 {
			t.Fatalf("run never finished: %+v", admin.run(sc.ID))
		}
		clock.next(t)
	}
	if run := admin.run(sc.ID); run.Sent != 10 || run.Failed != 0 {
		t.Fatalf("run after the restart = %+v, want 10 sent", run)
	}
	for _, p := range phones {
		if n := len(scheduledMessagesAny(t, e, p)); n != 1 {
			t.Fatalf("%s got %d scheduled messages, want 1", p, n)
		}
	}
	if n := len(scheduledMessages(t, e, "5548999990001", "Bom dia, Carlos! Lembrete diário do escritório.")); n != 1 {
		t.Fatalf("Carlos got %d messages with his name filled in", n)
	}
	// Finished, the run keeps its counts and drops its recipients and send records.
	run = admin.run(sc.ID)
	requireRunDetailDropped(t, e, sc.ID, run.At)

	// The next day: one more each.
	clock.advance(t, time.Date(2026, 5, 5, 9, 0, 0, 0, spLoc))
	for i := 0; !admin.run(sc.ID).Done || admin.run(sc.ID).At.Day() != 5; i++ {
		if i > 50 {
			t.Fatalf("second run never finished: %+v", admin.run(sc.ID))
		}
		clock.next(t)
	}
	for _, p := range phones {
		if n := len(scheduledMessagesAny(t, e, p)); n != 2 {
			t.Fatalf("%s got %d scheduled messages after two days, want 2", p, n)
		}
	}
	// WhatsApp (the second engine's simulator) got each message once: the six left of the
	// first day and the ten of the second.
	c := newClient(t, e)
	eventually(t, "every message on the phones", func() bool {
		total := 0
		for _, p := range phones {
			for _, m := range c.outbound(p) {
				if strings.HasPrefix(m.Text, "Bom dia,") {
					total++
				}
			}
		}
		return total == 16
	})
}

// requireRunDetailDropped fails unless a finished run's record stays and its recipients and
// send records are gone.
func requireRunDetailDropped(t *testing.T, e *engine.Engine, schedule string, at time.Time) {
	t.Helper()
	if _, err := e.DB().Run(engine.DemoOffice, schedule, at); err != nil {
		t.Fatalf("the finished run's record: %v", err)
	}
	if sends, err := e.DB().ScheduledSends(engine.DemoOffice, schedule, at); err != nil || len(sends) != 0 {
		t.Fatalf("send records of the finished run = %d (%v), want none", len(sends), err)
	}
	if _, err := e.DB().RunRecipient(engine.DemoOffice, schedule, at, 0); !errors.Is(err, balcao.ErrNotFound) {
		t.Fatalf("first recipient of the finished run: %v, want not found", err)
	}
}

// scheduledMessagesAny returns the outbound system messages of a phone.
func scheduledMessagesAny(t *testing.T, e *engine.Engine, phone string) []balcao.Message {
	t.Helper()
	msgs, _, err := e.DB().Messages(engine.DemoOffice, phone, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(msgs, func(m balcao.Message) bool { return m.Direction != balcao.Outbound || m.Author != balcao.AuthorSystem })
}

// TestScheduledSendIsIdempotent: the same occurrence handed twice to a conversation (a retry
// after a lost answer) is stored and sent once; its document request becomes one job.
func TestScheduledSendIsIdempotent(t *testing.T) {
	e := startEngine(t)
	occ := time.Date(2026, 5, 5, 9, 0, 0, 0, spLoc)
	cmd := func(retry bool) *actors.SendScheduled {
		return &actors.SendScheduled{
			Phone: "5548999990001", Company: "padaria-pao-quente", Schedule: "s1", Occurrence: occ, Author: balcao.AuthorSystem,
			Text: "Segue o holerite do mês anterior.", Retry: retry,
			Request: &assistant.Request{Intent: assistant.Holerite, Competence: "2026-04"},
		}
	}
	first, err := e.Actors().Request(context.Background(), engine.DemoOffice, cmd(false))
	if err != nil || first.Message == nil {
		t.Fatalf("first send = %+v, %v", first, err)
	}
	again, err := e.Actors().Request(context.Background(), engine.DemoOffice, cmd(true))
	if err != nil || again.Message != nil {
		t.Fatalf("second send = %+v, %v; want nothing sent", again, err)
	}
	if n := len(scheduledMessages(t, e, "5548999990001", "Segue o holerite do mês anterior.")); n != 1 {
		t.Fatalf("messages = %d, want 1", n)
	}
	sends, err := e.DB().ScheduledSends(engine.DemoOffice, "s1", occ)
	if err != nil || len(sends) != 1 || sends[0].Job == "" || sends[0].Seq != first.Message.Seq {
		t.Fatalf("send records = %+v, %v", sends, err)
	}
	j, err := e.DB().Job(engine.DemoOffice, sends[0].Job)
	if err != nil || j.Intent != "holerite" || j.Competence != "2026-04" || j.Company != "padaria-pao-quente" || j.Phone != "5548999990001" {
		t.Fatalf("job = %+v, %v", j, err)
	}
}

// TestBroadcastOf500IsPacedAndRecorded: a broadcast to 500 contacts goes out at most 20 a
// minute (3 s apart plus jitter, by the clock of the messages), every send is recorded, and
// progress is visible in the API and as live events.
func TestBroadcastOf500IsPacedAndRecorded(t *testing.T) {
	start := time.Date(2026, 5, 6, 10, 0, 0, 0, spLoc)
	clock := newFakeClock(start)
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	b := &storage.Batch{}
	phones := make([]string, 500)
	for i := range phones {
		p, err := balcao.NormalizePhone(fmt.Sprintf("+55 48 98%07d", i))
		if err != nil {
			t.Fatal(err)
		}
		phones[i] = p
		b.Put(storage.ContactKey(engine.DemoOffice, p), &balcao.Contact{Phone: p, Name: fmt.Sprint("Cliente ", i), CreatedAt: start})
	}
	if err := e.DB().Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	status, body := admin.do("POST", "/api/lists", map[string]any{"name": "Quinhentos", "contacts": phones})
	if status != http.StatusCreated {
		t.Fatalf("create list: %d %s", status, body)
	}
	list := decode[struct{ List balcao.BroadcastList }](t, body).List

	sub, _, _ := e.Hub().Subscribe(engine.DemoOffice, "test", "test", nil, "", 0)
	defer e.Hub().Unsubscribe(engine.DemoOffice, sub)
	var progress []balcao.ScheduleRun
	var pmu sync.Mutex
	stop := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case f := <-sub.C:
				// Held delivery ticks go along with the next event, as one array.
				for _, ev := range framesOf(t, f) {
					var run balcao.ScheduleRun
					if ev.Type != balcao.EventScheduleProgress {
						continue
					}
					if err := json.Unmarshal(ev.Data, &run); err != nil {
						t.Errorf("progress %s: %v", ev.Data, err)
					}
					pmu.Lock()
					progress = append(progress, run)
					pmu.Unlock()
				}
			case <-stop:
				return
			}
		}
	}()

	arms := clock.arms0()
	status, body = admin.do("POST", "/api/broadcasts", map[string]any{"list": list.ID, "text": "Comunicado: o escritório fecha na sexta."})
	if status != http.StatusCreated {
		t.Fatalf("broadcast: %d %s", status, body)
	}
	sc := decode[struct{ Schedule balcao.Schedule }](t, body).Schedule
	clock.waitSleep(t, arms)
	for i := 0; ; i++ {
		runs, err := e.DB().Runs(engine.DemoOffice, sc.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Done {
			break
		}
		if i == 250 {
			// Halfway: the API shows the progress.
			_, body := admin.do("GET", "/api/sends", nil)
			sends := decode[struct{ Sends []balcao.ScheduleRun }](t, body).Sends
			if len(sends) == 0 || sends[0].Total != 500 || sends[0].Sent < 200 || sends[0].Sent >= 500 || sends[0].Done {
				t.Fatalf("progress halfway = %s", body)
			}
			// Each send so far is recorded (what a restart resumes from).
			if recs, err := e.DB().ScheduledSends(engine.DemoOffice, sc.ID, sends[0].At); err != nil || len(recs) < sends[0].Sent {
				t.Fatalf("send records halfway = %d (%v), want at least the %d sent", len(recs), err, sends[0].Sent)
			}
		}
		if i > 600 {
			t.Fatalf("broadcast never finished: %+v", runs)
		}
		clock.next(t)
	}
	run := admin.run(sc.ID)
	if run.Sent != 500 || run.Total != 500 || run.Failed != 0 {
		t.Fatalf("run = %+v, want 500 of 500 sent", run)
	}
	requireRunDetailDropped(t, e, sc.ID, run.At)
	var times []time.Time
	for _, p := range phones {
		msgs := scheduledMessages(t, e, p, "Comunicado: o escritório fecha na sexta.")
		if len(msgs) != 1 {
			t.Fatalf("%s got %d messages, want 1", p, len(msgs))
		}
		times = append(times, msgs[0].At)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 3*time.Second || gap > 3500*time.Millisecond {
			t.Fatalf("gap before send %d = %v, want 3–3.5 s", i, gap)
		}
		for j := i; j >= 0 && j > i-21; j-- {
			if i-j == 20 && times[i].Sub(times[j]) < time.Minute {
				t.Fatalf("21 sends within %v", times[i].Sub(times[j]))
			}
		}
	}
	if took := times[len(times)-1].Sub(times[0]); took < 24*time.Minute || took > 30*time.Minute {
		t.Fatalf("500 sends took %v, want about 25–30 minutes", took)
	}
	close(stop)
	<-drained
	pmu.Lock()
	defer pmu.Unlock()
	last := progress[len(progress)-1]
	if len(progress) < 500 || last.Sent != 500 || !last.Done {
		t.Fatalf("live progress: %d events, last %+v", len(progress), last)
	}
}

// TestRemindersSkipDeliveredGuides: DAS reminders 7 days before the due date. In November 2026
// the 20th is a holiday (Consciência Negra), a Friday, so the DAS is due on Monday the 23rd
// (the next business day, unlike FGTS and INSS) and the reminder goes on Monday the 16th, to
// every enabled company's contacts but the one whose guide was already delivered; it never
// repeats.
func TestRemindersSkipDeliveredGuides(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 11, 16, 8, 0, 0, 0, spLoc))
	data := t.TempDir()
	e := startClocked(t, data, clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	// The construtora already got its DAS of October.
	doc := balcao.StoredDocument{ID: "d1", Company: "construtora-ilha", Intent: "das", Competence: "2026-10", Name: "DAS 10-2026.pdf", CreatedAt: clock.Now()}
	b := &storage.Batch{}
	b.Put(storage.DocumentKey(engine.DemoOffice, doc.ID), &doc)
	b.Set(storage.PortalKey(engine.DemoOffice, doc.Company, doc.CreatedAt, doc.ID), nil)
	if err := e.DB().Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	settings := balcao.DefaultSettings()
	settings.Reminders = balcao.Reminders{Guides: []string{"das"}, DaysBefore: 25}
	if status, body := admin.do("PUT", "/api/settings", settings); status != http.StatusUnprocessableEntity {
		t.Fatalf("25 days before = %d %s, want 422", status, body)
	}
	settings.Reminders.DaysBefore = 7
	arms := clock.arms0()
	if status, body := admin.do("PUT", "/api/settings", settings); status != http.StatusOK {
		t.Fatalf("save settings: %d %s", status, body)
	}
	clock.waitSleep(t, arms) // saving settings wakes the scheduler: let it look and sleep again
	// At 08:00 it is too early: the scheduler wakes at 09:00.
	clock.next(t)
	if now := clock.Now(); !now.Equal(time.Date(2026, 11, 16, 9, 0, 0, 0, spLoc)) {
		t.Fatalf("the scheduler woke at %v, want 2026-11-16 09:00", now)
	}
	runID := "lembrete-das-2026-10"
	var run balcao.ScheduleRun
	for i := 0; ; i++ {
		runs, err := e.DB().Runs(engine.DemoOffice, runID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Done {
			run = runs[0]
			break
		}
		if i > 30 {
			t.Fatalf("reminder run = %+v", runs)
		}
		clock.next(t)
	}
	// Carlos (padaria), Mariana (auto-mecânica and clínica: twice), João (tech); not Fernanda.
	if run.Sent != 4 || run.Total != 4 {
		t.Fatalf("reminder run = %+v, want 4 sends", run)
	}
	want := "Olá, Carlos! Lembrete do escritório: a guia do DAS de Padaria Pão Quente Ltda (competência 10/2026) vence em 23/11/2026. Segue a guia."
	if n := len(scheduledMessages(t, e, "5548999990001", want)); n != 1 {
		t.Fatalf("Carlos got %d reminders %q", n, want)
	}
	if n := len(scheduledMessagesAny(t, e, "5548999990002")); n != 2 {
		t.Fatalf("Mariana got %d reminders, want one per company", n)
	}
	if n := len(scheduledMessagesAny(t, e, "5548999990004")); n != 0 {
		t.Fatalf("Fernanda got %d reminders, want none (already delivered)", n)
	}
	// Each reminder asked for its company's guide, once.
	var asked []string
	for _, j := range admin.allJobs() {
		if j.Intent == "das" && j.Competence == "2026-10" {
			asked = append(asked, j.Phone+" "+j.Company)
		}
	}
	slices.Sort(asked)
	if want := []string{"5548999990001 padaria-pao-quente", "5548999990002 auto-mecanica-sul", "5548999990002 clinica-vida", "5548999990003 tech-floripa"}; !slices.Equal(asked, want) {
		t.Fatalf("reminder jobs = %q, want %q", asked, want)
	}
	requireRunDetailDropped(t, e, runID, run.At)
	// A restart and the next days send nothing more.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	e = startClocked(t, data, clock)
	clock.advance(t, time.Date(2026, 11, 17, 9, 30, 0, 0, spLoc))
	clock.advance(t, time.Date(2026, 11, 18, 12, 0, 0, 0, spLoc))
	if n := len(scheduledMessagesAny(t, e, "5548999990001")); n != 1 {
		t.Fatalf("Carlos got %d reminders after the restart, want 1", n)
	}
}

// TestScheduleHistoryIsBounded: a daily schedule keeps its last 20 runs, each finished run
// without its recipients and send records; deleting a schedule in the middle of a run cancels
// it on the managers' screens and leaves none of its runs behind.
func TestScheduleHistoryIsBounded(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 5, 4, 8, 0, 0, 0, spLoc))
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	create := func(name string, target map[string]string) balcao.Schedule {
		t.Helper()
		arms := clock.arms0()
		status, body := admin.do("POST", "/api/schedules", map[string]any{
			"name": name, "text": "Bom dia, {cliente}!", "enabled": true, "target": target,
			"recurrence": map[string]any{"kind": "daily", "time": "09:00"},
		})
		if status != http.StatusCreated {
			t.Fatalf("create schedule: %d %s", status, body)
		}
		clock.waitSleep(t, arms)
		return decode[struct{ Schedule balcao.Schedule }](t, body).Schedule
	}
	daily := create("Diário", map[string]string{"kind": "contact", "id": "5548999990001"})
	var first time.Time
	for day := range 22 {
		clock.advance(t, time.Date(2026, 5, 4+day, 9, 0, 0, 0, spLoc))
		for i := 0; !admin.run(daily.ID).Done || admin.run(daily.ID).At.Day() != (4+day-1)%31+1; i++ {
			if i > 20 {
				t.Fatalf("day %d: run = %+v", day, admin.run(daily.ID))
			}
			clock.next(t)
		}
		if day == 0 {
			first = admin.run(daily.ID).At
		}
	}
	runs, err := e.DB().Runs(engine.DemoOffice, daily.ID, 100)
	if err != nil || len(runs) != 20 {
		t.Fatalf("runs kept = %d (%v), want 20", len(runs), err)
	}
	if want := first.AddDate(0, 0, 2); !runs[len(runs)-1].At.Equal(want) {
		t.Fatalf("oldest run kept = %v, want %v (the first two dropped)", runs[len(runs)-1].At, want)
	}
	for _, r := range runs {
		if r.Sent != 1 || !r.Done {
			t.Fatalf("run kept = %+v, want done with its one send", r)
		}
		requireRunDetailDropped(t, e, daily.ID, r.At)
	}
	if _, err := e.DB().Run(engine.DemoOffice, daily.ID, first); !errors.Is(err, balcao.ErrNotFound) {
		t.Fatalf("the first run: %v, want dropped", err)
	}

	// A schedule deleted after the first of its four sends.
	status, body := admin.do("POST", "/api/lists", map[string]any{"name": "Todos", "companies": []string{"padaria-pao-quente", "auto-mecanica-sul", "tech-floripa", "construtora-ilha"}})
	if status != http.StatusCreated {
		t.Fatalf("create list: %d %s", status, body)
	}
	todos := create("Todos", map[string]string{"kind": "list", "id": decode[struct{ List balcao.BroadcastList }](t, body).List.ID})
	ws := admin.socket("")
	clock.advance(t, time.Date(2026, 5, 26, 9, 0, 0, 0, spLoc))
	for admin.run(todos.ID).Sent < 1 {
		clock.next(t)
	}
	open := admin.run(todos.ID)
	if open.Done || open.Total < 2 {
		t.Fatalf("run before the deletion = %+v, want open with more to send", open)
	}
	if status, body := admin.do("DELETE", "/api/schedules/"+todos.ID, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE schedule = %d %s", status, body)
	}
	next(t, ws, func(f wsFrame) bool {
		if f.Type != balcao.EventScheduleProgress {
			return false
		}
		var r balcao.ScheduleRun
		return json.Unmarshal(f.Data, &r) == nil && r.Schedule == todos.ID && r.Done && r.Canceled
	})
	if runs, err := e.DB().Runs(engine.DemoOffice, todos.ID, 10); err != nil || len(runs) != 0 {
		t.Fatalf("runs of the deleted schedule = %+v (%v), want none", runs, err)
	}
	if sends, err := e.DB().ScheduledSends(engine.DemoOffice, todos.ID, open.At); err != nil || len(sends) != 0 {
		t.Fatalf("send records of the deleted schedule = %d (%v), want none", len(sends), err)
	}
	if _, err := e.DB().RunRecipient(engine.DemoOffice, todos.ID, open.At, 0); !errors.Is(err, balcao.ErrNotFound) {
		t.Fatalf("recipients of the deleted schedule: %v, want none", err)
	}
	openRuns, err := e.DB().OpenRuns(engine.DemoOffice)
	if err != nil || slices.ContainsFunc(openRuns, func(r balcao.ScheduleRun) bool { return r.Schedule == todos.ID }) {
		t.Fatalf("open runs = %+v (%v), want none of the deleted schedule", openRuns, err)
	}
	// The scheduler goes on: the daily schedule's runs still come.
	clock.advance(t, time.Date(2026, 5, 27, 9, 0, 0, 0, spLoc))
	for i := 0; admin.run(daily.ID).At.Day() != 27 || !admin.run(daily.ID).Done; i++ {
		if i > 20 {
			t.Fatalf("the daily run after the deletion = %+v", admin.run(daily.ID))
		}
		clock.next(t)
	}
}

// TestScheduleFarAheadIsRefused: a one-off dated past the horizon is refused with a message on
// its date (one in 2600 used to be queued under a key that wrapped to 2015 and went out at
// once); one stored so by an older build is stopped by the scheduler, never sent.
func TestScheduleFarAheadIsRefused(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 5, 4, 8, 0, 0, 0, spLoc))
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone, text = "5548999990001", "Aviso agendado para daqui a muito tempo."
	once := func(at string) (int, []byte) {
		t.Helper()
		arms := clock.arms0()
		status, body := admin.do("POST", "/api/schedules", map[string]any{
			"name": "Aviso", "text": text, "enabled": true,
			"target":     map[string]string{"kind": "contact", "id": phone},
			"recurrence": map[string]any{"kind": "once", "at": at},
		})
		if status == http.StatusCreated {
			clock.waitSleep(t, arms)
		}
		return status, body
	}
	for _, at := range []string{"2600-01-01T09:00", "2300-01-01T09:00", "2031-05-05T09:00"} {
		status, body := once(at)
		if status != http.StatusUnprocessableEntity || decode[fieldsBody](t, body).Error.Fields["recurrence.at"] == "" {
			t.Fatalf("once at %s = %d %s, want 422 on recurrence.at", at, status, body)
		}
	}
	if status, body := once("2031-05-01T09:00"); status != http.StatusCreated {
		t.Fatalf("once within five years = %d %s, want 201", status, body)
	}
	clock.advance(t, time.Date(2026, 5, 4, 8, 5, 0, 0, spLoc))
	if n := len(scheduledMessages(t, e, phone, text)); n != 0 {
		t.Fatalf("%d messages sent for schedules years ahead, want none", n)
	}

	// Stored by a build that took any date: its queue key reads as 2015.
	far := time.Date(2600, 1, 1, 9, 0, 0, 0, spLoc)
	sc := balcao.Schedule{
		ID: "legacy", Name: "Aviso", Text: text, Target: balcao.Target{Kind: balcao.TargetContact, ID: phone},
		Recurrence: balcao.Recurrence{Kind: balcao.RepeatOnce, At: far}, Next: far, Enabled: true, CreatedAt: clock.Now(),
	}
	b := &storage.Batch{}
	b.Put(storage.ScheduleKey(engine.DemoOffice, sc.ID), &sc)
	wrapped := time.Unix(0, far.UnixNano()) // the time the old key named (UnixNano wraps past 2262)
	b.Set(storage.ScheduleDueKey(engine.DemoOffice, wrapped, sc.ID), nil)
	if err := e.DB().Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	clock.next(t)
	clock.next(t)
	if n := len(scheduledMessages(t, e, phone, text)); n != 0 {
		t.Fatalf("%d messages sent for a schedule stored for 2600, want none", n)
	}
	got, err := e.DB().Schedule(engine.DemoOffice, sc.ID)
	if err != nil || got.Enabled || !got.Next.IsZero() {
		t.Fatalf("schedule stored for 2600 = %+v (%v), want stopped", got, err)
	}
	if ids, _, err := e.DB().DueSchedules(engine.DemoOffice, clock.Now()); err != nil || len(ids) != 0 {
		t.Fatalf("due schedules = %v (%v), want none", ids, err)
	}
}

// TestReminderSkipsCompanyContactLeft: a contact unlinked from a company while a reminder run
// is under way gets nothing for that company (its guide was asked for under her other company,
// delivered twice); the run counts that recipient as failed.
func TestReminderSkipsCompanyContactLeft(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 11, 16, 8, 0, 0, 0, spLoc))
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	settings := balcao.DefaultSettings()
	settings.Reminders = balcao.Reminders{Guides: []string{"das"}, DaysBefore: 7} // DAS due Monday the 23rd
	arms := clock.arms0()
	if status, body := admin.do("PUT", "/api/settings", settings); status != http.StatusOK {
		t.Fatalf("save settings: %d %s", status, body)
	}
	clock.waitSleep(t, arms)
	const runID, mariana = "lembrete-das-2026-10", "5548999990002"
	runs := func() []balcao.ScheduleRun {
		t.Helper()
		runs, err := e.DB().Runs(engine.DemoOffice, runID, 1)
		if err != nil {
			t.Fatal(err)
		}
		return runs
	}
	// 09:00: the run starts with Mariana for the auto-mecânica (companies go by id).
	clock.next(t)
	if r := runs(); len(r) != 1 || r[0].Sent != 1 || r[0].Done {
		t.Fatalf("reminder run at 09:00 = %+v, want its first send done", r)
	}
	if n := len(scheduledMessagesAny(t, e, mariana)); n != 1 {
		t.Fatalf("Mariana got %d reminders at 09:00, want the auto-mecânica's", n)
	}
	// She leaves the clínica before her second recipient comes.
	if status, body := admin.do("PUT", "/api/addressbook/"+mariana, map[string]any{"name": "Mariana", "companies": []string{"auto-mecanica-sul"}}); status != http.StatusOK {
		t.Fatalf("unlink Mariana from the clínica: %d %s", status, body)
	}
	var run balcao.ScheduleRun
	for i := 0; ; i++ {
		if r := runs(); len(r) == 1 && r[0].Done {
			run = r[0]
			break
		}
		if i > 30 {
			t.Fatalf("reminder run = %+v", runs())
		}
		clock.next(t)
	}
	var hers []string
	for _, j := range admin.allJobs() {
		if j.Phone == mariana && j.Intent == "das" && j.Competence == "2026-10" {
			hers = append(hers, j.Company)
		}
	}
	if !slices.Equal(hers, []string{"auto-mecanica-sul"}) {
		t.Fatalf("Mariana's DAS 2026-10 jobs are for %q, want one for auto-mecanica-sul", hers)
	}
	if run.Failed != 1 || run.Sent != run.Total-1 {
		t.Fatalf("reminder run = %+v, want all sent but Mariana for the clínica, counted as failed", run)
	}
	if n := len(scheduledMessagesAny(t, e, mariana)); n != 1 {
		t.Fatalf("Mariana got %d reminders, want only the auto-mecânica's", n)
	}
}

// TestScheduledDocumentRequestResolvedAtSend: "todo dia 5, o holerite do mês anterior" to a
// company's contacts, made in April: each occurrence asks for the month before its own (not
// before the day the schedule was made), with {competencia} filled alike.
func TestScheduledDocumentRequestResolvedAtSend(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 4, 20, 8, 0, 0, 0, spLoc))
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	arms := clock.arms0()
	status, body := admin.do("POST", "/api/schedules", map[string]any{
		"name": "Holerite", "text": "Segue o holerite de {competencia}, {cliente}.", "enabled": true,
		"target":     map[string]string{"kind": "company", "id": "padaria-pao-quente"},
		"recurrence": map[string]any{"kind": "monthly", "time": "09:00", "day": 5},
		"request":    map[string]string{"intent": "holerite", "competence": "previous_month"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create schedule: %d %s", status, body)
	}
	sc := decode[struct{ Schedule balcao.Schedule }](t, body).Schedule
	clock.waitSleep(t, arms)

	const carlos = "5548999990001" // the padaria's contact
	for _, occ := range []struct {
		at         time.Time
		competence string
		text       string
	}{
		{time.Date(2026, 5, 5, 9, 0, 0, 0, spLoc), "2026-04", "Segue o holerite de 04/2026, Carlos."},
		{time.Date(2026, 6, 5, 9, 0, 0, 0, spLoc), "2026-05", "Segue o holerite de 05/2026, Carlos."},
	} {
		clock.advance(t, occ.at)
		for i := 0; ; i++ {
			if run := admin.run(sc.ID); run.Done && run.At.Equal(occ.at) {
				if run.Sent != run.Total || run.Failed != 0 || run.Total == 0 {
					t.Fatalf("run of %v = %+v, want every recipient sent", occ.at, run)
				}
				break
			}
			if i > 30 {
				t.Fatalf("run of %v never finished: %+v", occ.at, admin.run(sc.ID))
			}
			clock.next(t)
		}
		if n := len(scheduledMessages(t, e, carlos, occ.text)); n != 1 {
			t.Errorf("Carlos got %d messages %q, want 1", n, occ.text)
		}
		var asked []string
		for _, j := range admin.allJobs() {
			if j.Phone == carlos && j.Intent == "holerite" {
				asked = append(asked, j.Company+" "+j.Competence)
			}
		}
		if !slices.Contains(asked, "padaria-pao-quente "+occ.competence) {
			t.Errorf("Carlos's holerite requests after %v = %q, want one for %s", occ.at, asked, occ.competence)
		}
	}
}

// TestOnceScheduleSendsOnce: a one-off message to a contact goes out at its time, once; the
// schedule then has no next occurrence, and later days send nothing more.
func TestOnceScheduleSendsOnce(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 5, 4, 8, 0, 0, 0, spLoc))
	e := startClocked(t, t.TempDir(), clock)
	admin := newClient(t, e)
	admin.login("demo", "admin")
	const phone, text = "5548999990001", "Lembrete: reunião amanhã às 10h, {cliente}."
	arms := clock.arms0()
	status, body := admin.do("POST", "/api/schedules", map[string]any{
		"name": "Reunião", "text": text, "enabled": true,
		"target":     map[string]string{"kind": "contact", "id": phone},
		"recurrence": map[string]any{"kind": "once", "at": "2026-05-04T10:30"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create schedule: %d %s", status, body)
	}
	sc := decode[struct{ Schedule balcao.Schedule }](t, body).Schedule
	clock.waitSleep(t, arms)
	const want = "Lembrete: reunião amanhã às 10h, Carlos."
	clock.advance(t, time.Date(2026, 5, 4, 10, 29, 0, 0, spLoc))
	if n := len(scheduledMessages(t, e, phone, want)); n != 0 {
		t.Fatalf("%d messages a minute before the time, want none", n)
	}
	clock.advance(t, time.Date(2026, 5, 4, 10, 30, 0, 0, spLoc))
	for i := 0; !admin.run(sc.ID).Done; i++ {
		if i > 10 {
			t.Fatalf("run never finished: %+v", admin.run(sc.ID))
		}
		clock.next(t)
	}
	if run := admin.run(sc.ID); run.Sent != 1 || run.Total != 1 {
		t.Fatalf("run = %+v, want 1 of 1 sent", run)
	}
	clock.advance(t, time.Date(2026, 5, 5, 10, 30, 0, 0, spLoc))
	clock.advance(t, time.Date(2026, 6, 4, 10, 30, 0, 0, spLoc))
	if n := len(scheduledMessages(t, e, phone, want)); n != 1 {
		t.Fatalf("Carlos got %d messages, want 1", n)
	}
	got, err := e.DB().Schedule(engine.DemoOffice, sc.ID)
	if err != nil || !got.Next.IsZero() {
		t.Fatalf("schedule after its one occurrence = %+v (%v), want no next occurrence", got, err)
	}
}
