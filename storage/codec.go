package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/balcao/balcao"
)

// Hand-written msgpack codecs for the records every turn writes: balcao.Message and
// balcao.Conversation (with the Service, CompanyRef and Document inside them), a message's
// Delivery (encoded only: it is read into its Message), and, in codec_job.go and
// codec_dialog.go, balcao.Job (with its JobEvents), balcao.Transition and the assistant's
// dialog state. The reflective encoder spent ~10% of the engine's CPU on the first two and
// ~3.4% on the others, mostly walking struct fields and growing buffers. Most write exactly
// the bytes msgpack v5's reflective encoder writes for the same value (a map keyed by the
// msgpack tags, in field order, omitempty fields left out, uint64 as 9 bytes, int compact,
// time as extension -1), so that records written before and after them are one format and
// either decoder reads both (codec_test.go checks it byte for byte).
//
// The conversation and message records are the exceptions: one is rewritten and the other
// written on every turn, and their tags were ~45 % of their bytes, so they name their fields
// (and those of the Service and CompanyRefs inside a conversation) by number, one byte each
// (convKeys, serviceKeys, companyKeys, messageKeys), and write every integer in the fewest
// bytes. Only these decoders read them (every read of a record goes through Decode); they
// read the tagged records written before them too.
//
// The decoders go by key, skip keys they do not know and accept any integer width and nil, as
// the reflective decoder does. A field added to one of these types must be added here too:
// the byte-for-byte and round-trip tests fail until it is.

// appendFast appends the encoding of v to dst when v has a hand-written encoder.
// A nil pointer is left to the reflective encoder (it writes nil).
func appendFast(dst []byte, v any) ([]byte, bool) {
	switch r := v.(type) {
	case *balcao.Message:
		if r == nil {
			return dst, false
		}
		// Room for the keys and usual values, so that dst grows at most once.
		return appendMessage(grow(dst, 128+len(r.Text)+40*len(r.StatusAt)), r), true
	case *balcao.Conversation:
		if r == nil {
			return dst, false
		}
		n := 256 + len(r.Dialog) + len(r.Preview) + 96*len(r.Companies)
		if r.Service != nil {
			n += 224 + 5*len(r.Service.ReplyMicros) // reply times under 71 minutes take 5 bytes
		}
		return appendConversation(grow(dst, n), r), true
	case *balcao.Job:
		if r == nil {
			return dst, false
		}
		return appendJob(grow(dst, jobSize(r)), r), true
	case *Delivery:
		if r == nil {
			return dst, false
		}
		return appendDelivery(grow(dst, 24+4*40), r), true
	case *balcao.Transition:
		if r == nil {
			return dst, false
		}
		return appendTransition(grow(dst, 64+len(r.From)+len(r.To)+len(r.Staff)+len(r.Reason)), r), true
	}
	if s, _, ok := dialogValue(v); ok {
		f := readDialog(s)
		return appendDialog(grow(dst, f.size()), &f), true
	}
	return dst, false
}

// grow returns dst with room for n more bytes.
func grow(dst []byte, n int) []byte {
	if dst == nil {
		return make([]byte, 0, n) // one allocation, also under the race detector
	}
	return slices.Grow(dst, n)
}

// decodeFast decodes b into v when v has a hand-written decoder.
// A nil pointer is left to the reflective decoder (it reports the error).
func decodeFast(b []byte, v any) (bool, error) {
	var (
		dialog reflect.Value
		dt     *dialogType
	)
	switch r := v.(type) {
	case *balcao.Message:
		if r == nil {
			return false, nil
		}
	case *balcao.Conversation:
		if r == nil {
			return false, nil
		}
	case *balcao.Job:
		if r == nil {
			return false, nil
		}
	case *balcao.Transition:
		if r == nil {
			return false, nil
		}
	default:
		var ok bool
		if dialog, dt, ok = dialogValue(v); !ok {
			return false, nil
		}
	}
	dr := decoders.Get().(*recordDecoder)
	defer decoders.Put(dr)
	dr.r.Reset(b)
	dr.d.Reset(&dr.r)
	var err error
	switch r := v.(type) {
	case *balcao.Message:
		err = decodeMessage(dr.d, &dr.keys, r)
	case *balcao.Conversation:
		err = decodeConversation(dr.d, &dr.keys, r)
	case *balcao.Job:
		err = decodeJob(dr.d, &dr.keys, r)
	case *balcao.Transition:
		err = decodeTransition(dr.d, &dr.keys, r)
	default:
		err = decodeDialog(dr.d, &dr.keys, dialog, dt)
	}
	return true, err
}

