package bench

import (
	"bytes"
	"strconv"
	"time"
)

// Frames are parsed by looking for `"key":` patterns rather than decoding JSON: the watchers
// must keep up with every event of an office without taking CPU from the engine (they run in
// its process). A pattern `"key":` cannot occur inside a JSON string (its quotes would be
// escaped), so a match is a key.
//
// Every frame is made by the hub's stamp (ui/hub.go): {"seq":N,"type":"T","at":…,"data":…}.
// Its header is read in place, and of the payload only the few fields a watcher matches on,
// each searched from where the previous one ended (bytes.Index, not a byte-by-byte scan).

// jsonKey is the pattern of a key: `"name":`.
func jsonKey(name string) []byte { return []byte(`"` + name + `":`) }

var (
	keySeq          = jsonKey("seq")
	keyType         = jsonKey("type")
	keyConversation = jsonKey("conversation")
	keyID           = jsonKey("id")
	keyDirection    = jsonKey("direction")
	keyAuthor       = jsonKey("author")
	keyWaID         = jsonKey("waId")
	keyState        = jsonKey("state")
	keyStatus       = jsonKey("status")
)

// jsonField returns the raw value of the key whose pattern (jsonKey) is pat, after position
// from: a string without its quotes, or a number/literal; ok is false when the key is absent.
func jsonField(b []byte, from int, pat []byte) (val []byte, end int, ok bool) {
	i := indexKey(b, from, pat)
	if i < 0 {
		return nil, from, false
	}
	i += len(pat)
	if i >= len(b) {
		return nil, i, false
	}
	if b[i] == '"' {
		j := bytes.IndexByte(b[i+1:], '"')
		if j < 0 {
			return nil, i, false
		}
		return b[i+1 : i+1+j], i + 2 + j, true
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' {
		j++
	}
	return b[i:j], j, true
}

// indexKey returns the position of the key pattern pat (jsonKey) in b at or after from, or -1.
// It searches for the pattern without its opening quote, then checks the quote: bytes.Index
// finds candidates by the first byte, and in JSON a quote is everywhere.
func indexKey(b []byte, from int, pat []byte) int {
	for from < len(b) {
		i := bytes.Index(b[from+1:], pat[1:])
		if i < 0 {
			return -1
		}
		i += from // where the quote must be
		if b[i] == '"' {
			return i
		}
		from = i + 1
	}
	return -1
}

// frame is what the watchers need of one event frame.
type frame struct {
	seq       uint64
	typ       []byte
	at        []byte // when the hub stamped it (RFC 3339), when the frame begins as stamp writes it
	conv      []byte // conversation id (phone)
	direction []byte // message.added
	author    []byte
	waID      []byte
	msgSeq    uint64 // message.added: message id; message.status: id
	state     []byte // conversation.changed
	status    []byte // message.status
}

var (
	typMessageAdded = []byte("message.added")
	typConvChanged  = []byte("conversation.changed")
	typStatus       = []byte("message.status")
)

// stampHead, stampType and stampAt are how a stamped frame begins: {"seq":N,"type":"…","at":"…
var (
	stampHead = []byte(`{"seq":`)
	stampType = []byte(`,"type":"`)
	stampAt   = []byte(`,"at":"`)
)

// parseHeader reads the seq and type of a frame into f (clearing the rest) and returns where
// its payload starts. A frame as stamp writes it is read in place; any other order of keys is
// searched for.
func parseHeader(b []byte, f *frame) (pos int, ok bool) {
	*f = frame{}
	if bytes.HasPrefix(b, stampHead) {
		i := len(stampHead)
		n, j := digits(b, i)
		if j > i && bytes.HasPrefix(b[j:], stampType) {
			i = j + len(stampType)
			if k := bytes.IndexByte(b[i:], '"'); k >= 0 {
				f.seq, f.typ = n, b[i:i+k]
				i += k + 1
				if bytes.HasPrefix(b[i:], stampAt) {
					i += len(stampAt)
					if k := bytes.IndexByte(b[i:], '"'); k >= 0 {
						f.at = b[i : i+k]
						i += k + 1
					}
				}
				return i, true
			}
		}
	}
	v, seqEnd, ok := jsonField(b, 0, keySeq)
	if !ok {
		return 0, false
	}
	f.seq, _ = strconv.ParseUint(string(v), 10, 64)
	typ, typEnd, ok := jsonField(b, 0, keyType)
	if !ok {
		return 0, false
	}
	f.typ = typ
	return max(seqEnd, typEnd), true
}

