package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// Clock is the time source of the scheduler (and, through Config.Now, of the actors). Tests
// inject a fake one to move time without sleeping.
type Clock interface {
	Now() time.Time
	// Timer returns a channel that receives once d has passed, and a function that stops it.
	Timer(d time.Duration) (<-chan time.Time, func())
}

type realClock struct{ now func() time.Time }

func (c realClock) Now() time.Time { return c.now() }

func (realClock) Timer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// Pacing of scheduled and broadcast sends. WhatsApp bans numbers that write to many people who
// did not write first (FIELD-NOTES: "pace and jitter proactive sends"), so one office sends at
// most one such message every sendGap (20 a minute), each gap lengthened by up to sendJitter
// so that the rhythm does not look machine-made: 500 contacts take about 27 minutes.
const (
	sendGap    = 3 * time.Second
	sendJitter = 500 * time.Millisecond
	// retryAfter is the wait after a send failed for a reason that may pass (a conversation
	// busy, the writer slow); after maxSendAttempts the recipient is counted as failed.
	retryAfter      = 30 * time.Second
	maxSendAttempts = 5
	// maxIdleWait bounds a sleep of the loop: reminders are looked at least this often.
	maxIdleWait = time.Hour
	// keptRuns is how many runs of a schedule are kept (the schedule's screen shows the last
	// 10): a new run drops the finished ones after them. A finished run's recipients and send
	// records are dropped when it finishes; its record, the counts the screens show, stays.
	keptRuns = 20
)

// scheduler runs scheduled messages, broadcasts and reminders for every office. One goroutine
// (loop) starts the occurrences that are due (a run: recipients fixed, the schedule's next
// occurrence moved, both in one batch) and sends the runs' messages one at a time, paced per
// office, through the conversation actors (actors.SendScheduled, idempotent per schedule,
// occurrence and phone). After each send the run's cursor is stored; a restart resumes the
// open runs from there, and a recipient handled but not yet counted is found in its send
// record, never sent twice. Each pass also drops the office's spent portal login link markers
// whose links have expired (Engine.dropSpentLogins), and the staff sessions that have expired
// (Engine.dropSessions).
type scheduler struct {
	e     *Engine
	clock Clock
	log   *slog.Logger

	// mu serializes read-modify-write of schedules and runs between the loop and API calls.
	// It is never held across an actor request.
	mu sync.Mutex

	wake chan struct{} // capacity 1: something changed, look again now
	stop chan struct{}
	done chan struct{}

	// Loop goroutine only.
	nextSend map[string]time.Time // office → earliest time of its next send
	attempts map[string]int       // run recipient → failed attempts
}

func startScheduler(e *Engine, clock Clock) *scheduler {
	s := &scheduler{
		e: e, clock: clock, log: e.log.With("component", "scheduler"),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		nextSend: map[string]time.Time{}, attempts: map[string]int{},
	}
	go s.loop()
	return s
}

// close stops the loop after the send in progress, and waits for it.
func (s *scheduler) close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
}

// poke makes the loop look again now (a schedule was saved, a broadcast created).
func (s *scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *scheduler) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		wait := s.pass()
		c, stop := s.clock.Timer(wait)
		select {
		case <-s.stop:
			stop()
			return
		case <-s.wake:
			stop()
		case <-c:
		}
	}
}

// pass does what is due now in every office and returns how long to wait for the next thing.
func (s *scheduler) pass() time.Duration {
	if err := s.e.dropSessions(); err != nil {
		s.log.Error("drop expired staff sessions", "err", err)
	}
	offices, err := s.e.db.Offices()
	if err != nil {
		s.log.Error("list offices", "err", err)
		return retryAfter
	}
	wait := maxIdleWait
	for _, o := range offices {
		wait = min(wait, s.office(o.ID, s.clock.Now()))
	}
	return max(wait, 0)
}

