package storage

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"time"

	"github.com/balcao/balcao"
)

// Key layout. Every office's data sits under "o/{office}/" so that one office is one contiguous
// range. Ids never contain '/': offices, companies and users are slugs, phones are digits.
// Numbers inside keys are fixed-width hex so that byte order is numeric order. The keys of
// scheduled messages, broadcast lists and reminders are in keys_schedule.go.
//
//	meta/version                              schema version (uint64, big endian)
//	meta/secret                               32 random bytes signing portal links
//	office/{office}                           balcao.Office
//	sess/{sha256(token) hex}                  balcao.Session
//	sessx/{expires:16x}/{sha256(token) hex}   empty: that session's expiry, oldest first; the
//	                                          scheduler drops both once it has passed (until
//	                                          schema version 4 sess/ stayed forever: its
//	                                          migration queues them by their expiry)
//	o/{office}/company/{id}                   balcao.Company
//	o/{office}/contact/{phone}                balcao.Contact
//	o/{office}/cc/{company}/{phone}           empty: the phone is a contact of the company
//	o/{office}/staff/{user}                   balcao.Staff
//	o/{office}/conv/{phone}                   balcao.Conversation
//	o/{office}/msg/{phone}/{seq:16x}          balcao.Message (an outbound one as it was queued)
//	o/{office}/mst/{phone}/{seq:16x}          Delivery: an outbound message's later progress
//	                                          (sent, delivered, read), read over it
//	o/{office}/tr/{phone}/{n:16x}             balcao.Transition
//	o/{office}/wa/{phone}/{whatsapp id}       message seq (8 bytes): redelivery dedupe of inbound
//	                                          messages (outbound ids carry their seq)
//	o/{office}/ix/pendentes/{since:16x}/{phone}    empty: pending conversations, oldest first
//	o/{office}/ix/atendimento/{since:16x}/{phone}  empty: conversations being attended
//	o/{office}/ix/contatos/{^lastAt:16x}/{phone}   empty: every conversation, newest first
//	o/{office}/outbox/{phone}/{seq:16x}       a turn's replies not yet all accepted by WhatsApp, by
//	                                          the last one's seq; value: the earlier replies' seqs
//	                                          (8 bytes each, empty for one reply), see OutboxKey
//	o/{office}/settings                       balcao.Settings
//	o/{office}/cgen                           contacts generation (8 bytes), see ContactsGenKey
//	o/{office}/job/{job}                      balcao.Job
//	o/{office}/jx/{state}/{^created:16x}/{job}   empty: request centre tab, newest first
//	o/{office}/cj/{phone}/{job}               empty: job not yet finished and delivered, of a contact
//	                                          (status questions; the office's all scanned at start)
//	o/{office}/jobsent/{job}                  empty: the job's documents were put in the conversation
//	o/{office}/doc/{doc}                      balcao.StoredDocument
//	o/{office}/pd/{company}/{^created:16x}/{doc}  empty: the company's portal, newest first
//	o/{office}/used/{nonce}                   empty: a spent one-time portal login link
//	o/{office}/usedx/{expires:16x}/{nonce}    empty: that link's expiry, oldest first; the
//	                                          scheduler drops both once it has passed (until
//	                                          schema version 3 used/ stayed forever: its
//	                                          migration queues them a day after it)
//	o/{office}/agent-token                    sha256 of the office's agent token
//	o/{office}/canned/{id}                    balcao.CannedAnswer
//	o/{office}/svc/{start:16x}/{service}      balcao.Service, once ended (history, dashboards)
//	o/{office}/svcid/{service}                the service's start (unix ns, 8 bytes): finds its key
//	o/{office}/mday/{YYYY-MM-DD}              metrics of a finished day (merged HdrHistograms)
const (
	keyVersion = "meta/version"
)

// SecretKey is the key of the node's secret: 32 random bytes signing portal links, made by
// the engine at its first start.
func SecretKey() []byte { return []byte("meta/secret") }

// OfficeKey is the key of an office record.
func OfficeKey(office string) []byte { return []byte("office/" + office) }

// OfficesPrefix is the prefix of all office records.
func OfficesPrefix() []byte { return []byte("office/") }

// SessionKey is the key of a staff session, by the hex SHA-256 of its token.
func SessionKey(tokenHash string) []byte { return []byte("sess/" + tokenHash) }

// SessionsPrefix is the prefix of all staff sessions.
func SessionsPrefix() []byte { return []byte("sess/") }

// SessionExpiryKey is the entry of a staff session in the queue of sessions' expiries: once it
// has expired, the session lets no one in and both go.
func SessionExpiryKey(expires time.Time, tokenHash string) []byte {
	return []byte("sessx/" + hex16(keyNanos(expires)) + "/" + tokenHash)
}

