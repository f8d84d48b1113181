package storage

import (
	"bytes"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
)

// The hand-written codecs must write what the reflective encoder writes (the conversation's
// and the message's, whose fields are numbered: what reads back the same), and read what it
// wrote (every record stored before them) into the same value.

func codecCases() (msgs []balcao.Message, convs []balcao.Conversation) {
	at := time.Date(2026, 11, 25, 10, 17, 46, 123456789, time.UTC)
	long := strings.Repeat("á", 200) // 400 bytes: str16
	msgs = []balcao.Message{
		{},
		{Seq: 1, Direction: balcao.Inbound, Author: balcao.AuthorClient, Text: "oi", WAID: "B1z", At: at},
		{Seq: 1 << 40, Direction: balcao.Outbound, Author: "ana", Text: long, Status: balcao.StatusDelivered, At: at.Truncate(time.Second),
			StatusAt: map[string]time.Time{balcao.StatusDelivered: at}},
		{Seq: 7, Text: strings.Repeat("x", 70000), At: time.Unix(1<<35, 5)}, // str32, 12-byte time
		{Seq: 8, Document: &balcao.Document{ID: "d1", Name: "holerite.pdf", URL: "/portal/x", MIME: "application/pdf", Size: 123456, SHA: "abc"}, At: time.Unix(-5, 0)},
		{Seq: 9, Document: &balcao.Document{Name: "a", Size: -3}, At: at},
	}
	convs = []balcao.Conversation{
		{},
		{ID: "5511961234567", State: balcao.StateAssistant, Companies: []balcao.CompanyRef{}, LastAt: at, StateSince: at, CreatedAt: at},
		{
			ID: "5511961234567", State: balcao.StateAttending, Attendant: "ana", Department: "fiscal",
			Served: []string{"ana", "bia"}, Linked: true, ContactName: "Maria",
			Companies: []balcao.CompanyRef{{ID: "c1", Name: "Padaria", CNPJ: "12345678000190", Assistant: true}, {ID: "c2"}},
			LastSeq:   300, Transitions: 70000, Unread: 300, LastAt: at, Preview: strings.Repeat("p", 40),
			StateSince: at.Add(time.Hour), Dialog: []byte{0x81, 0xa1, 'a', 0x01}, Services: 4,
			Service: &balcao.Service{
				ID: "5511961234567-4", Phone: "5511961234567", ContactName: "Maria", Company: "c1", CompanyName: "Padaria",
				Department: "fiscal", Start: at, Queued: at, Taken: at, FirstResponse: at, End: at,
				Outcome: balcao.OutcomeStaff, Staff: "ana", StaffMessages: -2, ReplyMicros: []int64{1, 300, 1 << 40}, Rating: 5,
			},
			ClosedNoticeDay: "2026-11-25", Survey: "5511961234567-3", SurveyStart: at, SurveyUntil: at.Add(24 * time.Hour),
			CreatedAt: at.Add(-time.Hour), InboundAt: at.Add(-time.Minute), InboundKnown: true, ContactGen: 7,
		},
		{ID: "x", Unread: -40000, Dialog: bytes.Repeat([]byte{1}, 300), Service: &balcao.Service{ID: "s"}},
		{ID: "y", Unread: 1 << 33, Served: make([]string, 20), Companies: make([]balcao.CompanyRef, 17)},
	}
	return msgs, convs
}