// recordDecoder is a msgpack decoder reading from a byte slice, pooled with its key buffers:
// decoding a record then allocates only its strings, slices and pointers.
type recordDecoder struct {
	r    bytes.Reader
	d    *msgpack.Decoder
	keys keyBufs
}

var decoders = sync.Pool{New: func() any { return &recordDecoder{d: msgpack.NewDecoder(nil)} }}

// fieldCount counts the fields an encoding writes: the always-present ones plus each
// omitempty field that is set.
func fieldCount(always int, set ...bool) int {
	n := always
	for _, s := range set {
		if s {
			n++
		}
	}
	return n
}

// The fields of a message record by number, as convKeys for a conversation. (A message's
// Delivery record keeps the tags: it is decoded over the message.)
const (
	msgSeq = iota + 1
	msgDir
	msgAuthor
	msgText
	msgDoc
	msgWAID
	msgStatus
	msgAt
	msgStatusAt
	msgQuoted
)

var messageKeys = fieldKeys{
	msgSeq: "seq", msgDir: "dir", msgAuthor: "author", msgText: "text", msgDoc: "doc",
	msgWAID: "wa_id", msgStatus: "status", msgAt: "at", msgStatusAt: "status_at", msgQuoted: "quoted",
}

func appendMessage(b []byte, m *balcao.Message) []byte {
	b = appendMapLen(b, fieldCount(5, m.Document != nil, m.WAID != "", m.Status != "", len(m.StatusAt) > 0, m.Quoted != 0))
	b = appendUintCompact(append(b, msgSeq), m.Seq)
	b = appendStr(append(b, msgDir), string(m.Direction))
	b = appendStr(append(b, msgAuthor), m.Author)
	b = appendStr(append(b, msgText), m.Text)
	if m.Document != nil {
		b = appendDocument(append(b, msgDoc), m.Document)
	}
	b = appendOmitNumStr(b, msgWAID, m.WAID)
	b = appendOmitNumStr(b, msgStatus, m.Status)
	b = appendTime(append(b, msgAt), m.At)
	if len(m.StatusAt) > 0 {
		b = appendStatusAt(append(b, msgStatusAt), m.StatusAt)
	}
	if m.Quoted != 0 {
		b = appendUintCompact(append(b, msgQuoted), m.Quoted)
	}
	return b
}

// Delivery is an outbound message's delivery progress as WhatsApp reports it (sent,
// delivered, read, failed), stored under MessageStatusKey instead of writing the whole
// message again at each report: a reply is ~300 bytes, this ~60. It is encoded as the
// message's own status fields, so that DB.Message and DB.Messages decode it over the message
// they read; a message stored before these records carries its progress itself, and one
// whose progress never changed has none.
type Delivery struct {
	Status   string      `msgpack:"status"`
	StatusAt StatusTimes `msgpack:"status_at,omitempty"`
}

// StatusTimes are when an outbound message reached each delivery status (zero: not reached),
// encoded as the status_at map of a message (the fields in the order appendStatusAt writes its
// keys), without a map to allocate for every reply.
type StatusTimes struct {
	Delivered time.Time `msgpack:"delivered,omitempty"`
	Failed    time.Time `msgpack:"failed,omitempty"`
	Read      time.Time `msgpack:"read,omitempty"`
	Sent      time.Time `msgpack:"sent,omitempty"`
}

// StatusTimesOf returns a message's status_at map as StatusTimes (other keys are dropped).
func StatusTimesOf(m map[string]time.Time) StatusTimes {
	var t StatusTimes
	for status, at := range m {
		t.Set(status, at)
	}
	return t
}