// SessionExpiriesPrefix is the prefix of the queue of staff sessions' expiries.
func SessionExpiriesPrefix() []byte { return []byte("sessx/") }

// ParseSessionExpiryKey returns the session's expiry and token hash of a queue entry.
func ParseSessionExpiryKey(key []byte) (time.Time, string, bool) {
	return parseTimeID(key, SessionExpiriesPrefix())
}

// OfficePrefix is the prefix of everything an office owns.
func OfficePrefix(office string) []byte { return []byte("o/" + office + "/") }

func officeKey(office, kind, rest string) []byte {
	return append(appendOfficeKeyPrefix(nil, office, kind, len(rest)), rest...)
}

// appendOfficeKeyPrefix appends "o/{office}/{kind}/" to dst with room for more bytes after it:
// a key built from nil takes one allocation, one built in a batch's memory (Batch.Key) none.
func appendOfficeKeyPrefix(dst []byte, office, kind string, more int) []byte {
	dst = slices.Grow(dst, 4+len(office)+len(kind)+more)
	dst = append(dst, "o/"...)
	dst = append(dst, office...)
	dst = append(dst, '/')
	dst = append(dst, kind...)
	return append(dst, '/')
}

// appendOfficeSeqKey appends officeKey(office, kind, id+"/"+hex16(n)) to dst.
func appendOfficeSeqKey(dst []byte, office, kind, id string, n uint64) []byte {
	k := append(appendOfficeKeyPrefix(dst, office, kind, len(id)+17), id...)
	return appendHex16(append(k, '/'), n)
}

// CompanyKey is the key of a company record.
func CompanyKey(office, id string) []byte { return officeKey(office, "company", id) }

// ContactKey is the key of a contact record.
func ContactKey(office, phone string) []byte { return officeKey(office, "contact", phone) }

// CompanyContactKey marks a phone as a contact of a company.
func CompanyContactKey(office, company, phone string) []byte {
	return officeKey(office, "cc", company+"/"+phone)
}

// CompanyContactsPrefix is the prefix of a company's contact phones.
func CompanyContactsPrefix(office, company string) []byte {
	return officeKey(office, "cc", company+"/")
}

// StaffKey is the key of a staff record.
func StaffKey(office, user string) []byte { return officeKey(office, "staff", user) }

// ConversationKey is the key of a conversation record.
func ConversationKey(office, phone string) []byte { return AppendConversationKey(nil, office, phone) }

// AppendConversationKey appends ConversationKey(office, phone) to dst.
func AppendConversationKey(dst []byte, office, phone string) []byte {
	return append(appendOfficeKeyPrefix(dst, office, "conv", len(phone)), phone...)
}

// MessageKey is the key of one message.
func MessageKey(office, phone string, seq uint64) []byte {
	return AppendMessageKey(nil, office, phone, seq)
}

// AppendMessageKey appends MessageKey(office, phone, seq) to dst.
func AppendMessageKey(dst []byte, office, phone string, seq uint64) []byte {
	return appendOfficeSeqKey(dst, office, "msg", phone, seq)
}

// MessagesPrefix is the prefix of a conversation's messages.
func MessagesPrefix(office, phone string) []byte { return officeKey(office, "msg", phone+"/") }

// MessageStatusKey is the key of an outbound message's delivery progress (Delivery): written
// apart from the message as WhatsApp reports it, so that the message is written once.
func MessageStatusKey(office, phone string, seq uint64) []byte {
	return AppendMessageStatusKey(nil, office, phone, seq)
}

// AppendMessageStatusKey appends MessageStatusKey(office, phone, seq) to dst.
func AppendMessageStatusKey(dst []byte, office, phone string, seq uint64) []byte {
	return appendOfficeSeqKey(dst, office, "mst", phone, seq)
}

// MessageStatusesPrefix is the prefix of a conversation's delivery records.
func MessageStatusesPrefix(office, phone string) []byte {
	return officeKey(office, "mst", phone+"/")
}

// seqOfKey returns the sequence number at the end of a key made by officeSeqKey.
func seqOfKey(key []byte) (uint64, bool) {
	if len(key) < 17 || key[len(key)-17] != '/' {
		return 0, false
	}
	var raw [8]byte
	if _, err := hex.Decode(raw[:], key[len(key)-16:]); err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint64(raw[:]), true
}

// TransitionKey is the key of the n-th state transition of a conversation.
func TransitionKey(office, phone string, n uint64) []byte {
	return AppendTransitionKey(nil, office, phone, n)
}

// AppendTransitionKey appends TransitionKey(office, phone, n) to dst.
func AppendTransitionKey(dst []byte, office, phone string, n uint64) []byte {
	return appendOfficeSeqKey(dst, office, "tr", phone, n)
}