func (s *scheduler) office(office string, now time.Time) time.Duration {
	wait := maxIdleWait
	if err := s.e.dropSpentLogins(office, now); err != nil {
		s.log.Error("drop expired portal login markers", "office", office, "err", err)
	}
	if d, err := s.reminders(office, now); err != nil {
		s.log.Error("reminders", "office", office, "err", err)
	} else {
		wait = min(wait, d)
	}
	next, err := s.openDue(office, now)
	if err != nil {
		s.log.Error("start scheduled occurrences", "office", office, "err", err)
		return retryAfter
	}
	if !next.IsZero() {
		wait = min(wait, next.Sub(now))
	}
	runs, err := s.e.db.OpenRuns(office)
	if err != nil {
		s.log.Error("list open runs", "office", office, "err", err)
		return retryAfter
	}
	if len(runs) == 0 {
		return wait
	}
	ns, ok := s.nextSend[office]
	if !ok {
		// After a restart, keep the pace of the sends stored before it.
		for _, r := range runs {
			if !r.LastSend.IsZero() && r.LastSend.Add(sendGap).After(ns) {
				ns = r.LastSend.Add(sendGap)
			}
		}
		s.nextSend[office] = ns
	}
	if now.Before(ns) {
		return min(wait, ns.Sub(now))
	}
	return min(wait, s.sendOne(office, runs[0], now))
}

// openDue starts the runs of the office's schedules that are due, and returns the next
// occurrence after now (zero when none).
func (s *scheduler) openDue(office string, now time.Time) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	due, next, err := s.e.db.DueSchedules(office, now)
	if err != nil {
		return time.Time{}, err
	}
	for _, d := range due {
		id := d.ID
		sc, err := s.e.db.Schedule(office, id)
		if err != nil {
			return next, fmt.Errorf("load schedule %s: %w", id, err)
		}
		if sc.Next.After(now) {
			// Its queue entry said due: the key's time wrapped around (a one-off past 2262,
			// stored by a version before the keys held such times, storage.keyNanos). Stopped,
			// not started centuries early; the entry goes by the time its key names.
			s.log.Warn("schedule beyond the key range stopped", "office", office, "schedule", id, "next", sc.Next)
			b := &storage.Batch{}
			b.Delete(storage.ScheduleDueKey(office, d.At, id))
			sc.Next, sc.Enabled = time.Time{}, false
			b.Put(storage.ScheduleKey(office, id), &sc)
			if err := s.commit(b); err != nil {
				return next, fmt.Errorf("stop schedule %s: %w", id, err)
			}
			continue
		}
		if err := s.openRun(office, sc, now); err != nil {
			return next, fmt.Errorf("start schedule %s: %w", id, err)
		}
	}
	if len(due) > 0 {
		// Opening moved the schedules' next occurrences: read the earliest again.
		_, next, err = s.e.db.DueSchedules(office, now)
	}
	return next, err
}

// openRun starts the occurrence sc.Next of a schedule: its run (recipients fixed now) and the
// schedule's following occurrence are stored in one batch, so a crash either starts it once or
// not at all. Occurrences missed while the server was down are covered by this one run.
// s.mu must be held.
func (s *scheduler) openRun(office string, sc balcao.Schedule, now time.Time) error {
	db, loc := s.e.db, assistant.Location()
	settings, err := db.Settings(office)
	if err != nil {
		return err
	}
	recipients, err := s.expand(office, sc.Target)
	if err != nil {
		return err
	}
	occ := sc.Next
	run := balcao.ScheduleRun{
		Schedule: sc.ID, Name: sc.Name, At: occ, Text: sc.Text, Author: balcao.AuthorSystem,
		Recipients: recipients, Total: len(recipients), StartedAt: now,
	}
	if sc.Request != nil {
		run.Request = &balcao.ScheduleRequest{Intent: sc.Request.Intent, Competence: sc.Request.Resolve(occ, loc)}
	}
	b := &storage.Batch{}
	b.Delete(storage.ScheduleDueKey(office, sc.Next, sc.ID))
	sc.Next = sc.Recurrence.Next(now, loc, settings)
	if !sc.Next.IsZero() {
		b.Set(storage.ScheduleDueKey(office, sc.Next, sc.ID), nil)
	}
	b.Put(storage.ScheduleKey(office, sc.ID), &sc)
	return s.storeRun(office, b, &run, now)
}

// storeRun adds a new run to b (open, or finished at once when it has nobody to send to),
// commits and announces it. s.mu must be held.
func (s *scheduler) storeRun(office string, b *storage.Batch, run *balcao.ScheduleRun, now time.Time) error {
	if run.Total == 0 {
		run.Done, run.FinishedAt = true, now
	} else {
		b.Set(storage.OpenRunKey(office, run.At, run.Schedule), nil)
	}
	for i := range run.Recipients {
		b.Put(storage.RunRecipientKey(office, run.Schedule, run.At, i), &run.Recipients[i])
	}
	b.Put(storage.RunKey(office, run.Schedule, run.At), run)
	if err := s.e.db.DropOldRuns(b, office, run.Schedule, keptRuns-1); err != nil {
		return err
	}
	if err := s.commit(b); err != nil {
		return err
	}
	s.e.hub.Publish(office, balcao.EventScheduleProgress, run)
	return nil
}

