package bench

import (
	"bytes"
	"strconv"
)

// Frames are parsed by looking for `"key":` patterns rather than decoding JSON: the watchers
// must keep up with every event of an office without taking CPU from the engine. A pattern
// `"key":` cannot occur inside a JSON string (its quotes would be escaped), so a match is a key.

// jsonField returns the raw value of key after position from: a string without its quotes, or
// a number/literal; ok is false when the key is absent.
func jsonField(b []byte, from int, key string) (val []byte, end int, ok bool) {
	pat := make([]byte, 0, len(key)+3)
	pat = append(pat, '"')
	pat = append(pat, key...)
	pat = append(pat, '"', ':')
	i := bytes.Index(b[from:], pat)
	if i < 0 {
		return nil, from, false
	}
	i += from + len(pat)
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

// frame is what the watchers need of one event frame.
type frame struct {
	seq       uint64
	typ       []byte
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

func parseFrame(b []byte, f *frame) bool {
	*f = frame{}
	v, pos, ok := jsonField(b, 0, "seq")
	if !ok {
		return false
	}
	f.seq, _ = strconv.ParseUint(string(v), 10, 64)
	if f.typ, pos, ok = jsonField(b, pos, "type"); !ok {
		return false
	}
	switch {
	case bytes.Equal(f.typ, typMessageAdded):
		f.conv, pos, _ = jsonField(b, pos, "conversation")
		v, pos, _ = jsonField(b, pos, "id")
		f.msgSeq, _ = strconv.ParseUint(string(v), 10, 64)
		f.direction, pos, _ = jsonField(b, pos, "direction")
		f.author, pos, _ = jsonField(b, pos, "author")
		f.waID, _, _ = jsonField(b, pos, "waId")
	case bytes.Equal(f.typ, typConvChanged):
		// {"conversation":{"id":"…","state":"…",…},"reason":…}
		f.conv, pos, _ = jsonField(b, pos, "id")
		f.state, _, _ = jsonField(b, pos, "state")
	case bytes.Equal(f.typ, typStatus):
		f.conv, pos, _ = jsonField(b, pos, "conversation")
		v, pos, _ = jsonField(b, pos, "id")
		f.msgSeq, _ = strconv.ParseUint(string(v), 10, 64)
		f.status, _, _ = jsonField(b, pos, "status")
	}
	return true
}

// splitFrames appends to out[:0] the event frames of one websocket message: the message
// itself, or the elements of the JSON array the server sends when several events were waiting.
// The caller reuses out from message to message.
func splitFrames(out [][]byte, b []byte) [][]byte {
	out = out[:0]
	if len(b) == 0 || b[0] != '[' {
		return append(out, b)
	}
	depth, start, inString, escaped := 0, -1, false, false
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{':
			if depth == 0 {
				start = i
			}
			depth++
		case c == '}':
			depth--
			if depth == 0 && start >= 0 {
				out = append(out, b[start:i+1])
				start = -1
			}
		}
	}
	return out
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