// randomConversation fills every field from r, omitempty ones left empty half of the time.
func randomConversation(r *rand.Rand) balcao.Conversation {
	str := func() string {
		if r.IntN(2) == 0 {
			return ""
		}
		return strings.Repeat("ç", r.IntN(150))
	}
	tm := func() time.Time {
		if r.IntN(3) == 0 {
			return time.Time{}
		}
		return time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9))
	}
	c := balcao.Conversation{
		ID: str(), State: balcao.State(str()), Attendant: str(), Department: str(), Linked: r.IntN(2) == 0,
		ContactName: str(), LastSeq: r.Uint64(), Transitions: r.Uint64() >> r.IntN(64), Unread: int(r.Int64N(1<<40) - 1<<39),
		LastAt: tm(), Preview: str(), StateSince: tm(), Services: r.Uint64N(10), ClosedNoticeDay: str(), Survey: str(),
		SurveyStart: tm(), SurveyUntil: tm(), CreatedAt: tm(), InboundAt: tm(), InboundKnown: r.IntN(2) == 0,
		ContactGen: uint64(r.IntN(3)) << r.IntN(64),
	}
	for range r.IntN(3) {
		c.Served = append(c.Served, str())
		c.Companies = append(c.Companies, balcao.CompanyRef{ID: str(), Name: str(), CNPJ: str(), Assistant: r.IntN(2) == 0})
	}
	if r.IntN(2) == 0 {
		c.Dialog = []byte(str())
	}
	if r.IntN(2) == 0 {
		c.Service = &balcao.Service{ID: str(), Phone: str(), ContactName: str(), Company: str(), CompanyName: str(),
			Department: str(), Start: tm(), Queued: tm(), Taken: tm(), FirstResponse: tm(), End: tm(),
			Outcome: balcao.Outcome(str()), Staff: str(), StaffMessages: r.IntN(300) - 100, Rating: r.IntN(6)}
		for range r.IntN(4) {
			c.Service.ReplyMicros = append(c.Service.ReplyMicros, r.Int64()-1<<62)
		}
	}
	return c
}

func TestCodecWritesWhatReflectionWrites(t *testing.T) {
	msgs, convs := codecCases()
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		convs = append(convs, randomConversation(r))
	}
	for i := range msgs {
		checkEncode(t, &msgs[i])
	}
	for i := range convs {
		checkEncode(t, &convs[i])
	}
	at := time.Date(2026, 11, 25, 10, 17, 46, 123456789, time.UTC)
	for _, d := range []Delivery{
		{}, {Status: balcao.StatusSent, StatusAt: StatusTimes{Sent: at}},
		{Status: balcao.StatusRead, StatusAt: StatusTimes{Sent: at, Delivered: at.Add(time.Second), Read: at.Add(time.Minute)}},
		{Status: balcao.StatusFailed, StatusAt: StatusTimes{Failed: at}},
	} {
		checkEncode(t, &d)
	}
}

func TestCodecReadsWhatReflectionWrote(t *testing.T) {
	msgs, convs := codecCases()
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		convs = append(convs, randomConversation(r))
	}
	// A message with several statuses: the reflective encoder writes them in random order.
	msgs = append(msgs, balcao.Message{Seq: 3, StatusAt: map[string]time.Time{
		balcao.StatusSent: time.Unix(1, 0), balcao.StatusDelivered: time.Unix(2, 0), balcao.StatusRead: time.Unix(3, 0)}})
	for i := range msgs {
		checkDecode(t, &msgs[i], &balcao.Message{}, &balcao.Message{})
	}
	for i := range convs {
		checkDecode(t, &convs[i], &balcao.Conversation{}, &balcao.Conversation{})
	}
}

// checkDecode decodes the reflective encoding of v with the reflective decoder (into want) and
// with Decode (into got), and compares.
func checkDecode(t *testing.T, v, want, got any) {
	t.Helper()
	raw := mustMarshal(t, v)
	if err := msgpack.Unmarshal(raw, want); err != nil {
		t.Fatal(err)
	}
	if err := Decode(raw, got); err != nil {
		t.Fatalf("Decode(%x): %v", raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode = %+v\nreflective decoder: %+v", got, want)
	}
	// And what the codec writes reads back the same.
	again := reflect.New(reflect.TypeOf(want).Elem()).Interface()
	if err := Decode(Encode(got), again); err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("Decode(Encode) = %+v, %v; want %+v", again, err, want)
	}
}