// TransitionsPrefix is the prefix of a conversation's transitions.
func TransitionsPrefix(office, phone string) []byte { return officeKey(office, "tr", phone+"/") }

// WhatsAppIDKey marks a WhatsApp message id as already stored.
func WhatsAppIDKey(office, phone, waID string) []byte {
	return AppendWhatsAppIDKey(nil, office, phone, waID)
}

// AppendWhatsAppIDKey appends WhatsAppIDKey(office, phone, waID) to dst.
func AppendWhatsAppIDKey(dst []byte, office, phone, waID string) []byte {
	k := append(appendOfficeKeyPrefix(dst, office, "wa", len(phone)+1+len(waID)), phone...)
	return append(append(k, '/'), waID...)
}

// IndexKey is the entry of a conversation in an inbox tab's index.
func IndexKey(office string, tab balcao.Tab, at time.Time, phone string) []byte {
	return AppendIndexKey(nil, office, tab, at, phone)
}

// AppendIndexKey appends IndexKey(office, tab, at, phone) to dst.
func AppendIndexKey(dst []byte, office string, tab balcao.Tab, at time.Time, phone string) []byte {
	n := keyNanos(at)
	if tab == balcao.TabContacts {
		n = math.MaxUint64 - n // newest first
	}
	k := append(appendOfficeKeyPrefix(dst, office, "ix", len(tab)+18+len(phone)), tab...)
	k = appendHex16(append(k, '/'), n)
	return append(append(k, '/'), phone...)
}

// IndexPrefix is the prefix of an inbox tab's index.
func IndexPrefix(office string, tab balcao.Tab) []byte {
	return officeKey(office, "ix", string(tab)+"/")
}

// IndexPhone returns the phone at the end of an index key.
func IndexPhone(key []byte) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			return string(key[i+1:])
		}
	}
	return ""
}

// SettingsKey is the key of an office's preferences.
func SettingsKey(office string) []byte { return []byte("o/" + office + "/settings") }

// ContactsGenKey holds the office's contacts generation, a number written anew (bigger) in the
// batch of every change to its contacts or companies: a conversation record whose copy of its
// contact (name, companies) was read at the generation still stored holds what storage holds.
func ContactsGenKey(office string) []byte { return []byte("o/" + office + "/cgen") }

// JobKey is the key of a job.
func JobKey(office, job string) []byte { return officeKey(office, "job", job) }

// JobIndexKey is the entry of a job in a request centre tab.
func JobIndexKey(office string, state balcao.JobState, created time.Time, job string) []byte {
	return officeKey(office, "jx", string(state)+"/"+hex16(math.MaxUint64-keyNanos(created))+"/"+job)
}

// MoveJobIndex moves a job's entry in the request centre's index from tab from to tab to, in b
// (nothing when they are the same).
func MoveJobIndex(b *Batch, office string, job *balcao.Job, from, to balcao.JobState) {
	if from == to {
		return
	}
	b.DeleteSingle(JobIndexKey(office, from, job.CreatedAt, job.ID)) // set once, on entering from
	b.Set(JobIndexKey(office, to, job.CreatedAt, job.ID), nil)
}

// JobIndexPrefix is the prefix of a request centre tab.
func JobIndexPrefix(office string, state balcao.JobState) []byte {
	return officeKey(office, "jx", string(state)+"/")
}

// OpenJobsPrefix is the prefix of an office's open jobs: every contact's (ContactJobKey).
func OpenJobsPrefix(office string) []byte { return officeKey(office, "cj", "") }

// ContactJobKey marks an open job (not finished and delivered) of a contact.
func ContactJobKey(office, phone, job string) []byte { return officeKey(office, "cj", phone+"/"+job) }

// ContactJobsPrefix is the prefix of a contact's open jobs.
func ContactJobsPrefix(office, phone string) []byte { return officeKey(office, "cj", phone+"/") }

// JobSentKey marks a job whose documents were put in the conversation.
func JobSentKey(office, job string) []byte { return officeKey(office, "jobsent", job) }

// DocumentKey is the key of a published document.
func DocumentKey(office, doc string) []byte { return officeKey(office, "doc", doc) }

// PortalKey is the entry of a document in its company's portal.
func PortalKey(office, company string, created time.Time, doc string) []byte {
	return officeKey(office, "pd", company+"/"+hex16(math.MaxUint64-keyNanos(created))+"/"+doc)
}

// PortalPrefix is the prefix of a company's portal.
func PortalPrefix(office, company string) []byte { return officeKey(office, "pd", company+"/") }

// SpentLoginKey marks a one-time portal login link as spent, by its nonce.
func SpentLoginKey(office, nonce string) []byte { return officeKey(office, "used", nonce) }

