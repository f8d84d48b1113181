package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// Tax-guide reminders. For each guide an office enables (Settings.Reminders), the guide due
// this month (the previous month's competence, due on the 20th or the business day
// balcao.GuideDueDate moves it to) is sent DaysBefore days before its due date, from
// reminderHour, to the contacts of every enabled company that has not received it yet. The
// reminder of a guide and competence starts once (key remind/{guide}/{competence}, in the same
// batch as its run); its messages go out like a schedule's, paced and idempotent, each with a
// document request. Each guide keeps a bounded history, as a schedule does: a new reminder
// drops, in its batch, the runs and markers of the guide's finished reminders after the newest
// keptRuns. Only past competences go: a reminder is only ever due for the current one (the
// previous month's), and a marker dropped for it would start that reminder again.

// reminderHour is when, on its day, a reminder starts (São Paulo).
const reminderHour = 9

// reminderRunPrefix starts the schedule id of a reminder's run: "lembrete-das-2026-10".
const reminderRunPrefix = "lembrete-"

// reminders starts the reminder runs that are due in an office; it returns the wait until the
// next one may be due.
func (s *scheduler) reminders(office string, now time.Time) (time.Duration, error) {
	settings, err := s.e.db.Settings(office)
	if err != nil {
		return retryAfter, err
	}
	r := settings.Reminders
	if len(r.Guides) == 0 || r.DaysBefore < 1 {
		return maxIdleWait, nil
	}
	loc := assistant.Location()
	lt := now.In(loc)
	competence := time.Date(lt.Year(), lt.Month()-1, 1, 12, 0, 0, 0, loc).Format("2006-01")
	wait := maxIdleWait
	for _, guide := range r.Guides {
		// Each guide has its own due date: the DAS moves forward over a weekend, the others back.
		due := balcao.GuideDueDate(guide, lt.Year(), lt.Month(), loc)
		start := time.Date(due.Year(), due.Month(), due.Day()-r.DaysBefore, reminderHour, 0, 0, 0, loc)
		if now.Before(start) {
			wait = min(wait, start.Sub(now))
			continue
		}
		if !now.Before(time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, loc)) {
			continue // this month's guide is due: next month's reminder
		}
		if err := s.openReminder(office, guide, competence, due, start, now); err != nil {
			return retryAfter, fmt.Errorf("reminder %s %s: %w", guide, competence, err)
		}
	}
	return wait, nil
}

// openReminder starts the reminder of a guide for a competence unless it was started before.
func (s *scheduler) openReminder(office, guide, competence string, due, start, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.e.db
	key := storage.ReminderKey(office, guide, competence)
	if done, err := db.Has(key); err != nil || done {
		return err
	}
	companies, err := db.Companies(office)
	if err != nil {
		return err
	}
	var recipients []balcao.Recipient
	for _, co := range companies {
		if !co.Enabled {
			continue
		}
		sent, err := s.guideDelivered(office, co.ID, guide, competence)
		if err != nil {
			return err
		}
		if sent {
			continue
		}
		phones, err := db.CompanyContacts(office, co.ID)
		if err != nil {
			return err
		}
		for _, p := range phones {
			recipients = append(recipients, balcao.Recipient{Phone: p, Company: co.ID})
		}
	}
	label := strings.ToUpper(guide)
	if guide == "inss" {
		label = "INSS (DCTFWeb)"
	}
	month := competence[5:] + "/" + competence[:4]
	run := balcao.ScheduleRun{
		Schedule: reminderRunID(guide, competence),
		Name:     "Lembrete: guia do " + label + " de " + month,
		At:       start, Author: balcao.AuthorSystem, Recipients: recipients, Total: len(recipients), StartedAt: now,
		Text: "Olá, {cliente}! Lembrete do escritório: a guia do " + label + " de {empresa} (competência " + month +
			") vence em " + due.Format("02/01/2006") + ". Segue a guia.",
		Request: &balcao.ScheduleRequest{Intent: guide, Competence: competence},
	}
	b := &storage.Batch{}
	b.Set(key, nil)
	if err := s.dropOldReminders(b, office, guide, competence, keptRuns-1); err != nil {
		return err
	}
	return s.storeRun(office, b, &run, now)
}

// reminderRunID is the schedule id of the run of a guide's reminder for a competence.
func reminderRunID(guide, competence string) string {
	return reminderRunPrefix + guide + "-" + competence
}

// dropOldReminders adds to b the deletion of a guide's reminders after its newest keep, each
// competence's runs and marker, when the competence is before current (the one whose reminder
// may still start: its marker is what keeps it from starting twice) and its run is finished.
// s.mu must be held.
func (s *scheduler) dropOldReminders(b *storage.Batch, office, guide, current string, keep int) error {
	db := s.e.db
	competences, err := db.ReminderCompetences(office, guide)
	if err != nil {
		return err
	}
	for i, c := range competences {
		if i < keep || c >= current {
			continue
		}
		id := reminderRunID(guide, c)
		runs, err := db.Runs(office, id, keptRuns)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(runs, func(r balcao.ScheduleRun) bool { return !r.Done }) {
			continue // still sending: dropped by a later reminder once finished
		}
		b.Delete(storage.ReminderKey(office, guide, c))
		if err := db.DropAllRuns(b, office, id); err != nil {
			return err
		}
	}
	return nil
}

// guideDelivered reports whether a company already received a guide for a competence: a
// document of that kind and period is in its portal (published when a job delivered it). The
// portal lists newest first and the guide is for last month, so the newest 2 000 documents
// (months of a busy company) are enough to look at.
func (s *scheduler) guideDelivered(office, company, guide, competence string) (bool, error) {
	found := false
	cursor := ""
	for pages := 0; pages < 10 && !found; pages++ {
		docs, next, err := s.e.db.PortalDocuments(office, company, cursor, 200)
		if err != nil {
			return false, err
		}
		for _, d := range docs {
			if d.Intent == guide && d.Competence == competence {
				found = true
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return found, nil
}