// Set records when status was reached; a status without a field is ignored.
func (t *StatusTimes) Set(status string, at time.Time) {
	switch status {
	case balcao.StatusDelivered:
		t.Delivered = at
	case balcao.StatusFailed:
		t.Failed = at
	case balcao.StatusRead:
		t.Read = at
	case balcao.StatusSent:
		t.Sent = at
	}
}

// Reach records when status was reached and, for delivered and read, the steps before it
// that have no time yet: a receipt saying a message was delivered (or read) says it was sent
// (and delivered) too, though that receipt came late or never (WhatsApp does not promise
// their order; the simulated gateway reports a document delivered before sent). They get the
// same time, the latest they can have been reached, so that the record a client is shown
// never says "not sent" beside "delivered".
func (t *StatusTimes) Reach(status string, at time.Time) {
	t.Set(status, at)
	switch status {
	case balcao.StatusRead:
		if t.Delivered.IsZero() {
			t.Delivered = at
		}
		fallthrough
	case balcao.StatusDelivered:
		if t.Sent.IsZero() {
			t.Sent = at
		}
	}
}

// IsZero reports whether no status was reached (the msgpack encoder's omitempty asks it).
func (t StatusTimes) IsZero() bool { return t == StatusTimes{} }

func appendDelivery(b []byte, d *Delivery) []byte {
	times := [...]struct {
		status string
		at     time.Time
	}{
		{balcao.StatusDelivered, d.StatusAt.Delivered}, {balcao.StatusFailed, d.StatusAt.Failed},
		{balcao.StatusRead, d.StatusAt.Read}, {balcao.StatusSent, d.StatusAt.Sent},
	}
	n := 0
	for _, t := range times {
		if !t.at.IsZero() {
			n++
		}
	}
	b = appendMapLen(b, fieldCount(1, n > 0))
	b = appendStr(appendStr(b, "status"), d.Status)
	if n == 0 {
		return b
	}
	b = appendMapLen(appendStr(b, "status_at"), n)
	for _, t := range times {
		if !t.at.IsZero() {
			b = appendTime(appendStr(b, t.status), t.at)
		}
	}
	return b
}