// digits reads the decimal number at b[i:] and returns it and the position after it (i when
// there is none).
func digits(b []byte, i int) (n uint64, end int) {
	for end = i; end < len(b) && b[end] >= '0' && b[end] <= '9'; end++ {
		n = n*10 + uint64(b[end]-'0')
	}
	return n, end
}

// stampedAt is when the hub stamped the frame, or else.
func (f *frame) stampedAt(orElse time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, string(f.at)); err == nil {
		return t
	}
	return orElse
}

// parseFrame reads every field the in-process watcher (watchOffice) matches on.
func parseFrame(b []byte, f *frame) bool {
	pos, ok := parseHeader(b, f)
	if !ok {
		return false
	}
	var v []byte
	switch {
	case bytes.Equal(f.typ, typMessageAdded):
		f.conv, pos, _ = jsonField(b, pos, keyConversation)
		v, pos, _ = jsonField(b, pos, keyID)
		f.msgSeq, _ = digits(v, 0)
		f.direction, pos, _ = jsonField(b, pos, keyDirection)
		f.author, pos, _ = jsonField(b, pos, keyAuthor)
		f.waID, _, _ = jsonField(b, pos, keyWaID)
	case bytes.Equal(f.typ, typConvChanged):
		// {"conversation":{"id":"…","state":"…",…},"reason":…}
		f.conv, pos, _ = jsonField(b, pos, keyID)
		f.state, _, _ = jsonField(b, pos, keyState)
	case bytes.Equal(f.typ, typStatus):
		f.conv, pos, _ = jsonField(b, pos, keyConversation)
		v, pos, _ = jsonField(b, pos, keyID)
		f.msgSeq, _ = digits(v, 0)
		f.status, _, _ = jsonField(b, pos, keyStatus)
	}
	return true
}

// parseStaffFrame reads what a staff socket matches on: the seq and type of every frame, the
// direction of a message.added and, when inbound, its WhatsApp id (the fields in between are
// skipped).
func parseStaffFrame(b []byte, f *frame) bool {
	pos, ok := parseHeader(b, f)
	if !ok {
		return false
	}
	if bytes.Equal(f.typ, typMessageAdded) {
		f.direction, pos, _ = jsonField(b, pos, keyDirection)
		if string(f.direction) == "in" {
			f.waID, _, _ = jsonField(b, pos, keyWaID)
		}
	}
	return true
}

// splitFrames appends to out[:0] the event frames of one websocket message: the message
// itself, or the elements of the JSON array the server sends when several events were waiting
// (ui/ws.go coalesce, ui/hub.go PublishAll). The caller reuses out from message to message.
//
// An array's elements are found by searching for the next `,{"seq":N,"type":"` rather than by
// following the nesting of every byte: that prefix cannot occur inside a string (its quotes
// would be escaped), and inside a payload only if a payload held a stamped event, which none
// does.
func splitFrames(out [][]byte, b []byte) [][]byte {
	out = out[:0]
	if len(b) == 0 || b[0] != '[' {
		return append(out, b)
	}
	end := len(b)
	for end > 1 && b[end-1] != ']' {
		end--
	}
	end-- // the closing ']'
	start := 1
	if start >= end {
		return out // []
	}
	for from := start + 1; ; {
		i := bytes.Index(b[from:end], stampHead) // '{' is rarer than ',' to look for
		if i < 0 {
			return append(out, b[start:end])
		}
		i += from
		if b[i-1] != ',' || !isStamped(b[i:end]) {
			from = i + 1 // an object inside a payload
			continue
		}
		out = append(out, b[start:i-1])
		start = i
		from = start + 1
	}
}

// isStamped reports whether b begins as stamp writes a frame: {"seq":N,"type":"
func isStamped(b []byte) bool {
	i := len(stampHead)
	_, j := digits(b, i)
	return j > i && bytes.HasPrefix(b[j:], stampType)
}

// Message ids the harness gives its inbound messages: "B" + base 36 of the message number,
// so that every event carrying it can be traced to its intended send time.
func benchID(n uint64) string { return "B" + strconv.FormatUint(n, 36) }

func parseBenchID(id []byte) (uint64, bool) {
	if len(id) < 2 || id[0] != 'B' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(id[1:]), 36, 64)
	return n, err == nil
}
