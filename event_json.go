package balcao

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The payloads of the live events a conversation turn makes (MessageAdded, MessageStatusChanged,
// ConversationChanged, JobChanged) are encoded on the actor's goroutine for every inbound
// message; encoding/json spent ~7% of that path's CPU on them, mostly walking struct fields,
// formatting times into fresh buffers and sorting map keys through reflection. The appenders
// below write byte for byte what json.Marshal writes: fields in declaration order, omitempty
// and `json:"-"` as tagged, nil slices and pointers as null, map keys sorted, times as
// time.Time.MarshalJSON writes them and strings escaped as encoding/json escapes them (HTML
// characters, U+2028 and U+2029 included; invalid UTF-8 as U+FFFD). A field added to one of
// these types must be added here: event_json_test.go fails until it is.

// AppendEventJSON appends data encoded as json.Marshal(data) encodes it, for the event payloads
// above (values or non-nil pointers). It reports false, and returns dst unchanged, for any
// other type and for a value json.Marshal fails on (a time outside the years 0–9999 or with a
// zone offset of a day or more): the caller uses json.Marshal then.
func AppendEventJSON(dst []byte, data any) ([]byte, bool) {
	n := len(dst)
	var ok bool
	switch e := data.(type) {
	case MessageAdded:
		dst, ok = appendMessageAdded(dst, &e)
	case *MessageAdded:
		if e != nil {
			dst, ok = appendMessageAdded(dst, e)
		}
	case MessageStatusChanged:
		dst, ok = appendMessageStatusChanged(dst, &e), true
	case *MessageStatusChanged:
		if e != nil {
			dst, ok = appendMessageStatusChanged(dst, e), true
		}
	case ConversationChanged:
		dst, ok = appendConversationChanged(dst, &e)
	case *ConversationChanged:
		if e != nil {
			dst, ok = appendConversationChanged(dst, e)
		}
	case JobChanged:
		dst, ok = appendJobChanged(dst, &e)
	case *JobChanged:
		if e != nil {
			dst, ok = appendJobChanged(dst, e)
		}
	}
	if !ok {
		return dst[:n], false
	}
	return dst, true
}

// appendMessageAdded writes {"conversation":…,"message":…}.
func appendMessageAdded(b []byte, e *MessageAdded) ([]byte, bool) {
	b = append(b, `{"conversation":`...)
	b = appendJSONString(b, e.Conversation)
	b = append(b, `,"message":`...)
	if e.Message == nil {
		return append(b, `null}`...), true
	}
	b, ok := appendMessage(b, e.Message)
	return append(b, '}'), ok
}

// appendMessageStatusChanged writes {"conversation":…,"id":…,"status":…}.
func appendMessageStatusChanged(b []byte, e *MessageStatusChanged) []byte {
	b = append(b, `{"conversation":`...)
	b = appendJSONString(b, e.Conversation)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, e.Status)
	return append(b, '}')
}

// appendConversationChanged writes {"conversation":…,"reason":…}.
func appendConversationChanged(b []byte, e *ConversationChanged) ([]byte, bool) {
	b = append(b, `{"conversation":`...)
	ok := true
	if e.Conversation == nil {
		b = append(b, "null"...)
	} else {
		b, ok = appendConversationView(b, e.Conversation)
	}
	if e.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, e.Reason)
	}
	return append(b, '}'), ok
}

// appendJobChanged writes {"job":…}.
func appendJobChanged(b []byte, e *JobChanged) ([]byte, bool) {
	b = append(b, `{"job":`...)
	b, ok := appendJob(b, &e.Job)
	return append(b, '}'), ok
}

func appendMessage(b []byte, m *Message) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, m.Seq, 10)
	b = append(b, `,"direction":`...)
	b = appendJSONString(b, string(m.Direction))
	b = append(b, `,"author":`...)
	b = appendJSONString(b, m.Author)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, m.Text)
	b = append(b, `,"document":`...)
	if d := m.Document; d == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		if d.ID != "" {
			b = append(b, `"id":`...)
			b = appendJSONString(b, d.ID)
			b = append(b, ',')
		}
		b = append(b, `"name":`...)
		b = appendJSONString(b, d.Name)
		b = append(b, `,"url":`...)
		b = appendJSONString(b, d.URL)
		if d.MIME != "" {
			b = append(b, `,"mime":`...)
			b = appendJSONString(b, d.MIME)
		}
		if d.Size != 0 {
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, d.Size, 10)
		}
		b = append(b, '}')
	}
	if m.WAID != "" {
		b = append(b, `,"waId":`...)
		b = appendJSONString(b, m.WAID)
	}
	if m.Status != "" {
		b = append(b, `,"status":`...)
		b = appendJSONString(b, m.Status)
	}
	b = append(b, `,"at":`...)
	b, ok := appendJSONTime(b, m.At)
	if len(m.StatusAt) > 0 {
		b = append(b, `,"statusAt":`...)
		var ok2 bool
		b, ok2 = appendTimeMap(b, m.StatusAt)
		ok = ok && ok2
	}
	if m.Quoted != 0 {
		b = append(b, `,"quoted":`...)
		b = strconv.AppendUint(b, m.Quoted, 10)
	}
	return append(b, '}'), ok
}