// appendStatusAt appends the value of a message's status_at field.
func appendStatusAt(b []byte, at map[string]time.Time) []byte {
	b = appendMapLen(b, len(at))
	var arr [4]string // sent, delivered, read, failed: no allocation
	keys := arr[:0]
	for k := range at {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the reflective encoder's order is random; any order decodes
	for _, k := range keys {
		b = appendTime(appendStr(b, k), at[k])
	}
	return b
}

func appendDocument(b []byte, d *balcao.Document) []byte {
	b = appendMapLen(b, fieldCount(2, d.ID != "", d.MIME != "", d.Size != 0, d.SHA != ""))
	b = appendOmitStr(b, "id", d.ID)
	b = appendStr(appendStr(b, "name"), d.Name)
	b = appendStr(appendStr(b, "url"), d.URL)
	b = appendOmitStr(b, "mime", d.MIME)
	if d.Size != 0 {
		b = appendInt64(appendStr(b, "size"), d.Size)
	}
	b = appendOmitStr(b, "sha", d.SHA)
	return b
}

// The fields of a conversation record by number, the key each is written under. A number
// is never reused nor renumbered: stored records carry them. Numbers stay below 128 (a
// one-byte msgpack fixint).
const (
	convID = iota + 1
	convState
	convAttendant
	convDepartment
	convServed
	convLinked
	convContactName
	convCompanies
	convLastSeq
	convTransitions
	convUnread
	convLastAt
	convPreview
	convStateSince
	convDialog
	convService
	convServices
	convClosedNoticeDay
	convSurvey
	convSurveyStart
	convSurveyUntil
	convCreatedAt
	convInboundAt
	convInboundKnown
	convContactGen
)

// convKeys names each numbered field by its msgpack tag, the key of records written before
// the numbers: the decoder reads a number as its tag.
var convKeys = fieldKeys{
	convID: "id", convState: "state", convAttendant: "attendant", convDepartment: "department",
	convServed: "served", convLinked: "linked", convContactName: "contact_name", convCompanies: "companies",
	convLastSeq: "last_seq", convTransitions: "transitions", convUnread: "unread", convLastAt: "last_at",
	convPreview: "preview", convStateSince: "state_since", convDialog: "dialog", convService: "service",
	convServices: "services", convClosedNoticeDay: "closed_notice_day", convSurvey: "survey",
	convSurveyStart: "survey_start", convSurveyUntil: "survey_until", convCreatedAt: "created_at",
	convInboundAt: "inbound_at", convInboundKnown: "inbound_known", convContactGen: "contact_gen",
}

// The fields of a CompanyRef inside a conversation record, by number.
const (
	companyID = iota + 1
	companyName
	companyCNPJ
	companyAssistant
)

var companyKeys = fieldKeys{companyID: "id", companyName: "name", companyCNPJ: "cnpj", companyAssistant: "assistant"}

// The fields of the Service inside a conversation record, by number. (An ended service's own
// record, o/{office}/svc/…, is written by the reflective encoder, by tag.)
const (
	svcID = iota + 1
	svcPhone
	svcContactName
	svcCompany
	svcCompanyName
	svcDepartment
	svcStart
	svcQueued
	svcTaken
	svcFirstResponse
	svcEnd
	svcOutcome
	svcStaff
	svcStaffMessages
	svcReplyMicros
	svcRating
)

var serviceKeys = fieldKeys{
	svcID: "id", svcPhone: "phone", svcContactName: "contact_name", svcCompany: "company",
	svcCompanyName: "company_name", svcDepartment: "department", svcStart: "start", svcQueued: "queued",
	svcTaken: "taken", svcFirstResponse: "first_response", svcEnd: "end", svcOutcome: "outcome",
	svcStaff: "staff", svcStaffMessages: "staff_messages", svcReplyMicros: "reply_us", svcRating: "rating",
}

// fieldKeys are a record's field tags indexed by field number.
type fieldKeys []string

func appendConversation(b []byte, c *balcao.Conversation) []byte {
	b = appendMapLen(b, fieldCount(13, c.Attendant != "", c.Department != "", len(c.Served) > 0,
		len(c.Dialog) > 0, c.Service != nil, c.ClosedNoticeDay != "", c.Survey != "",
		!c.SurveyStart.IsZero(), !c.SurveyUntil.IsZero(), !c.InboundAt.IsZero(), c.InboundKnown, c.ContactGen != 0))
	b = appendStr(append(b, convID), c.ID)
	b = appendStr(append(b, convState), string(c.State))
	b = appendOmitNumStr(b, convAttendant, c.Attendant)
	b = appendOmitNumStr(b, convDepartment, c.Department)
	if len(c.Served) > 0 {
		b = appendArrayLen(append(b, convServed), len(c.Served))
		for _, s := range c.Served {
			b = appendStr(b, s)
		}
	}
	b = appendBool(append(b, convLinked), c.Linked)
	b = appendStr(append(b, convContactName), c.ContactName)
	b = append(b, convCompanies)
	if c.Companies == nil {
		b = append(b, msgpcode.Nil)
	} else {
		b = appendArrayLen(b, len(c.Companies))
		for i := range c.Companies {
			co := &c.Companies[i]
			b = appendMapLen(b, fieldCount(3, co.Assistant))
			b = appendStr(append(b, companyID), co.ID)
			b = appendStr(append(b, companyName), co.Name)
			b = appendStr(append(b, companyCNPJ), co.CNPJ)
			if co.Assistant {
				b = appendBool(append(b, companyAssistant), true)
			}
		}
	}
	b = appendUintCompact(append(b, convLastSeq), c.LastSeq)
	b = appendUintCompact(append(b, convTransitions), c.Transitions)
	b = appendInt64Compact(append(b, convUnread), int64(c.Unread))
	b = appendTime(append(b, convLastAt), c.LastAt)
	b = appendStr(append(b, convPreview), c.Preview)
	b = appendTime(append(b, convStateSince), c.StateSince)
	if len(c.Dialog) > 0 {
		b = appendBin(append(b, convDialog), c.Dialog)
	}
	if c.Service != nil {
		b = appendService(append(b, convService), c.Service)
	}
	b = appendUintCompact(append(b, convServices), c.Services)
	b = appendOmitNumStr(b, convClosedNoticeDay, c.ClosedNoticeDay)
	b = appendOmitNumStr(b, convSurvey, c.Survey)
	if !c.SurveyStart.IsZero() {
		b = appendTime(append(b, convSurveyStart), c.SurveyStart)
	}
	if !c.SurveyUntil.IsZero() {
		b = appendTime(append(b, convSurveyUntil), c.SurveyUntil)
	}
	b = appendTime(append(b, convCreatedAt), c.CreatedAt)
	if !c.InboundAt.IsZero() {
		b = appendTime(append(b, convInboundAt), c.InboundAt)
	}
	if c.InboundKnown {
		b = appendBool(append(b, convInboundKnown), true)
	}
	if c.ContactGen != 0 {
		b = appendUintCompact(append(b, convContactGen), c.ContactGen)
	}
	return b
}

func appendService(b []byte, s *balcao.Service) []byte {
	b = appendMapLen(b, fieldCount(5, s.Company != "", s.CompanyName != "", s.Department != "",
		!s.Queued.IsZero(), !s.Taken.IsZero(), !s.FirstResponse.IsZero(), !s.End.IsZero(),
		s.Outcome != "", s.Staff != "", len(s.ReplyMicros) > 0, s.Rating != 0))
	b = appendStr(append(b, svcID), s.ID)
	b = appendStr(append(b, svcPhone), s.Phone)
	b = appendStr(append(b, svcContactName), s.ContactName)
	b = appendOmitNumStr(b, svcCompany, s.Company)
	b = appendOmitNumStr(b, svcCompanyName, s.CompanyName)
	b = appendOmitNumStr(b, svcDepartment, s.Department)
	b = appendTime(append(b, svcStart), s.Start)
	if !s.Queued.IsZero() {
		b = appendTime(append(b, svcQueued), s.Queued)
	}
	if !s.Taken.IsZero() {
		b = appendTime(append(b, svcTaken), s.Taken)
	}
	if !s.FirstResponse.IsZero() {
		b = appendTime(append(b, svcFirstResponse), s.FirstResponse)
	}
	if !s.End.IsZero() {
		b = appendTime(append(b, svcEnd), s.End)
	}
	b = appendOmitNumStr(b, svcOutcome, string(s.Outcome))
	b = appendOmitNumStr(b, svcStaff, s.Staff)
	b = appendInt64Compact(append(b, svcStaffMessages), int64(s.StaffMessages))
	if len(s.ReplyMicros) > 0 {
		b = appendArrayLen(append(b, svcReplyMicros), len(s.ReplyMicros))
		for _, us := range s.ReplyMicros {
			b = appendInt64Compact(b, us)
		}
	}
	if s.Rating != 0 {
		b = appendInt64Compact(append(b, svcRating), int64(s.Rating))
	}
	return b
}

// Primitive encoders, each as msgpack v5's Encoder writes it by default.

func appendMapLen(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, msgpcode.FixedMapLow|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Map16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, msgpcode.Map32), uint32(n))
}

