package balcao

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// AppendEventJSON must write what json.Marshal writes, byte for byte: the web client reads it.

// eventJSONFields lists the fields of every type AppendEventJSON writes, as it knows them. A
// field added to one of these types fails TestEventJSONFields until it is written by the
// appenders (event_json.go) and listed here; the random values of TestEventJSONRandom fill
// every field, so an appender that skips one fails there too.
var eventJSONFields = map[reflect.Type]string{
	reflect.TypeFor[MessageAdded]():         "Conversation Message View",
	reflect.TypeFor[MessageStatusChanged](): "Conversation Seq Status View",
	reflect.TypeFor[ConversationChanged]():  "Conversation Reason Prev",
	reflect.TypeFor[JobChanged]():           "Job View",
	reflect.TypeFor[Message]():              "Seq Direction Author Text Document WAID Status At StatusAt Quoted",
	reflect.TypeFor[Document]():             "ID Name URL MIME Size SHA",
	reflect.TypeFor[ConversationView]():     "ID State Attendant Department Served Contact Companies Unread LastAt Preview StateSince LastSeq",
	reflect.TypeFor[ContactView]():          "Phone Name Linked",
	reflect.TypeFor[CompanyRef]():           "ID Name CNPJ Assistant",
	reflect.TypeFor[Job]():                  "ID Company CNPJ Intent Competence Person Phone State Reason Hold Confirmed Attempts Documents Delivered ToldPend History CreatedAt UpdatedAt",
	reflect.TypeFor[JobEvent]():             "State Note At",
}

func TestEventJSONFields(t *testing.T) {
	for typ, want := range eventJSONFields {
		var names []string
		for f := range typ.Fields() {
			names = append(names, f.Name)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("%s has fields %q; event_json.go knows %q: write the new field there, then list it here", typ, got, want)
		}
	}
	// Every struct reachable from an event is listed (time.Time is written by its MarshalJSON).
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			walk(typ.Elem())
		case reflect.Struct:
			if typ == reflect.TypeFor[time.Time]() {
				return
			}
			if _, ok := eventJSONFields[typ]; !ok {
				t.Errorf("%s is reachable from an event but unknown to event_json.go", typ)
				return
			}
			for f := range typ.Fields() {
				walk(f.Type)
			}
		}
	}
	for _, v := range eventJSONSamples() {
		walk(reflect.TypeOf(v))
	}
}

// eventJSONSamples is one zero value of every payload type AppendEventJSON writes.
func eventJSONSamples() []any {
	return []any{MessageAdded{}, MessageStatusChanged{}, ConversationChanged{}, JobChanged{}}
}

// checkEventJSON compares AppendEventJSON(prefix, v) with json.Marshal(v).
func checkEventJSON(t testing.TB, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	prefix := []byte("[1,")
	got, ok := AppendEventJSON(prefix, v)
	switch {
	case err != nil && ok:
		t.Fatalf("AppendEventJSON(%#v) = %s, true; json.Marshal fails: %v", v, got[len(prefix):], err)
	case err != nil:
		if !bytes.Equal(got, prefix) {
			t.Fatalf("AppendEventJSON(%#v) = %q, false; want dst unchanged", v, got)
		}
	case !ok:
		t.Fatalf("AppendEventJSON(%#v) = false; json.Marshal writes\n%s", v, want)
	case !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], want):
		t.Fatalf("AppendEventJSON(%#v) =\n%q\njson.Marshal:\n%q", v, got[len(prefix):], want)
	}
}

// jsonStrings are strings encoding/json escapes in every way it has.
var jsonStrings = []string{
	"", "oi", "Olá, tudo bem? Preciso da guia do DAS de março 🙏",
	`"quoted" \back\slash/`, "<script>alert('x')</script> & <b>", "\u2028line\u2029para\u2028",
	"\x00\x01\x07\x1f\x7f", "\b\f\n\r\t\v", "tab\there\nnew line",
	"\xff", "\xfe\xff bad", "trunc \xc3", "\xe2\x80", "\xe2\x80\xa8\xe2\x80", "\xed\xa0\x80 surrogate",
	"\xc0\xaf overlong", "\xf4\x90\x80\x80 too big", "\uFFFD real replacement", "ç á é õ ü ñ €",
	"\U0010FFFF", strings.Repeat("x", 1000), strings.Repeat("<&>\u2028", 50),
}

