package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// Offices lists every office.
func (db *DB) Offices() ([]balcao.Office, error) {
	var out []balcao.Office
	var derr error
	err := db.Scan(OfficesPrefix(), nil, false, func(_, v []byte) bool {
		var o balcao.Office
		if derr = Decode(v, &o); derr != nil {
			return false
		}
		out = append(out, o)
		return true
	})
	return out, errors.Join(err, derr)
}

// Office returns one office. An office record is written once, when the office is created,
// and never changes: it is kept in memory after the first read (the greeting reads its name).
func (db *DB) Office(id string) (balcao.Office, error) {
	return db.offices.get(id, func() (balcao.Office, error) {
		var o balcao.Office
		return o, db.Get(OfficeKey(id), &o)
	})
}

// Company returns one company of an office.
func (db *DB) Company(office, id string) (balcao.Company, error) {
	var c balcao.Company
	return c, db.Get(CompanyKey(office, id), &c)
}

// Companies lists an office's companies by id.
func (db *DB) Companies(office string) ([]balcao.Company, error) {
	return scanAll[balcao.Company](db, officeKey(office, "company", ""))
}

// Contact returns one contact of an office by phone.
func (db *DB) Contact(office, phone string) (balcao.Contact, error) {
	var c balcao.Contact
	return c, db.Get(ContactKey(office, phone), &c)
}

// Contacts lists an office's contacts by phone.
func (db *DB) Contacts(office string) ([]balcao.Contact, error) {
	return scanAll[balcao.Contact](db, officeKey(office, "contact", ""))
}

// CompanyContacts lists the phones of a company's contacts.
func (db *DB) CompanyContacts(office, company string) ([]string, error) {
	var phones []string
	err := db.Scan(CompanyContactsPrefix(office, company), nil, false, func(k, _ []byte) bool {
		phones = append(phones, IndexPhone(k))
		return true
	})
	return phones, err
}

// StaffList lists an office's staff by user.
func (db *DB) StaffList(office string) ([]balcao.Staff, error) {
	return scanAll[balcao.Staff](db, officeKey(office, "staff", ""))
}

// Staff returns one staff member of an office. Accounts are read on every authenticated
// request and every finished service (a read from an sstable was ~100 µs under load), so they
// are kept decoded (see decoded). PutStaff and DeleteStaff change them; office creation writes
// accounts no one can have read. The value returned is shared: callers must not modify it.
func (db *DB) Staff(office, user string) (balcao.Staff, error) {
	key := StaffKey(office, user)
	return db.staff.get(string(key), func() (balcao.Staff, error) {
		var s balcao.Staff
		return s, db.Get(key, &s)
	})
}

// PutStaff stores a staff account durably and makes it the one Staff returns.
func (db *DB) PutStaff(ctx context.Context, office string, s balcao.Staff) error {
	key := StaffKey(office, s.User)
	b := &Batch{}
	b.Put(key, &s)
	return db.staff.write(string(key), s, false, func() error { return db.Writer.CommitSettled(b) })
}

// DeleteStaff removes a staff account durably.
func (db *DB) DeleteStaff(ctx context.Context, office, user string) error {
	key := StaffKey(office, user)
	b := &Batch{}
	b.Delete(key)
	return db.staff.write(string(key), balcao.Staff{}, true, func() error { return db.Writer.CommitSettled(b) })
}

// Conversation returns one conversation.
func (db *DB) Conversation(office, phone string) (balcao.Conversation, error) {
	var c balcao.Conversation
	return c, db.Get(ConversationKey(office, phone), &c)
}

func scanAll[T any](db *DB, prefix []byte) ([]T, error) {
	var out []T
	var derr error
	err := db.Scan(prefix, nil, false, func(k, v []byte) bool {
		var t T
		if derr = Decode(v, &t); derr != nil {
			derr = fmt.Errorf("decode %s: %w", k, derr)
			return false
		}
		out = append(out, t)
		return true
	})
	return out, errors.Join(err, derr)
}