func appendArrayLen(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, msgpcode.FixedArrayLow|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Array16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, msgpcode.Array32), uint32(n))
}

func appendStr(b []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		b = append(b, msgpcode.FixedStrLow|byte(n))
	case n < 256:
		b = append(b, msgpcode.Str8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, msgpcode.Str16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, msgpcode.Str32), uint32(n))
	}
	return append(b, s...)
}

// appendOmitStr appends the key and the string, unless it is empty (a field tagged omitempty).
func appendOmitStr(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendStr(appendStr(b, key), s)
}

// appendOmitNumStr appends the field number and the string, unless it is empty.
func appendOmitNumStr(b []byte, key byte, s string) []byte {
	if s == "" {
		return b
	}
	return appendStr(append(b, key), s)
}

func appendBin(b []byte, p []byte) []byte {
	switch n := len(p); {
	case n < 256:
		b = append(b, msgpcode.Bin8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, msgpcode.Bin16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, msgpcode.Bin32), uint32(n))
	}
	return append(b, p...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, msgpcode.True)
	}
	return append(b, msgpcode.False)
}

// appendUint64 writes a uint64 field in 9 bytes, as the reflective encoder does.
func appendUint64(b []byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Uint64), n)
}

// appendInt64 writes an int64 in 9 bytes, as the reflective encoder does for int64 values.
func appendInt64(b []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Int64), uint64(n))
}