// commit writes a batch of the scheduler's and waits until it is durable, for at most 30 s.
func (s *scheduler) commit(b *storage.Batch) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.e.db.Writer.Commit(ctx, b)
}

// expand turns a target into its recipients, each phone once: a contact; the contacts of an
// enabled company; a list's contacts, then its companies' contacts.
func (s *scheduler) expand(office string, t balcao.Target) ([]balcao.Recipient, error) {
	db := s.e.db
	var out []balcao.Recipient
	seen := map[string]bool{}
	add := func(phone, company string) {
		if !seen[phone] {
			seen[phone] = true
			out = append(out, balcao.Recipient{Phone: phone, Company: company})
		}
	}
	addCompany := func(id string) error {
		co, err := db.Company(office, id)
		if errors.Is(err, balcao.ErrNotFound) || (err == nil && !co.Enabled) {
			return nil
		}
		if err != nil {
			return err
		}
		phones, err := db.CompanyContacts(office, id)
		for _, p := range phones {
			add(p, id)
		}
		return err
	}
	addContact := func(phone string) error {
		if _, err := db.Contact(office, phone); errors.Is(err, balcao.ErrNotFound) {
			return nil // removed since
		} else if err != nil {
			return err
		}
		add(phone, "")
		return nil
	}
	switch t.Kind {
	case balcao.TargetContact:
		return out, addContact(t.ID)
	case balcao.TargetCompany:
		return out, addCompany(t.ID)
	case balcao.TargetList:
		l, err := db.BroadcastList(office, t.ID)
		if errors.Is(err, balcao.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, p := range l.Contacts {
			if err := addContact(p); err != nil {
				return nil, err
			}
		}
		for _, id := range l.Companies {
			if err := addCompany(id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// sendOne hands the next recipient of a run to its conversation and stores the run's progress;
// it returns the wait before this office's next send.
func (s *scheduler) sendOne(office string, run balcao.ScheduleRun, now time.Time) time.Duration {
	if run.Next >= run.Total {
		// Finished but not closed (should not happen).
		if err := s.advance(office, run, 0, now, false); err != nil {
			return s.pause(office, now)
		}
		return 0
	}
	rcp, err := s.e.db.RunRecipient(office, run.Schedule, run.At, run.Next)
	if errors.Is(err, balcao.ErrNotFound) {
		return 0 // its schedule was deleted since the run was picked, and the run with it
	}
	if err != nil {
		s.log.Error("load run recipient", "office", office, "schedule", run.Schedule, "err", err)
		return s.pause(office, now)
	}
	attemptKey := fmt.Sprintf("%s/%s/%d/%d", office, run.Schedule, run.At.UnixNano(), run.Next)
	cmd := &actors.SendScheduled{
		Phone: rcp.Phone, Company: rcp.Company, Schedule: run.Schedule, Occurrence: run.At, Author: run.Author,
		Text: s.fill(office, &run, rcp), Retry: s.attempts[attemptKey] > 0,
	}
	if q := run.Request; q != nil {
		cmd.Request = &assistant.Request{Intent: assistant.Intent(q.Intent), Competence: q.Competence}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	res, err := s.e.actors.Request(ctx, office, cmd)
	cancel()
	if errors.Is(err, balcao.ErrClosed) {
		return s.pause(office, now) // shutting down: the run resumes at the next start
	}
	failed := false
	if errors.Is(err, actors.ErrNotLinked) {
		// The contact left the company, or it was disabled, since the run started: nothing
		// went out, and trying again would not change that.
		s.log.Info("scheduled send skipped: contact no longer linked to the company", "office", office, "schedule", run.Schedule, "phone", balcao.MaskPhone(rcp.Phone))
		failed = true
	} else if err != nil {
		s.attempts[attemptKey]++
		s.log.Warn("scheduled send", "office", office, "schedule", run.Schedule, "phone", balcao.MaskPhone(rcp.Phone), "attempt", s.attempts[attemptKey], "err", err)
		if s.attempts[attemptKey] < maxSendAttempts {
			return s.pause(office, now)
		}
		failed = true
	}
	delete(s.attempts, attemptKey)
	sentNow := err == nil && res.Message != nil
	if err := s.advance(office, run, 1, now, failed); err != nil {
		return s.pause(office, now) // the progress is not stored: the recipient is tried again
	}
	if !sentNow {
		return 0 // nothing went out this time (already sent before a restart, or failed)
	}
	gap := sendGap + rand.N(sendJitter)
	s.nextSend[office] = now.Add(gap)
	return gap
}

// pause holds an office's sends for retryAfter (a failed send or write), whatever wakes the
// loop meanwhile, and returns the wait.
func (s *scheduler) pause(office string, now time.Time) time.Duration {
	s.nextSend[office] = now.Add(retryAfter)
	return retryAfter
}

// advance stores that n more recipients of a run were handled (failed says how), closing the
// run after its last one, and announces the progress.
func (s *scheduler) advance(office string, run balcao.ScheduleRun, n int, now time.Time, failed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Read again: the schedule may have been deleted (its runs with it) meanwhile; the send
	// records the conversation wrote since go too.
	cur, err := s.e.db.Run(office, run.Schedule, run.At)
	if errors.Is(err, balcao.ErrNotFound) {
		b := &storage.Batch{}
		if err := s.e.db.DropRunDetail(b, office, run.Schedule, run.At); err != nil || b.Len() == 0 {
			return err
		}
		return s.commit(b)
	}
	if err != nil {
		s.log.Error("load run", "office", office, "schedule", run.Schedule, "err", err)
		return err
	}
	cur.Next += n
	if failed {
		cur.Failed += n
	} else {
		cur.Sent += n
		cur.LastSend = now
	}
	b := &storage.Batch{}
	if cur.Next >= cur.Total && !cur.Done {
		cur.Done, cur.FinishedAt = true, now
		b.Delete(storage.OpenRunKey(office, cur.At, cur.Schedule))
		if err := s.e.db.DropRunDetail(b, office, cur.Schedule, cur.At); err != nil {
			s.log.Error("list a finished run's detail", "office", office, "schedule", run.Schedule, "err", err)
			return err
		}
	}
	b.Put(storage.RunKey(office, cur.Schedule, cur.At), &cur)
	if err := s.commit(b); err != nil {
		s.log.Error("store run progress", "office", office, "schedule", run.Schedule, "err", err)
		return err
	}
	s.e.hub.Publish(office, balcao.EventScheduleProgress, &cur)
	return nil
}

// fill renders the variables of a run's text as in the office's messages: the recipient's first
// name and company (the contact's first when the recipient has none), and the competence of
// the run's document request.
func (s *scheduler) fill(office string, run *balcao.ScheduleRun, rcp balcao.Recipient) string {
	text := run.Text
	if !strings.Contains(text, "{") {
		return text
	}
	db := s.e.db
	name, company := "", rcp.Company
	if c, err := db.Contact(office, rcp.Phone); err == nil {
		name = c.Name
		if company == "" && len(c.Companies) > 0 {
			company = c.Companies[0]
		}
	}
	companyName := ""
	if co, err := db.Company(office, company); err == nil {
		companyName = co.Name
	}
	vars := balcao.MessageVars{Cliente: assistant.FirstName(name), Empresa: companyName}
	if run.Request != nil {
		vars.Competencia = assistant.FormatCompetence(run.Request.Competence)
	}
	return balcao.RenderMessage(text, vars)
}

// cancelRuns adds to b the deletion of every run of a schedule that is being deleted, and
// returns its open runs as canceled, for the screens that show their progress. s.mu must be
// held.
func (s *scheduler) cancelRuns(office, schedule string, b *storage.Batch, now time.Time) ([]balcao.ScheduleRun, error) {
	runs, err := s.e.db.OpenRuns(office)
	if err != nil {
		return nil, err
	}
	runs = slices.DeleteFunc(runs, func(r balcao.ScheduleRun) bool { return r.Schedule != schedule })
	for i := range runs {
		r := &runs[i]
		r.Done, r.Canceled, r.FinishedAt = true, true, now
		b.Delete(storage.OpenRunKey(office, r.At, r.Schedule))
	}
	return runs, s.e.db.DropAllRuns(b, office, schedule)
}