// jsonTimes are times json.Marshal writes in every form, or fails on.
var jsonTimes = func() []time.Time {
	at := time.Date(2026, 11, 25, 10, 17, 46, 123456789, time.UTC)
	return []time.Time{
		{}, at, at.Truncate(time.Second), at.Truncate(time.Millisecond), time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC),
		at.In(time.FixedZone("BRT", -3*3600)), at.In(time.FixedZone("IST", 5*3600+1800)),
		at.In(time.FixedZone("LMT", -(3*3600 + 6*60 + 28))), at.In(time.FixedZone("", 23*3600+59*60)),
		at.In(time.FixedZone("", -(23*3600 + 59*60))), at.Local(), time.Now(), // a monotonic reading
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), // json.Marshal fails
		at.In(time.FixedZone("", 24*3600)), at.In(time.FixedZone("", -25*3600)), // json.Marshal fails
	}
}()

func TestEventJSONCases(t *testing.T) {
	at := jsonTimes[1]
	view := ConversationView{
		ID: "5511961234567", State: StateAttending, Attendant: "ana", Department: "fiscal", Served: []string{"ana"},
		Contact:   ContactView{Phone: "5511961234567", Name: "Maria", Linked: true},
		Companies: []CompanyRef{{ID: "c1", Name: "Padaria & Cia <Ltda>", CNPJ: "12345678000190"}, {}},
		Unread:    3, LastAt: at, Preview: "oi", StateSince: at.Add(-time.Hour), LastSeq: 42,
	}
	job := Job{
		ID: "j1", Company: "c1", CNPJ: "12345678000190", Intent: "das", Competence: "2026-10", Person: "x",
		Phone: "5511961234567", State: JobPending, Reason: "r", Hold: "confirm", Confirmed: true, Attempts: 2,
		Documents: []string{"d1", "d2"}, Delivered: true, ToldPend: true,
		History:   []JobEvent{{State: JobWaiting, At: at}, {State: JobPending, Note: "sem <acesso>", At: at}},
		CreatedAt: at, UpdatedAt: at,
	}
	msg := Message{
		Seq: 1 << 63, Direction: Outbound, Author: "ana", Text: "segue", WAID: "wamid.X", Status: StatusRead, At: at,
		Document: &Document{ID: "d1", Name: "guia.pdf", URL: "/portal/d1?a=1&b=2", MIME: "application/pdf", Size: 123456, SHA: "abc"},
		StatusAt: map[string]time.Time{StatusSent: at, StatusDelivered: at.Add(time.Second), StatusRead: at.Add(time.Minute)},
	}
	cases := []any{
		MessageAdded{}, MessageStatusChanged{}, ConversationChanged{}, JobChanged{},
		MessageAdded{Conversation: "5511961234567", Message: &msg, View: &view},
		MessageAdded{Message: &Message{Document: &Document{}}},
		MessageAdded{Message: &Message{Document: &Document{Name: "a", Size: -3}, StatusAt: map[string]time.Time{}}},
		MessageAdded{Message: &Message{StatusAt: map[string]time.Time{"": {}, "<&>": at, "b": at, "a": at, "\xff": at, "\u2028": at}}},
		MessageStatusChanged{Conversation: "5511961234567", Seq: 7, Status: StatusDelivered, View: &view},
		ConversationChanged{Conversation: &view, Reason: ReasonAssistantGave, Prev: &view},
		ConversationChanged{Conversation: &ConversationView{Companies: []CompanyRef{}, Unread: -5}},
		JobChanged{Job: job, View: &view},
		JobChanged{Job: Job{Documents: []string{}, History: []JobEvent{}}},
		JobChanged{Job: Job{Documents: []string{""}, History: []JobEvent{{}}}},
		&MessageAdded{Message: &msg}, &MessageStatusChanged{Seq: 1}, &ConversationChanged{Conversation: &view}, &JobChanged{Job: job},
	}
	for _, s := range jsonStrings {
		m := msg
		m.Text, m.Author, m.WAID, m.Status, m.Direction = s, s, s, s, Direction(s)
		m.Document = &Document{ID: s, Name: s, URL: s, MIME: s}
		m.StatusAt = map[string]time.Time{s: at, s + "x": at}
		v := view
		v.ID, v.State, v.Attendant, v.Department, v.Contact.Name, v.Preview = s, State(s), s, s, s, s
		v.Companies = []CompanyRef{{ID: s, Name: s, CNPJ: s}}
		j := job
		j.ID, j.Reason, j.Documents, j.History = s, s, []string{s, s}, []JobEvent{{State: JobState(s), Note: s}}
		cases = append(cases, MessageAdded{Conversation: s, Message: &m}, MessageStatusChanged{Conversation: s, Status: s},
			ConversationChanged{Conversation: &v, Reason: s}, JobChanged{Job: j})
	}
	for _, tm := range jsonTimes {
		m := msg
		m.At, m.StatusAt = tm, map[string]time.Time{"a": at, "b": tm}
		v := view
		v.LastAt, v.StateSince = tm, at
		v2 := view
		v2.StateSince = tm
		j := job
		j.History = []JobEvent{{At: at}, {At: tm}}
		j2 := job
		j2.UpdatedAt = tm
		cases = append(cases, MessageAdded{Message: &m}, ConversationChanged{Conversation: &v}, ConversationChanged{Conversation: &v2},
			JobChanged{Job: j}, JobChanged{Job: j2})
	}
	for _, c := range cases {
		checkEventJSON(t, c)
	}
}