// TestCodecToleratesOtherShapes: records written by an older or newer binary may lack fields,
// carry unknown ones, hold nil, or use other integer widths; the codec reads them as the
// reflective decoder does. (A nil time panics in the reflective decoder; the codec reads it
// as the zero time.)
func TestCodecToleratesOtherShapes(t *testing.T) {
	records := []map[string]any{
		{"seq": uint8(3), "text": "oi", "future": map[string]any{"a": []any{1, "b"}}, "doc": nil, "status_at": nil},
		{"seq": int32(5), "doc": map[string]any{"name": "a.pdf", "size": uint16(9), "extra": true}},
		{"id": "p", "unread": int8(-3), "companies": nil, "service": nil, "last_seq": uint16(7), "served": nil, "dialog": nil},
		{"id": "p", "companies": []any{map[string]any{"id": "c", "legacy": 1}}, "service": map[string]any{"id": "s", "reply_us": []any{int8(1), uint32(70000)}, "new": "x"}},
		{"last_at": time.Time{}, "created_at": time.Unix(1, 2)},
		{},
	}
	for _, rec := range records {
		raw, err := msgpack.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]any{{&balcao.Message{}, &balcao.Message{}}, {&balcao.Conversation{}, &balcao.Conversation{}}} {
			want, got := pair[0], pair[1]
			werr := msgpack.Unmarshal(raw, want)
			gerr := Decode(raw, got)
			if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("Decode(%v) = %+v, %v; reflective decoder %+v, %v", rec, got, gerr, want, werr)
			}
		}
	}
	if err := Decode([]byte{0x81, 0xa3, 's', 'e', 'q'}, &balcao.Message{}); err == nil {
		t.Error("Decode of a truncated record: no error")
	}
}

// TestNumberedRecordsArePinned: every stored conversation and message record carries the
// field numbers; renumbering them would misread the records already written. (A new field
// takes the next number.) The numbers make a record about half the size of the tagged one.
func TestNumberedRecordsArePinned(t *testing.T) {
	msgs, convs := codecCases()
	for i, want := range map[int]string{
		1: "86010102a2696e03a6636c69656e7404a26f6906a342317a08d7ff1d6f34546b06b5ca",
		4: "86010802a003a004a00586a26964a26431a46e616d65ac686f6c65726974652e706466a375726ca92f706f7274616c2f78a46d" +
			"696d65af6170706c69636174696f6e2f706466a473697a65d3000000000001e240a3736861a361626308c70cff00000000fffffffffffffffb",
	} {
		if got := hex.EncodeToString(Encode(&msgs[i])); got != want {
			t.Errorf("Encode(message %d) =\n%s\nwant (the stored format)\n%s", i, got, want)
		}
	}
	if got, tagged := Encode(&msgs[1]), mustMarshal(t, &msgs[1]); len(got)*100 > len(tagged)*55 {
		t.Errorf("numbered message %d bytes, tagged %d: want at most 55 %%", len(got), len(tagged))
	}
	const want = "de001901ad3535313139363132333435363702a9617474656e64696e6703a3616e6104a666697363616c0592a3616e61a362" +
		"696106c307a54d6172696108928401a2633102a75061646172696103ae313233343536373830303031393004c38301a26332" +
		"02a003a009cd012c0ace000111700bcd012c0cd7ff1d6f34546b06b5ca0dd928707070707070707070707070707070707070" +
		"707070707070707070707070707070707070707070700ed7ff1d6f34546b06c3da0fc40481a1610110de001001af35353131" +
		"3936313233343536372d3402ad3535313139363132333435363703a54d6172696104a2633105a75061646172696106a66669" +
		"7363616c07d7ff1d6f34546b06b5ca08d7ff1d6f34546b06b5ca09d7ff1d6f34546b06b5ca0ad7ff1d6f34546b06b5ca0bd7" +
		"ff1d6f34546b06b5ca0ca96174656e64656e74650da3616e610efe0f9301cd012ccf00000100000000001005110412aa3230" +
		"32362d31312d323513af353531313936313233343536372d3314d7ff1d6f34546b06b5ca15d7ff1d6f34546b08074a16d7ff" +
		"1d6f34546b06a7ba17d7ff1d6f34546b06b58e18c31907"
	got := Encode(&convs[2])
	if hex.EncodeToString(got) != want {
		t.Errorf("Encode(conversation) =\n%x\nwant (the stored format)\n%s", got, want)
	}
	if tagged := mustMarshal(t, &convs[2]); len(got)*100 > len(tagged)*55 {
		t.Errorf("numbered record %d bytes, tagged %d: want at most 55 %%", len(got), len(tagged))
	}
	// A number this binary does not know (written by a newer one) is skipped, as an unknown tag.
	raw := mustMarshal(t, map[int]any{convID: "p", 99: []any{1, "x"}, convUnread: int8(-3), 0: "zero", -1: "neg"})
	var c balcao.Conversation
	if err := Decode(raw, &c); err != nil || c.ID != "p" || c.Unread != -3 {
		t.Errorf("Decode(numbered record with unknown numbers) = %+v, %v", c, err)
	}
	// A field number in a wider integer (int64: 9 bytes) is the same number.
	raw = mustMarshal(t, map[int64]any{convID: "q", convLastSeq: uint16(700)})
	if c = (balcao.Conversation{}); Decode(raw, &c) != nil || c.ID != "q" || c.LastSeq != 700 {
		t.Errorf("Decode(numbered record with int64 keys) = %+v", c)
	}
	// A numbered record cut anywhere is an error, not a shorter record or a panic.
	for _, v := range []any{&convs[2], &msgs[4]} {
		full := Encode(v)
		for n := range len(full) {
			if err := Decode(full[:n], reflect.New(reflect.TypeOf(v).Elem()).Interface()); err == nil {
				t.Fatalf("Decode of %T cut at %d of %d bytes: no error", v, n, len(full))
			}
		}
	}
}