// appendUintCompact writes a uint64 in the fewest bytes.
func appendUintCompact(b []byte, n uint64) []byte {
	if n > math.MaxInt64 {
		return appendUint64(b, n)
	}
	return appendInt64Compact(b, int64(n))
}

// appendInt64Compact writes an int in the fewest bytes (the reflective encoder's int fields).
func appendInt64Compact(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= math.MaxInt8:
			return append(b, byte(n))
		case n <= math.MaxUint8:
			return append(b, msgpcode.Uint8, byte(n))
		case n <= math.MaxUint16:
			return binary.BigEndian.AppendUint16(append(b, msgpcode.Uint16), uint16(n))
		case n <= math.MaxUint32:
			return binary.BigEndian.AppendUint32(append(b, msgpcode.Uint32), uint32(n))
		}
		return appendUint64(b, uint64(n))
	}
	switch {
	case n >= int64(int8(msgpcode.NegFixedNumLow)):
		return append(b, byte(n))
	case n >= math.MinInt8:
		return append(b, msgpcode.Int8, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Int16), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Int32), uint32(n))
	}
	return appendInt64(b, n)
}

// appendTime writes the msgpack timestamp extension (type -1) in its 4, 8 or 12 byte form.
func appendTime(b []byte, t time.Time) []byte {
	secs := uint64(t.Unix())
	if secs>>34 == 0 {
		data := uint64(t.Nanosecond())<<34 | secs
		if data&0xffffffff00000000 == 0 {
			return binary.BigEndian.AppendUint32(append(b, msgpcode.FixExt4, 0xff), uint32(data))
		}
		return binary.BigEndian.AppendUint64(append(b, msgpcode.FixExt8, 0xff), data)
	}
	b = binary.BigEndian.AppendUint32(append(b, msgpcode.Ext8, 12, 0xff), uint32(t.Nanosecond()))
	return binary.BigEndian.AppendUint64(b, secs)
}

// Decoders. Each reads a map by key, in any order; a nil value decodes as the field's zero
// value, as with the reflective decoder.

func decodeMessage(d *msgpack.Decoder, keys *keyBufs, m *balcao.Message) error {
	kb := &keys[0]
	return decodeFields(d, kb, "message", messageKeys, func(key []byte) (err error) {
		switch string(key) {
		case "seq":
			m.Seq, err = d.DecodeUint64()
		case "dir":
			var s string
			s, err = d.DecodeString()
			m.Direction = balcao.Direction(s)
		case "author":
			m.Author, err = d.DecodeString()
		case "text":
			m.Text, err = d.DecodeString()
		case "doc":
			m.Document, err = decodeDocumentPtr(d, &keys[1])
		case "wa_id":
			m.WAID, err = d.DecodeString()
		case "status":
			m.Status, err = d.DecodeString()
		case "at":
			m.At, err = decodeTime(d)
		case "status_at":
			m.StatusAt, err = decodeTimeMap(d)
		case "quoted":
			m.Quoted, err = d.DecodeUint64()
		default:
			err = d.Skip()
		}
		return err
	})
}