// Other types, and nil pointers, are the caller's to encode: dst comes back as it was.
func TestEventJSONOtherTypes(t *testing.T) {
	for _, v := range []any{nil, "x", 1, ConversationHidden{Conversation: "x"}, Message{}, (*MessageAdded)(nil),
		(*MessageStatusChanged)(nil), (*ConversationChanged)(nil), (*JobChanged)(nil), WhatsAppStatus{}} {
		if got, ok := AppendEventJSON([]byte("ab"), v); ok || string(got) != "ab" {
			t.Errorf("AppendEventJSON(%#v) = %q, %v; want \"ab\", false", v, got, ok)
		}
	}
}

// Every rune, and every byte on its own, is escaped as encoding/json escapes it.
func TestEventJSONRunes(t *testing.T) {
	var sb strings.Builder
	flush := func() {
		checkEventJSON(t, MessageStatusChanged{Status: sb.String()})
		sb.Reset()
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		sb.WriteRune(r) // surrogates become U+FFFD
		if r%256 == 255 {
			flush()
		}
	}
	for c := 0; c < 256; c++ {
		sb.WriteString("a")
		sb.WriteByte(byte(c))
	}
	flush()
}

// eventFiller fills every field of a value reflectively, so that a field added to an event
// type gets values the appenders must write.
type eventFiller struct{ r *rand.Rand }