func appendConversationView(b []byte, v *ConversationView) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, v.ID)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(v.State))
	if v.Attendant != "" {
		b = append(b, `,"attendant":`...)
		b = appendJSONString(b, v.Attendant)
	}
	if v.Department != "" {
		b = append(b, `,"department":`...)
		b = appendJSONString(b, v.Department)
	}
	b = append(b, `,"contact":{"phone":`...)
	b = appendJSONString(b, v.Contact.Phone)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, v.Contact.Name)
	b = append(b, `,"linked":`...)
	b = strconv.AppendBool(b, v.Contact.Linked)
	b = append(b, `},"companies":`...)
	if v.Companies == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range v.Companies {
			c := &v.Companies[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendJSONString(b, c.ID)
			b = append(b, `,"name":`...)
			b = appendJSONString(b, c.Name)
			b = append(b, `,"cnpj":`...)
			b = appendJSONString(b, c.CNPJ)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"unread":`...)
	b = strconv.AppendInt(b, int64(v.Unread), 10)
	b = append(b, `,"lastAt":`...)
	b, ok1 := appendJSONTime(b, v.LastAt)
	b = append(b, `,"preview":`...)
	b = appendJSONString(b, v.Preview)
	b = append(b, `,"stateSince":`...)
	b, ok2 := appendJSONTime(b, v.StateSince)
	b = append(b, `,"lastSeq":`...)
	b = strconv.AppendUint(b, v.LastSeq, 10)
	return append(b, '}'), ok1 && ok2
}

func appendJob(b []byte, j *Job) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, j.ID)
	b = append(b, `,"company":`...)
	b = appendJSONString(b, j.Company)
	b = append(b, `,"cnpj":`...)
	b = appendJSONString(b, j.CNPJ)
	b = append(b, `,"intent":`...)
	b = appendJSONString(b, j.Intent)
	if j.Competence != "" {
		b = append(b, `,"competence":`...)
		b = appendJSONString(b, j.Competence)
	}
	if j.Person != "" {
		b = append(b, `,"person":`...)
		b = appendJSONString(b, j.Person)
	}
	b = append(b, `,"phone":`...)
	b = appendJSONString(b, j.Phone)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(j.State))
	if j.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, j.Reason)
	}
	if j.Hold != "" {
		b = append(b, `,"hold":`...)
		b = appendJSONString(b, j.Hold)
	}
	if j.Confirmed {
		b = append(b, `,"confirmed":true`...)
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(j.Attempts), 10)
	if len(j.Documents) > 0 {
		b = append(b, `,"documents":[`...)
		for i, d := range j.Documents {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, d)
		}
		b = append(b, ']')
	}
	b = append(b, `,"delivered":`...)
	b = strconv.AppendBool(b, j.Delivered)
	b = append(b, `,"history":`...)
	ok := true
	if j.History == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range j.History {
			h := &j.History[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"state":`...)
			b = appendJSONString(b, string(h.State))
			if h.Note != "" {
				b = append(b, `,"note":`...)
				b = appendJSONString(b, h.Note)
			}
			b = append(b, `,"at":`...)
			var okAt bool
			b, okAt = appendJSONTime(b, h.At)
			ok = ok && okAt
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"createdAt":`...)
	b, ok1 := appendJSONTime(b, j.CreatedAt)
	b = append(b, `,"updatedAt":`...)
	b, ok2 := appendJSONTime(b, j.UpdatedAt)
	return append(b, '}'), ok && ok1 && ok2
}

// appendJSONTime writes t as time.Time.MarshalJSON does (RFC 3339 with nanoseconds, quoted;
// AppendText is its unquoted twin). It reports false where MarshalJSON fails.
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	out, err := t.AppendText(append(b, '"'))
	if err != nil {
		return b, false // AppendText returns nil then
	}
	return append(out, '"'), true
}

// appendTimeMap writes a map of times as encoding/json does: keys sorted as strings.
func appendTimeMap(b []byte, m map[string]time.Time) ([]byte, bool) {
	var buf [8]string // a message reaches at most four statuses
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ok := true
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var okT bool
		b, okT = appendJSONTime(b, m[k])
		ok = ok && okT
	}
	return append(b, '}'), ok
}

// jsonSafe holds the ASCII bytes encoding/json writes as they are in a string with HTML
// escaping on (its htmlSafeSet): printable ones but ", \, <, > and &; DEL is written as is.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := byte(' '); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString writes s quoted as encoding/json's appendString does with HTML escaping
// (json.Marshal's default).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control bytes, <, > and &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