func decodeDocumentPtr(d *msgpack.Decoder, kb *keyBuf) (*balcao.Document, error) {
	if isNil, err := skipNil(d); isNil || err != nil {
		return nil, err
	}
	doc := &balcao.Document{}
	if err := decodeFields(d, kb, "document", nil, func(key []byte) (err error) {
		switch string(key) {
		case "id":
			doc.ID, err = d.DecodeString()
		case "name":
			doc.Name, err = d.DecodeString()
		case "url":
			doc.URL, err = d.DecodeString()
		case "mime":
			doc.MIME, err = d.DecodeString()
		case "size":
			doc.Size, err = d.DecodeInt64()
		case "sha":
			doc.SHA, err = d.DecodeString()
		default:
			err = d.Skip()
		}
		return err
	}); err != nil {
		return nil, err
	}
	return doc, nil
}

func decodeConversation(d *msgpack.Decoder, keys *keyBufs, c *balcao.Conversation) error {
	kb := &keys[0]
	return decodeFields(d, kb, "conversation", convKeys, func(key []byte) (err error) {
		var s string
		switch string(key) {
		case "id":
			c.ID, err = d.DecodeString()
		case "state":
			s, err = d.DecodeString()
			c.State = balcao.State(s)
		case "attendant":
			c.Attendant, err = d.DecodeString()
		case "department":
			c.Department, err = d.DecodeString()
		case "served":
			c.Served, err = decodeStrings(d)
		case "linked":
			c.Linked, err = d.DecodeBool()
		case "contact_name":
			c.ContactName, err = d.DecodeString()
		case "companies":
			c.Companies, err = decodeCompanies(d, &keys[1])
		case "last_seq":
			c.LastSeq, err = d.DecodeUint64()
		case "transitions":
			c.Transitions, err = d.DecodeUint64()
		case "unread":
			c.Unread, err = d.DecodeInt()
		case "last_at":
			c.LastAt, err = decodeTime(d)
		case "preview":
			c.Preview, err = d.DecodeString()
		case "state_since":
			c.StateSince, err = decodeTime(d)
		case "dialog":
			c.Dialog, err = d.DecodeBytes()
		case "service":
			c.Service, err = decodeServicePtr(d, &keys[1])
		case "services":
			c.Services, err = d.DecodeUint64()
		case "closed_notice_day":
			c.ClosedNoticeDay, err = d.DecodeString()
		case "survey":
			c.Survey, err = d.DecodeString()
		case "survey_start":
			c.SurveyStart, err = decodeTime(d)
		case "survey_until":
			c.SurveyUntil, err = decodeTime(d)
		case "created_at":
			c.CreatedAt, err = decodeTime(d)
		case "inbound_at":
			c.InboundAt, err = decodeTime(d)
		case "inbound_known":
			c.InboundKnown, err = d.DecodeBool()
		case "contact_gen":
			c.ContactGen, err = d.DecodeUint64()
		default:
			err = d.Skip()
		}
		return err
	})
}

