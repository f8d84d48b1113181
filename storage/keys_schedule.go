package storage

import (
	"math"
	"strings"
	"time"
)

// Keys of scheduled messages, broadcast lists and reminders (see keys.go for the conventions).
//
//	o/{office}/blist/{id}                          balcao.BroadcastList
//	o/{office}/sched/{id}                          balcao.Schedule
//	o/{office}/schedx/{next:16x}/{id}              empty: an enabled schedule by next occurrence
//	o/{office}/run/{schedule}/{^at:16x}            balcao.ScheduleRun, newest occurrence first
//	o/{office}/runrcp/{schedule}/{at:16x}/{i:16x}  balcao.Recipient, dropped when the run finishes
//	o/{office}/runopen/{at:16x}/{schedule}         empty: a run not finished (resumed at start), oldest first
//	o/{office}/ssent/{schedule}/{at:16x}/{phone}[/{company}]   balcao.ScheduledSend, written with the message, dropped when the run finishes
//	o/{office}/remind/{guide}/{competence}         empty: the reminder run of a guide was started; dropped with the run, once older than the newest 20

// BroadcastListKey is the key of a broadcast list.
func BroadcastListKey(office, id string) []byte { return officeKey(office, "blist", id) }

// BroadcastListsPrefix is the prefix of an office's broadcast lists.
func BroadcastListsPrefix(office string) []byte { return officeKey(office, "blist", "") }

// ScheduleKey is the key of a schedule.
func ScheduleKey(office, id string) []byte { return officeKey(office, "sched", id) }

// SchedulesPrefix is the prefix of an office's schedules.
func SchedulesPrefix(office string) []byte { return officeKey(office, "sched", "") }

// ScheduleDueKey is the entry of an enabled schedule in the queue of next occurrences.
func ScheduleDueKey(office string, next time.Time, id string) []byte {
	return officeKey(office, "schedx", hex16(keyNanos(next))+"/"+id)
}

// ScheduleDuePrefix is the prefix of the queue of next occurrences.
func ScheduleDuePrefix(office string) []byte { return officeKey(office, "schedx", "") }

// ParseScheduleDueKey returns the next occurrence and the schedule of a queue entry.
func ParseScheduleDueKey(office string, key []byte) (time.Time, string, bool) {
	return parseTimeID(key, ScheduleDuePrefix(office))
}

// RunKey is the key of one occurrence's run.
func RunKey(office, schedule string, at time.Time) []byte {
	return officeKey(office, "run", schedule+"/"+hex16(math.MaxUint64-keyNanos(at)))
}

// RunRecipientKey is the i-th recipient of a run (a balcao.Recipient).
func RunRecipientKey(office, schedule string, at time.Time, i int) []byte {
	return officeKey(office, "runrcp", schedule+"/"+hex16(keyNanos(at))+"/"+hex16(uint64(i)))
}

// RunRecipientsPrefix is the prefix of one occurrence's recipients.
func RunRecipientsPrefix(office, schedule string, at time.Time) []byte {
	return officeKey(office, "runrcp", schedule+"/"+hex16(keyNanos(at))+"/")
}

// RunsPrefix is the prefix of a schedule's runs, newest first.
func RunsPrefix(office, schedule string) []byte { return officeKey(office, "run", schedule+"/") }

// OpenRunKey marks a run not yet finished.
func OpenRunKey(office string, at time.Time, schedule string) []byte {
	return officeKey(office, "runopen", hex16(keyNanos(at))+"/"+schedule)
}

// OpenRunsPrefix is the prefix of an office's unfinished runs, oldest occurrence first.
func OpenRunsPrefix(office string) []byte { return officeKey(office, "runopen", "") }

// ParseOpenRunKey returns the occurrence and the schedule of an open run entry.
func ParseOpenRunKey(office string, key []byte) (time.Time, string, bool) {
	return parseTimeID(key, OpenRunsPrefix(office))
}

// ScheduledSendKey records that a run's message reached a phone's conversation: the
// idempotency key of scheduled sends (schedule, occurrence, phone). A reminder may write to one
// phone for each of its companies: the company, when given, is part of the key.
func ScheduledSendKey(office, schedule string, at time.Time, phone, company string) []byte {
	rest := schedule + "/" + hex16(keyNanos(at)) + "/" + phone
	if company != "" {
		rest += "/" + company
	}
	return officeKey(office, "ssent", rest)
}

// ScheduledSendsPrefix is the prefix of the send records of one occurrence.
func ScheduledSendsPrefix(office, schedule string, at time.Time) []byte {
	return officeKey(office, "ssent", schedule+"/"+hex16(keyNanos(at))+"/")
}

// ReminderKey marks the reminder of a guide for a competence as started.
func ReminderKey(office, guide, competence string) []byte {
	return officeKey(office, "remind", guide+"/"+competence)
}

// RemindersPrefix is the prefix of a guide's reminder markers, by competence.
func RemindersPrefix(office, guide string) []byte { return officeKey(office, "remind", guide+"/") }

// parseTimeID reads "{prefix}{t:16x}/{id}".
func parseTimeID(key, prefix []byte) (time.Time, string, bool) {
	if len(key) < len(prefix)+18 || string(key[:len(prefix)]) != string(prefix) {
		return time.Time{}, "", false
	}
	rest := string(key[len(prefix):])
	hexPart, id, ok := strings.Cut(rest, "/")
	if !ok || len(hexPart) != 16 || id == "" {
		return time.Time{}, "", false
	}
	var n uint64
	for _, c := range hexPart {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | uint64(c-'a'+10)
		default:
			return time.Time{}, "", false
		}
	}
	return time.Unix(0, int64(n)), id, true
}