// Messages returns up to limit messages of a conversation with a sequence number below before
// (0: from the newest), oldest first, and whether older ones remain; each with its delivery
// progress (Delivery) as last stored.
func (db *DB) Messages(office, phone string, before uint64, limit int) ([]balcao.Message, bool, error) {
	var after []byte
	if before > 0 {
		after = MessageKey(office, phone, before)
	}
	var out []balcao.Message // newest first until the end
	more := false
	var derr error
	err := db.Scan(MessagesPrefix(office, phone), after, true, func(_, v []byte) bool {
		if len(out) == limit {
			more = true
			return false
		}
		var m balcao.Message
		if derr = Decode(v, &m); derr != nil {
			return false
		}
		out = append(out, m)
		return true
	})
	if err == nil && derr == nil && len(out) > 0 {
		derr = db.overlayDeliveries(office, phone, out)
	}
	slices.Reverse(out)
	return out, more, errors.Join(err, derr)
}

// overlayDeliveries decodes the delivery records of msgs (newest first, as Messages reads
// them) over them: both lists are in sequence order, so one reverse scan of the records from
// the newest message down to the oldest matches them.
func (db *DB) overlayDeliveries(office, phone string, msgs []balcao.Message) error {
	oldest := msgs[len(msgs)-1].Seq
	i := 0
	var derr error
	err := db.Scan(MessageStatusesPrefix(office, phone), MessageStatusKey(office, phone, msgs[0].Seq+1), true, func(k, v []byte) bool {
		seq, ok := seqOfKey(k)
		if !ok {
			return true
		}
		if seq < oldest {
			return false
		}
		for i < len(msgs) && msgs[i].Seq > seq {
			i++
		}
		if i < len(msgs) && msgs[i].Seq == seq {
			if derr = Decode(v, &msgs[i]); derr != nil {
				derr = fmt.Errorf("decode %s: %w", k, derr)
				return false
			}
		}
		return true
	})
	return errors.Join(err, derr)
}

// Message returns one message, with its delivery progress as last stored.
func (db *DB) Message(office, phone string, seq uint64) (balcao.Message, error) {
	var m balcao.Message
	if err := db.Get(MessageKey(office, phone, seq), &m); err != nil {
		return m, err
	}
	if err := db.Get(MessageStatusKey(office, phone, seq), &m); err != nil && !errors.Is(err, balcao.ErrNotFound) {
		return m, err
	}
	return m, nil
}

// Transitions returns a conversation's state transitions, oldest first.
func (db *DB) Transitions(office, phone string) ([]balcao.Transition, error) {
	return scanAll[balcao.Transition](db, TransitionsPrefix(office, phone))
}

// Conversations returns a page of an inbox tab: up to limit conversations after the opaque
// cursor ("" for the first page) and the cursor of the next page ("" when there is none).
func (db *DB) Conversations(office string, tab balcao.Tab, cursor string, limit int) ([]balcao.Conversation, string, error) {
	phones, next, err := db.page(IndexPrefix(office, tab), cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]balcao.Conversation, 0, len(phones))
	for _, p := range phones {
		c, err := db.Conversation(office, p)
		if errors.Is(err, balcao.ErrNotFound) {
			continue // the index entry is newer than this read; the next page shows it
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}

// Outbox lists an office's outbound messages not yet handed to WhatsApp, by phone and
// sequence, in the order they were written: each entry's earlier replies (OutboxKey), then its
// last (end).
func (db *DB) Outbox(office string, fn func(phone string, seq uint64, end bool) bool) error {
	return db.Scan(OutboxPrefix(office), nil, false, func(k, v []byte) bool {
		phone, seq, ok := ParseOutboxKey(office, k)
		if !ok {
			return true
		}
		for ; len(v) >= 8; v = v[8:] {
			if !fn(phone, binary.BigEndian.Uint64(v), false) {
				return false
			}
		}
		return fn(phone, seq, true)
	})
}

// Job returns one job.
func (db *DB) Job(office, id string) (balcao.Job, error) {
	var j balcao.Job
	return j, db.Get(JobKey(office, id), &j)
}

// Jobs returns a page of a request centre tab, newest first, like Conversations.
func (db *DB) Jobs(office string, state balcao.JobState, cursor string, limit int) ([]balcao.Job, string, error) {
	ids, next, err := db.page(JobIndexPrefix(office, state), cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]balcao.Job, 0, len(ids))
	for _, id := range ids {
		j, err := db.Job(office, id)
		if err == nil && j.State == state {
			out = append(out, j)
		}
	}
	return out, next, nil
}