func decodeCompanies(d *msgpack.Decoder, kb *keyBuf) ([]balcao.CompanyRef, error) {
	n, err := d.DecodeArrayLen()
	if err != nil || n < 0 {
		return nil, err // nil: no slice
	}
	out := make([]balcao.CompanyRef, n)
	for i := range out {
		co := &out[i]
		if err := decodeFields(d, kb, "company", companyKeys, func(key []byte) (err error) {
			switch string(key) {
			case "id":
				co.ID, err = d.DecodeString()
			case "name":
				co.Name, err = d.DecodeString()
			case "cnpj":
				co.CNPJ, err = d.DecodeString()
			case "assistant":
				co.Assistant, err = d.DecodeBool()
			default:
				err = d.Skip()
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeServicePtr(d *msgpack.Decoder, kb *keyBuf) (*balcao.Service, error) {
	if isNil, err := skipNil(d); isNil || err != nil {
		return nil, err
	}
	s := &balcao.Service{}
	if err := decodeFields(d, kb, "service", serviceKeys, func(key []byte) (err error) {
		var str string
		switch string(key) {
		case "id":
			s.ID, err = d.DecodeString()
		case "phone":
			s.Phone, err = d.DecodeString()
		case "contact_name":
			s.ContactName, err = d.DecodeString()
		case "company":
			s.Company, err = d.DecodeString()
		case "company_name":
			s.CompanyName, err = d.DecodeString()
		case "department":
			s.Department, err = d.DecodeString()
		case "start":
			s.Start, err = decodeTime(d)
		case "queued":
			s.Queued, err = decodeTime(d)
		case "taken":
			s.Taken, err = decodeTime(d)
		case "first_response":
			s.FirstResponse, err = decodeTime(d)
		case "end":
			s.End, err = decodeTime(d)
		case "outcome":
			str, err = d.DecodeString()
			s.Outcome = balcao.Outcome(str)
		case "staff":
			s.Staff, err = d.DecodeString()
		case "staff_messages":
			s.StaffMessages, err = d.DecodeInt()
		case "reply_us":
			s.ReplyMicros, err = decodeInt64s(d)
		case "rating":
			s.Rating, err = d.DecodeInt()
		default:
			err = d.Skip()
		}
		return err
	}); err != nil {
		return nil, err
	}
	return s, nil
}

func decodeStrings(d *msgpack.Decoder) ([]string, error) {
	n, err := d.DecodeArrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = d.DecodeString(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeInt64s(d *msgpack.Decoder) ([]int64, error) {
	n, err := d.DecodeArrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		if out[i], err = d.DecodeInt64(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeTimeMap(d *msgpack.Decoder) (map[string]time.Time, error) {
	n, err := d.DecodeMapLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make(map[string]time.Time, n)
	for range n {
		k, err := d.DecodeString()
		if err != nil {
			return nil, err
		}
		if out[k], err = decodeTime(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keyBuf holds a map key while it is matched: keys are read without allocating.
type keyBuf [32]byte

// keyBufs are a record's key buffers, one per level of nested maps (a record's fields, then the
// fields of a struct inside it), so that an error names the outer key too. They live in the
// pooled recordDecoder: a keyBuf on the stack escapes (the decoder reads into it through an
// io.Reader) and cost an allocation per map.
type keyBufs [2]keyBuf

// decodeFields reads a map, a nil one as empty, calling field with each key (valid during the
// call) once the decoder is at its value: field decodes the value, or skips it. A key that is
// a number is read as its tag in names (nil: a record without numbered fields); a number
// names does not know is given as an empty key, which field skips as any unknown key. An
// error is named after the record and the key.
func decodeFields(d *msgpack.Decoder, kb *keyBuf, record string, names fieldKeys, field func(key []byte) error) error {
	n, err := d.DecodeMapLen()
	if err != nil {
		return err
	}
	for range n {
		key, err := decodeKey(d, kb, names)
		if err != nil {
			return err
		}
		if err := field(key); err != nil {
			return fmt.Errorf("%s field %s: %w", record, key, err)
		}
	}
	return nil
}

// decodeKey reads a map key, a string or a field number, into kb when it fits, else into a
// new slice.
func decodeKey(d *msgpack.Decoder, kb *keyBuf, names fieldKeys) ([]byte, error) {
	c, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	if msgpcode.IsFixedNum(c) || c >= msgpcode.Uint8 && c <= msgpcode.Int64 { // a field number
		i, err := d.DecodeInt64()
		if err != nil || i <= 0 || i >= int64(len(names)) {
			return nil, err
		}
		return append(kb[:0], names[i]...), nil
	}
	n, err := d.DecodeBytesLen()
	if err != nil || n <= 0 {
		return nil, err
	}
	key := kb[:0]
	if n > len(kb) {
		key = make([]byte, 0, n)
	}
	key = key[:n]
	return key, d.ReadFull(key)
}

// decodeTime reads a timestamp; nil is the zero time, in UTC as the reflective decoder makes it.
func decodeTime(d *msgpack.Decoder) (time.Time, error) {
	if isNil, err := skipNil(d); isNil || err != nil {
		return time.Time{}, err
	}
	return d.DecodeTime()
}

// skipNil consumes a nil and reports whether there was one.
func skipNil(d *msgpack.Decoder) (bool, error) {
	c, err := d.PeekCode()
	if err != nil || c != msgpcode.Nil {
		return false, err
	}
	return true, d.Skip()
}