var jsonPieces = []string{"a", "Z", "0", " ", "ç", "ã", "€", "🙏", "\u2028", "\u2029", "\ufffd", "<", ">", "&",
	`"`, `\`, "/", "\x00", "\x1f", "\x7f", "\n", "\t", "\b", "\f", "\r", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80"}

func (f eventFiller) str() string {
	if f.r.IntN(3) == 0 {
		return ""
	}
	var sb strings.Builder
	for range f.r.IntN(12) {
		if f.r.IntN(2) == 0 {
			sb.WriteString("ab")
		} else {
			sb.WriteString(jsonPieces[f.r.IntN(len(jsonPieces))])
		}
	}
	return sb.String()
}

func (f eventFiller) int() int64 {
	switch f.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return f.r.Int64N(100) - 50
	case 2:
		return int64(f.r.Uint64())
	}
	return f.r.Int64N(1 << 40)
}

var fillerZones = []*time.Location{time.UTC, time.Local, time.FixedZone("BRT", -3*3600), time.FixedZone("", 5*3600+1800),
	time.FixedZone("LMT", -(3*3600 + 6*60 + 28)), time.FixedZone("", 23*3600+59*60+59), time.FixedZone("", 24*3600)}

func (f eventFiller) time() time.Time {
	const year0, year10000 = -62167219200, 253402300800
	switch f.r.IntN(8) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(f.r.Int64N(1<<40)-1<<39, f.r.Int64N(1e9)) // often outside the years 0–9999
	}
	nsec := f.r.Int64N(1e9)
	switch f.r.IntN(3) {
	case 0:
		nsec = 0
	case 1:
		nsec -= nsec % 1000000
	}
	t := time.Unix(year0+f.r.Int64N(year10000-year0), nsec)
	if f.r.IntN(10) == 0 {
		return t.In(fillerZones[f.r.IntN(len(fillerZones))])
	}
	return t.UTC()
}

func (f eventFiller) fill(v reflect.Value) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(f.time()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(f.int())
	case reflect.Uint64:
		v.SetUint(uint64(f.int()))
	case reflect.Pointer:
		if f.r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			f.fill(v.Elem())
		}
	case reflect.Slice:
		if n := f.r.IntN(5) - 1; n >= 0 {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				f.fill(v.Index(i))
			}
		}
	case reflect.Map:
		if n := f.r.IntN(6) - 1; n >= 0 {
			v.Set(reflect.MakeMap(v.Type()))
			for range n {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				f.fill(k)
				f.fill(e)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i))
		}
	default:
		panic("eventFiller: teach it to fill a " + v.Type().String())
	}
}

// randomEvents returns one random value of every payload type.
func randomEvents(r *rand.Rand) []any {
	f := eventFiller{r}
	var out []any
	for _, s := range eventJSONSamples() {
		v := reflect.New(reflect.TypeOf(s))
		f.fill(v.Elem())
		out = append(out, v.Elem().Interface())
	}
	return out
}

func TestEventJSONRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 25))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for range n {
		for _, v := range randomEvents(r) {
			checkEventJSON(t, v)
		}
	}
}

func FuzzEventJSON(f *testing.F) {
	for i, s := range jsonStrings {
		tm := jsonTimes[i%len(jsonTimes)]
		_, off := tm.Zone()
		f.Add(uint64(i), s, jsonStrings[(i+1)%len(jsonStrings)], tm.Unix(), int64(tm.Nanosecond()), int32(off))
	}
	f.Fuzz(func(t *testing.T, seed uint64, s1, s2 string, sec, nsec int64, off int32) {
		tm := time.Unix(sec, nsec).In(time.FixedZone(s2, int(off)))
		for _, v := range randomEvents(rand.New(rand.NewPCG(seed, seed>>32))) {
			switch e := v.(type) {
			case MessageAdded:
				if e.Message == nil {
					e.Message = &Message{}
				}
				e.Conversation, e.Message.Text, e.Message.Author, e.Message.At = s1, s1, s2, tm
				if e.Message.StatusAt != nil {
					e.Message.StatusAt[s1], e.Message.StatusAt[s2] = tm, tm
				}
				if e.Message.Document != nil {
					e.Message.Document.Name = s2
				}
				v = e
			case MessageStatusChanged:
				e.Conversation, e.Status = s1, s2
				v = e
			case ConversationChanged:
				if e.Conversation == nil {
					e.Conversation = &ConversationView{}
				}
				e.Conversation.Preview, e.Conversation.Contact.Name, e.Reason, e.Conversation.LastAt = s1, s2, s2, tm
				v = e
			case JobChanged:
				e.Job.Reason, e.Job.Person, e.Job.CreatedAt = s1, s2, tm
				e.Job.Documents = append(e.Job.Documents, s1)
				v = e
			}
			checkEventJSON(t, v)
		}
	})
}

// BenchmarkEventJSON encodes the events of an inbound message's turn, and a job's.
func BenchmarkEventJSON(b *testing.B) {
	at := time.Date(2026, 11, 25, 10, 17, 46, 123456789, time.UTC)
	view := ConversationView{
		ID: "5511961234567", State: StatePending, Department: "fiscal",
		Contact:   ContactView{Phone: "5511961234567", Name: "Maria da Silva", Linked: true},
		Companies: []CompanyRef{{ID: "c1", Name: "Padaria Pão Quente Ltda", CNPJ: "12345678000190"}},
		Unread:    2, LastAt: at, Preview: "Bom dia, preciso da guia do DAS", StateSince: at, LastSeq: 42,
	}
	events := []struct {
		name string
		v    any
	}{
		{"message.added", MessageAdded{Conversation: view.ID, Message: &Message{Seq: 42, Direction: Inbound, Author: AuthorClient,
			Text: "Bom dia, preciso da guia do DAS de outubro, por favor.", WAID: "wamid.HBgNNTUxMTk2MTIzNDU2NxUCABIYFjNFQjA", At: at}}},
		{"message.status", MessageStatusChanged{Conversation: view.ID, Seq: 41, Status: StatusDelivered}},
		{"message.added/statuses", MessageAdded{Conversation: view.ID, Message: &Message{Seq: 41, Direction: Outbound, Author: AuthorAssistant,
			Text: "Certo! Vou gerar a guia.", Status: StatusRead, At: at,
			StatusAt: map[string]time.Time{StatusSent: at, StatusDelivered: at, StatusRead: at}}}},
		{"conversation.changed", ConversationChanged{Conversation: &view, Reason: ReasonAssistantGave}},
		{"job.changed", JobChanged{Job: Job{ID: "j1", Company: "c1", CNPJ: "12345678000190", Intent: "das", Competence: "2026-10",
			Phone: view.ID, State: JobWaiting, History: []JobEvent{{State: JobWaiting, At: at}}, CreatedAt: at, UpdatedAt: at}}},
	}
	for _, e := range events {
		b.Run(e.name+"/append", func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				buf, _ = AppendEventJSON(buf[:0], e.v)
			}
		})
		b.Run(e.name+"/json.Marshal", func(b *testing.B) {
			for b.Loop() {
				if _, err := json.Marshal(e.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