// mustMarshal is the reflective encoding of v.
func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestStoredRecordsStillRead stores records with the reflective encoder (as every record
// before the codec was written), reads them through DB, and rewrites them.
func TestStoredRecordsStillRead(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, convs := codecCases()
	b := &Batch{}
	for i := range msgs {
		raw, _ := msgpack.Marshal(&msgs[i])
		b.Set(MessageKey("o1", "5511961234567", uint64(i+1)), raw)
	}
	raw, _ := msgpack.Marshal(&convs[2])
	b.Set(ConversationKey("o1", "5511961234567"), raw)
	if err = db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.Messages("o1", "5511961234567", 0, 100)
	if err != nil || len(got) != len(msgs) {
		t.Fatalf("Messages = %d, %v", len(got), err)
	}
	for i := range got {
		var want balcao.Message
		raw, _ := msgpack.Marshal(&msgs[i])
		_ = msgpack.Unmarshal(raw, &want)
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want)
		}
	}
	c, err := db.Conversation("o1", "5511961234567")
	if err != nil || c.Service == nil || c.Service.Rating != 5 || c.LastSeq != 300 || !c.LastAt.Equal(convs[2].LastAt) {
		t.Fatalf("Conversation = %+v, %v", c, err)
	}
}

func BenchmarkCodec(b *testing.B) {
	msgs, convs := codecCases()
	jobs, trs, dialogs := moreCodecCases()
	at := time.Date(2026, 11, 25, 10, 17, 46, 123456789, time.UTC)
	job := jobs[2] // a usual job, done: three events
	job.Competence, job.State, job.Delivered, job.Documents = "2026-10", balcao.JobDone, true, []string{"5511961234567-d1"}
	job.History = append(job.History, balcao.JobEvent{State: balcao.JobProcessing, Note: "agente", At: at}, balcao.JobEvent{State: balcao.JobDone, At: at})
	for _, c := range []struct {
		name string
		v    any
		new  func() any
	}{
		{"message", &msgs[1], func() any { return &balcao.Message{} }},
		{"conversation", &convs[2], func() any { return &balcao.Conversation{} }},
		{"job", &job, func() any { return &balcao.Job{} }},
		{"transition", &trs[2], func() any { return &balcao.Transition{} }},
		{"dialog", &dialogs[2], func() any { return &assistant.State{} }},
	} {
		raw := Encode(c.v)
		b.Run("encode/"+c.name+"/reflective", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = msgpack.Marshal(c.v)
			}
		})
		b.Run("encode/"+c.name+"/codec", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Encode(c.v)
			}
		})
		b.Run("decode/"+c.name+"/reflective", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = msgpack.Unmarshal(raw, c.new())
			}
		})
		b.Run("decode/"+c.name+"/codec", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Decode(raw, c.new())
			}
		})
	}
}