// SpentLoginsPrefix is the prefix of an office's spent login link markers.
func SpentLoginsPrefix(office string) []byte { return officeKey(office, "used", "") }

// SpentLoginExpiryKey is the entry of a spent login link's marker in the queue of their links'
// expiries: once its link has expired, the marker guards nothing and both go.
func SpentLoginExpiryKey(office string, expires time.Time, nonce string) []byte {
	return officeKey(office, "usedx", hex16(keyNanos(expires))+"/"+nonce)
}

// SpentLoginExpiriesPrefix is the prefix of the queue of spent login links' expiries.
func SpentLoginExpiriesPrefix(office string) []byte { return officeKey(office, "usedx", "") }

// ServiceKey is the key of an ended service, ordered by its start.
func ServiceKey(office string, start time.Time, id string) []byte {
	return officeKey(office, "svc", hex16(keyNanos(start))+"/"+id)
}

// ServicesPrefix is the prefix of an office's services.
func ServicesPrefix(office string) []byte { return officeKey(office, "svc", "") }

// ServiceBound is the first key of the services that started at t or later (keyNanos: the
// first of them all for t before 1970, past them all for t after 2262).
func ServiceBound(office string, t time.Time) []byte {
	return officeKey(office, "svc", hex16(keyNanos(t)))
}

// ServiceIDKey maps a service id to its start, to find its record.
func ServiceIDKey(office, id string) []byte { return officeKey(office, "svcid", id) }

// DayMetricsKey is the key of a finished day's metrics.
func DayMetricsKey(office, day string) []byte { return officeKey(office, "mday", day) }

// CannedKey is the key of a canned answer.
func CannedKey(office, id string) []byte { return officeKey(office, "canned", id) }

// CannedPrefix is the prefix of an office's canned answers.
func CannedPrefix(office string) []byte { return officeKey(office, "canned", "") }

// AgentTokenKey is the key of the hash of an office's agent token.
func AgentTokenKey(office string) []byte { return []byte("o/" + office + "/agent-token") }

// OutboxKey marks outbound messages not yet handed to WhatsApp: the last of a turn's replies,
// with the others' sequence numbers as its value (OutboxValue), so that a turn of several
// replies writes and deletes one entry. The gateway sends a turn's replies in order, so the
// entry goes once the last of them was handed over. Entries written before the value held
// anything (one per message) read as a turn of one reply.
func OutboxKey(office, phone string, seq uint64) []byte {
	return AppendOutboxKey(nil, office, phone, seq)
}

// AppendOutboxKey appends OutboxKey(office, phone, seq) to dst.
func AppendOutboxKey(dst []byte, office, phone string, seq uint64) []byte {
	return appendOfficeSeqKey(dst, office, "outbox", phone, seq)
}

// OutboxValue is the value of an outbox entry: the sequence numbers of the replies of its turn
// before the last, 8 bytes each, big endian.
func OutboxValue(earlier []uint64) []byte {
	if len(earlier) == 0 {
		return nil
	}
	v := make([]byte, 0, 8*len(earlier))
	for _, seq := range earlier {
		v = binary.BigEndian.AppendUint64(v, seq)
	}
	return v
}

// OutboxPrefix is the prefix of an office's outbox.
func OutboxPrefix(office string) []byte { return officeKey(office, "outbox", "") }

// ParseOutboxKey returns the phone and sequence number of an outbox key.
func ParseOutboxKey(office string, key []byte) (phone string, seq uint64, ok bool) {
	rest := key[len(OutboxPrefix(office)):]
	seq, ok = seqOfKey(rest)
	if !ok || len(rest) < 18 {
		return "", 0, false
	}
	return string(rest[:len(rest)-17]), seq, true
}

func hex16(n uint64) string { return string(appendHex16(nil, n)) }

// The times keyNanos tells apart.
var firstKeyTime, lastKeyTime = time.Unix(0, 0), time.Unix(0, math.MaxInt64)

// keyNanos is t in nanoseconds since 1970 for a time-ordered key: a time before 1970 is 0 and
// one after 2262 (where UnixNano no longer fits) the largest, so that they sort first and last
// instead of wrapping (a schedule for 2600 read as due in 2015 and went out at once).
func keyNanos(t time.Time) uint64 {
	switch {
	case t.Before(firstKeyTime):
		return 0
	case t.After(lastKeyTime):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// appendHex16 appends n as 16 lower-case hex digits.
func appendHex16(b []byte, n uint64) []byte {
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], n)
	return hex.AppendEncode(b, raw[:])
}

// PrefixEnd returns the smallest key greater than every key starting with p.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // p is all 0xff: no upper bound
}
