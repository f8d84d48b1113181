package storage

import (
	"bytes"
	"errors"
	"time"

	"github.com/balcao/balcao"
)

// BroadcastList returns one broadcast list.
func (db *DB) BroadcastList(office, id string) (balcao.BroadcastList, error) {
	var l balcao.BroadcastList
	return l, db.Get(BroadcastListKey(office, id), &l)
}

// BroadcastLists lists an office's broadcast lists by id.
func (db *DB) BroadcastLists(office string) ([]balcao.BroadcastList, error) {
	return scanAll[balcao.BroadcastList](db, BroadcastListsPrefix(office))
}

// Schedule returns one schedule.
func (db *DB) Schedule(office, id string) (balcao.Schedule, error) {
	var s balcao.Schedule
	return s, db.Get(ScheduleKey(office, id), &s)
}

// Schedules lists an office's schedules by id.
func (db *DB) Schedules(office string) ([]balcao.Schedule, error) {
	return scanAll[balcao.Schedule](db, SchedulesPrefix(office))
}

// DueSchedule is a schedule's entry in its office's queue: the occurrence its key names.
type DueSchedule struct {
	ID string
	At time.Time
}

// DueSchedules returns the enabled schedules whose next occurrence is at or before now, oldest
// first, and the next occurrence after now (zero when none).
func (db *DB) DueSchedules(office string, now time.Time) (due []DueSchedule, next time.Time, err error) {
	err = db.Scan(ScheduleDuePrefix(office), nil, false, func(k, _ []byte) bool {
		at, id, ok := ParseScheduleDueKey(office, k)
		if !ok {
			return true
		}
		if at.After(now) {
			next = at
			return false
		}
		due = append(due, DueSchedule{ID: id, At: at})
		return true
	})
	return due, next, err
}

// Run returns one occurrence's run.
func (db *DB) Run(office, schedule string, at time.Time) (balcao.ScheduleRun, error) {
	var r balcao.ScheduleRun
	return r, db.Get(RunKey(office, schedule, at), &r)
}

// RunRecipient returns the i-th recipient of a run.
func (db *DB) RunRecipient(office, schedule string, at time.Time, i int) (balcao.Recipient, error) {
	var r balcao.Recipient
	return r, db.Get(RunRecipientKey(office, schedule, at, i), &r)
}

// Runs returns up to limit runs of a schedule, newest occurrence first.
func (db *DB) Runs(office, schedule string, limit int) ([]balcao.ScheduleRun, error) {
	var out []balcao.ScheduleRun
	var derr error
	err := db.Scan(RunsPrefix(office, schedule), nil, false, func(_, v []byte) bool {
		var r balcao.ScheduleRun
		if derr = Decode(v, &r); derr != nil {
			return false
		}
		out = append(out, r)
		return len(out) < limit
	})
	return out, errors.Join(err, derr)
}

// DropRunDetail adds to b the deletion of what a finished run no longer needs: its recipients
// (read one at a time while it sends) and its send records (the idempotency of sends that are
// over). Its run record, the progress the screens show, stays.
func (db *DB) DropRunDetail(b *Batch, office, schedule string, at time.Time) error {
	for _, prefix := range [][]byte{RunRecipientsPrefix(office, schedule, at), ScheduledSendsPrefix(office, schedule, at)} {
		err := db.Scan(prefix, nil, false, func(k, _ []byte) bool {
			b.Delete(bytes.Clone(k))
			return true
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// DropOldRuns adds to b the deletion of a schedule's finished runs after its newest keep,
// records and detail, so that a schedule repeated for years keeps a bounded history.
func (db *DB) DropOldRuns(b *Batch, office, schedule string, keep int) error {
	return db.dropRuns(b, office, schedule, keep)
}

// DropAllRuns adds to b the deletion of every run of a schedule that is being deleted (its open
// runs canceled in b), records and detail.
func (db *DB) DropAllRuns(b *Batch, office, schedule string) error {
	return db.dropRuns(b, office, schedule, -1)
}

// dropRuns drops the runs after the newest keep that are finished, or all of them when keep is
// negative.
func (db *DB) dropRuns(b *Batch, office, schedule string, keep int) error {
	var old []balcao.ScheduleRun
	var derr error
	n := 0
	err := db.Scan(RunsPrefix(office, schedule), nil, false, func(_, v []byte) bool {
		if n++; keep >= 0 && n <= keep {
			return true
		}
		var r balcao.ScheduleRun
		if derr = Decode(v, &r); derr != nil {
			return false
		}
		if r.Done || keep < 0 {
			old = append(old, r)
		}
		return true
	})
	if err = errors.Join(err, derr); err != nil {
		return err
	}
	for _, r := range old {
		b.Delete(RunKey(office, schedule, r.At))
		if err := db.DropRunDetail(b, office, schedule, r.At); err != nil {
			return err
		}
	}
	return nil
}

// ReminderCompetences lists the competences whose reminder of a guide was started (its
// marker is there), newest first.
func (db *DB) ReminderCompetences(office, guide string) ([]string, error) {
	prefix := RemindersPrefix(office, guide)
	var out []string
	err := db.Scan(prefix, nil, true, func(k, _ []byte) bool {
		out = append(out, string(k[len(prefix):]))
		return true
	})
	return out, err
}

// OpenRuns returns the unfinished runs of an office, oldest occurrence first.
func (db *DB) OpenRuns(office string) ([]balcao.ScheduleRun, error) {
	type ref struct {
		at       time.Time
		schedule string
	}
	var refs []ref
	err := db.Scan(OpenRunsPrefix(office), nil, false, func(k, _ []byte) bool {
		if at, id, ok := ParseOpenRunKey(office, k); ok {
			refs = append(refs, ref{at, id})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]balcao.ScheduleRun, 0, len(refs))
	for _, r := range refs {
		run, err := db.Run(office, r.schedule, r.at)
		if errors.Is(err, balcao.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	return out, nil
}

// ScheduledSends lists the send records of one occurrence, by phone.
func (db *DB) ScheduledSends(office, schedule string, at time.Time) ([]balcao.ScheduledSend, error) {
	return scanAll[balcao.ScheduledSend](db, ScheduledSendsPrefix(office, schedule, at))
}