// OpenJobs lists the ids of an office's open jobs, by contact.
func (db *DB) OpenJobs(office string) ([]string, error) {
	var ids []string
	err := db.Scan(OpenJobsPrefix(office), nil, false, func(k, _ []byte) bool {
		ids = append(ids, IndexPhone(k))
		return true
	})
	return ids, err
}

// ContactJobs returns the open jobs of a contact.
func (db *DB) ContactJobs(office, phone string) ([]balcao.Job, error) {
	var out []balcao.Job
	err := db.Scan(ContactJobsPrefix(office, phone), nil, false, func(k, _ []byte) bool {
		if j, err := db.Job(office, IndexPhone(k)); err == nil {
			out = append(out, j)
		}
		return len(out) < 20
	})
	return out, err
}

// Document returns one published document.
func (db *DB) Document(office, id string) (balcao.StoredDocument, error) {
	var d balcao.StoredDocument
	return d, db.Get(DocumentKey(office, id), &d)
}

// PortalDocuments returns a page of a company's published documents, newest first.
func (db *DB) PortalDocuments(office, company, cursor string, limit int) ([]balcao.StoredDocument, string, error) {
	ids, next, err := db.page(PortalPrefix(office, company), cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]balcao.StoredDocument, 0, len(ids))
	for _, id := range ids {
		if d, err := db.Document(office, id); err == nil {
			out = append(out, d)
		}
	}
	return out, next, nil
}

// Settings returns an office's preferences (the defaults when none were saved). They are read
// on every assistant turn, so they are kept decoded in memory after the first read; SaveSettings
// is the only way they change. The value returned is shared: callers must not modify it.
func (db *DB) Settings(office string) (balcao.Settings, error) {
	return db.settings.get(office, func() (balcao.Settings, error) {
		var s balcao.Settings
		if err := db.Get(SettingsKey(office), &s); err != nil && !errors.Is(err, balcao.ErrNotFound) {
			return s, err
		}
		return s.WithDefaults(), nil
	})
}

// SaveSettings stores an office's preferences durably and makes them the ones Settings returns.
func (db *DB) SaveSettings(ctx context.Context, office string, s balcao.Settings) error {
	b := &Batch{}
	b.Put(SettingsKey(office), &s)
	return db.settings.write(office, s, false, func() error { return db.Writer.CommitSettled(b) })
}

// ConversationsWhere is Conversations keeping only the conversations keep accepts. It examines
// at most maxScan index entries, so a page may come back short, with a cursor to go on.
func (db *DB) ConversationsWhere(office string, tab balcao.Tab, cursor string, limit, maxScan int, keep func(*balcao.Conversation) bool) ([]balcao.Conversation, string, error) {
	prefix := IndexPrefix(office, tab)
	after, err := decodeCursor(prefix, cursor)
	if err != nil {
		return nil, "", err
	}
	var (
		out     []balcao.Conversation
		last    []byte
		scanned int
		more    bool
		readErr error
	)
	err = db.Scan(prefix, after, false, func(k, _ []byte) bool {
		if len(out) == limit || scanned == maxScan {
			more = true
			return false
		}
		scanned++
		last = bytes.Clone(k)
		c, err := db.Conversation(office, IndexPhone(k))
		switch {
		case errors.Is(err, balcao.ErrNotFound):
			return true // the index entry is newer than this read
		case err != nil:
			readErr = err
			return false
		case keep(&c):
			out = append(out, c)
		}
		return true
	})
	if err == nil {
		err = readErr
	}
	if err != nil || !more {
		return out, "", err
	}
	return out, base64.RawURLEncoding.EncodeToString(last), nil
}

// decodeCursor turns an opaque cursor of an index into the key to continue after (nil for "").
func decodeCursor(prefix []byte, cursor string) ([]byte, error) {
	if cursor == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !bytes.HasPrefix(raw, prefix) {
		return nil, fmt.Errorf("cursor: %w", balcao.ErrInvalid)
	}
	return raw, nil
}