// TestCodecAllocatesOnce: the encoders size their buffer for a usual record.
func TestCodecAllocatesOnce(t *testing.T) {
	msgs, convs := codecCases()
	m := msgs[1]
	m.Status, m.StatusAt = balcao.StatusRead, map[string]time.Time{balcao.StatusSent: m.At, balcao.StatusDelivered: m.At, balcao.StatusRead: m.At}
	if n := testing.AllocsPerRun(10, func() { Encode(&m) }); n > 2 { // the buffer and the sorted keys
		t.Errorf("Encode(message) allocates %v times", n)
	}
	c := convs[2]
	c.Service.ReplyMicros = make([]int64, 64)
	if n := testing.AllocsPerRun(10, func() { Encode(&c) }); n > 1 {
		t.Errorf("Encode(conversation) allocates %v times", n)
	}
}

// TestTurnKeysLayout pins the keys built in one allocation to the layout of keys.go.
func TestTurnKeysLayout(t *testing.T) {
	at := time.Unix(0, 0x1234)
	for got, want := range map[string]string{
		string(MessageKey("of", "5511", 0x1f)):                 "o/of/msg/5511/000000000000001f",
		string(TransitionKey("of", "5511", 2)):                 "o/of/tr/5511/0000000000000002",
		string(OutboxKey("of", "5511", 3)):                     "o/of/outbox/5511/0000000000000003",
		string(MessageStatusKey("of", "5511", 0x1f)):           "o/of/mst/5511/000000000000001f",
		string(OutboxValue([]uint64{1, 0x102})):                "\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01\x02",
		string(OutboxValue(nil)):                               "",
		string(WhatsAppIDKey("of", "5511", "B1z")):             "o/of/wa/5511/B1z",
		string(IndexKey("of", balcao.TabPending, at, "5511")):  "o/of/ix/pendentes/0000000000001234/5511",
		string(IndexKey("of", balcao.TabContacts, at, "5511")): "o/of/ix/contatos/ffffffffffffedcb/5511",
		string(ConversationKey("of", "5511")):                  "o/of/conv/5511",
		hex16(0xabcdef):                                        "0000000000abcdef",
	} {
		if got != want {
			t.Errorf("key %q, want %q", got, want)
		}
	}
}

// A receipt for a later step fills the earlier steps that have none (a delivered message was
// sent), and never moves a time already recorded.
func TestReachFillsEarlierSteps(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var st StatusTimes
	st.Reach(balcao.StatusDelivered, t0)
	if st.Sent != t0 || st.Delivered != t0 || !st.Read.IsZero() {
		t.Fatalf("delivered first: %+v, want sent and delivered at %v", st, t0)
	}
	st.Reach(balcao.StatusRead, t0.Add(time.Minute))
	if st.Sent != t0 || st.Delivered != t0 || st.Read != t0.Add(time.Minute) {
		t.Fatalf("then read: %+v", st)
	}
	var only StatusTimes
	only.Reach(balcao.StatusRead, t0)
	if only.Sent != t0 || only.Delivered != t0 {
		t.Fatalf("read alone: %+v, want sent and delivered at %v", only, t0)
	}
	var failed StatusTimes
	failed.Reach(balcao.StatusFailed, t0)
	if failed != (StatusTimes{Failed: t0}) {
		t.Fatalf("failed: %+v, want only failed", failed)
	}
}