// page reads up to limit ids (the last key segment) of an index after an opaque cursor.
func (db *DB) page(prefix []byte, cursor string, limit int) ([]string, string, error) {
	after, err := decodeCursor(prefix, cursor)
	if err != nil {
		return nil, "", err
	}
	var ids []string
	var last []byte
	more := false
	err = db.Scan(prefix, after, false, func(k, _ []byte) bool {
		if len(ids) == limit {
			more = true
			return false
		}
		ids = append(ids, IndexPhone(k))
		last = bytes.Clone(k)
		return true
	})
	if err != nil || !more {
		return ids, "", err
	}
	return ids, base64.RawURLEncoding.EncodeToString(last), nil
}

// Services calls fn for each ended service of an office that started in [from, to), newest
// first, starting after the opaque cursor, with the cursor that continues after that service;
// fn returns false to stop, and must not block (see Close).
func (db *DB) Services(office string, from, to time.Time, cursor string, fn func(next string, s balcao.Service) bool) error {
	lower := ServiceBound(office, from)
	upper := ServiceBound(office, to)
	raw, err := decodeCursor(ServicesPrefix(office), cursor)
	switch {
	case err != nil:
		return err
	case raw != nil && bytes.Compare(raw, upper) > 0:
		return fmt.Errorf("cursor: %w", balcao.ErrInvalid)
	case raw != nil:
		upper = raw
	}
	if !db.readers.enter() {
		return balcao.ErrClosed
	}
	defer db.readers.leave()
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	var derr error
	for ok := it.Last(); ok; ok = it.Prev() {
		var s balcao.Service
		if derr = Decode(it.Value(), &s); derr != nil {
			break
		}
		if !fn(base64.RawURLEncoding.EncodeToString(it.Key()), s) {
			break
		}
	}
	return errors.Join(derr, it.Close())
}

// ServiceStart returns when a service started, from its id.
func (db *DB) ServiceStart(office, id string) (time.Time, error) {
	raw, err := db.Value(ServiceIDKey(office, id))
	if err != nil {
		return time.Time{}, err
	}
	if len(raw) != 8 {
		return time.Time{}, fmt.Errorf("service %s: its start is %d bytes, not 8", id, len(raw))
	}
	return time.Unix(0, int64(beUint64(raw))), nil
}

// CannedAnswers lists an office's canned answers.
func (db *DB) CannedAnswers(office string) ([]balcao.CannedAnswer, error) {
	return scanAll[balcao.CannedAnswer](db, CannedPrefix(office))
}

// DropSpentLogins deletes durably the markers of spent portal login links that expired before
// the given time, and returns how many it dropped. Each marker is set once and deleted once.
func (db *DB) DropSpentLogins(office string, before time.Time) (int, error) {
	return db.dropExpired(SpentLoginExpiriesPrefix(office), before, true, func(nonce string) []byte {
		return SpentLoginKey(office, nonce)
	})
}

// DropSessions deletes durably the staff sessions that expired before the given time, and
// returns how many it dropped. A session ended by a logout may be gone already (Delete, not
// DeleteSingle: each key may be deleted twice).
func (db *DB) DropSessions(before time.Time) (int, error) {
	return db.dropExpired(SessionExpiriesPrefix(), before, false, SessionKey)
}

// expiredPerBatch bounds the entries of an expiry queue dropped in one batch.
const expiredPerBatch = 1000

// dropExpired empties an expiry queue (keys {queue}{expires:16x}/{id}, oldest first) of its
// entries before the given time, each with the record recordKey names, expiredPerBatch to a
// batch, and returns how many it dropped; single deletes them with DeleteSingle (set once,
// deleted once). An entry whose key does not parse goes alone.
func (db *DB) dropExpired(queue []byte, before time.Time, single bool, recordKey func(id string) []byte) (int, error) {
	total := 0
	for {
		b := &Batch{}
		del := b.Delete
		if single {
			del = b.DeleteSingle
		}
		n := 0
		err := db.Scan(queue, nil, false, func(k, _ []byte) bool {
			at, id, ok := parseTimeID(k, queue)
			if ok && !at.Before(before) {
				return false
			}
			del(bytes.Clone(k))
			if ok {
				del(recordKey(id))
			}
			n++
			return n < expiredPerBatch
		})
		if err != nil || n == 0 {
			return total, err
		}
		if err := db.Writer.CommitSettled(b); err != nil {
			return total, err
		}
		if total += n; n < expiredPerBatch {
			return total, nil
		}
	}
}
