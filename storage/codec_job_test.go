package storage

import (
	"bytes"
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

// The codecs of codec_job.go and codec_dialog.go, held to what codec_test.go holds the first
// ones to. (Only this test imports assistant: storage itself goes by the type's shape.)

func moreCodecCases() (jobs []balcao.Job, trs []balcao.Transition, dialogs []assistant.State) {
	at := time.Date(2026, 11, 25, 10, 17, 46, 123456789, time.UTC)
	now := time.Now() // with a monotonic reading
	sp := at.In(time.FixedZone("BRT", -3*3600))
	long := strings.Repeat("é", 150) // 300 bytes: str16
	jobs = []balcao.Job{
		{},
		{History: []balcao.JobEvent{}, Documents: []string{}},
		{ID: "j1", Company: "c1", CNPJ: "12345678000190", Intent: "holerite", Phone: "5511961234567", State: balcao.JobWaiting,
			History: []balcao.JobEvent{{State: balcao.JobWaiting, At: at}}, CreatedAt: at, UpdatedAt: at},
		{
			ID: "j2", Company: "c1", CNPJ: "12345678000190", Intent: "das", Competence: "2026-10", Person: "José da Silva",
			Phone: "5511961234567", State: balcao.JobPending, Reason: long, Hold: "period_closed", Confirmed: true,
			Attempts: 300, Documents: []string{"d1", "d2", strings.Repeat("d", 40)}, Delivered: true, ToldPend: true,
			History: []balcao.JobEvent{
				{State: balcao.JobWaiting, At: now},
				{State: balcao.JobProcessing, Note: "agente 1", At: sp},
				{State: balcao.JobPending, Note: long, At: time.Unix(1<<35, 5)},
				{},
			},
			CreatedAt: now, UpdatedAt: sp,
		},
		{ID: "j3", Attempts: -1, History: make([]balcao.JobEvent, 17), Documents: make([]string, 16), UpdatedAt: time.Unix(-5, 0)},
		{ID: "j4", Attempts: 1 << 33, State: balcao.JobDone, Delivered: true},
	}
	trs = []balcao.Transition{
		{},
		{From: balcao.StateAssistant, To: balcao.StatePending, Reason: balcao.ReasonAssistantGave, At: at},
		{From: balcao.StatePending, To: balcao.StateAttending, Staff: "ana", Reason: balcao.ReasonStarted, At: now},
		{From: balcao.StateAttending, To: balcao.StateAssistant, Staff: long, Reason: long, At: sp},
		{Staff: "x", At: time.Unix(1<<35, 5)},
	}
	dialogs = []assistant.State{
		{},
		{Greeted: true},
		{Awaiting: assistant.AwaitCompetence, Draft: &assistant.Request{Intent: assistant.Holerite}, Greeted: true},
		{Awaiting: assistant.AwaitCompany, Draft: &assistant.Request{Intent: assistant.DAS, Competence: "2026-10", Person: "José", CompanyID: "c2"}, Misses: 2},
		{Draft: &assistant.Request{}},
		{Misses: -1},
		{Misses: 1 << 40, Awaiting: long},
	}
	return jobs, trs, dialogs
}

// randomTime is zero a third of the time, else any time over ±1000 years, sometimes with a
// monotonic reading or a location (neither of which is encoded).
func randomTime(r *rand.Rand) time.Time {
	switch r.IntN(6) {
	case 0, 1:
		return time.Time{}
	case 2:
		return time.Now().Add(time.Duration(r.Int64N(1 << 50)))
	case 3:
		return time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).In(time.FixedZone("z", r.IntN(50000)-25000))
	}
	return time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9))
}

// randomString is empty half of the time, else up to 300 bytes.
func randomString(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return ""
	}
	return strings.Repeat("ç", r.IntN(150))
}

func randomJob(r *rand.Rand) balcao.Job {
	str := func() string { return randomString(r) }
	j := balcao.Job{
		ID: str(), Company: str(), CNPJ: str(), Intent: str(), Competence: str(), Person: str(), Phone: str(),
		State: balcao.JobState(str()), Reason: str(), Hold: str(), Confirmed: r.IntN(2) == 0,
		Attempts: int(r.Int64N(1<<40) - 1<<39), Delivered: r.IntN(2) == 0, ToldPend: r.IntN(2) == 0,
		CreatedAt: randomTime(r), UpdatedAt: randomTime(r),
	}
	switch r.IntN(4) {
	case 0: // nil
	case 1:
		j.Documents, j.History = []string{}, []balcao.JobEvent{}
	default:
		for range r.IntN(20) {
			j.Documents = append(j.Documents, str())
			j.History = append(j.History, balcao.JobEvent{State: balcao.JobState(str()), Note: str(), At: randomTime(r)})
		}
	}
	return j
}

func randomTransition(r *rand.Rand) balcao.Transition {
	return balcao.Transition{From: balcao.State(randomString(r)), To: balcao.State(randomString(r)),
		Staff: randomString(r), Reason: randomString(r), At: randomTime(r)}
}

func randomDialog(r *rand.Rand) assistant.State {
	s := assistant.State{Awaiting: randomString(r), Greeted: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		s.Misses = int(r.Int64N(1<<20) - 1<<19)
	}
	if r.IntN(2) == 0 {
		s.Draft = &assistant.Request{Intent: assistant.Intent(randomString(r)), Competence: randomString(r),
			Person: randomString(r), CompanyID: randomString(r)}
	}
	return s
}

// checkEncode fails when Encode(v) is not what the reflective encoder writes or, for a
// conversation or message (whose records number their fields), when Decode does not read it
// back into what the reflective encoder and decoder make of v.
func checkEncode(t *testing.T, v any) {
	t.Helper()
	want := mustMarshal(t, v)
	got := Encode(v)
	if numbered(v) {
		through, back := reflect.New(reflect.TypeOf(v).Elem()).Interface(), reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := msgpack.Unmarshal(want, through); err != nil {
			t.Fatal(err)
		}
		if err := Decode(got, back); err != nil || !reflect.DeepEqual(back, through) {
			t.Fatalf("Decode(Encode(%+v)) = %+v, %v\nwant %+v", v, back, err, through)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Encode(%T %+v) =\n%x\nreflective encoder:\n%x", v, v, got, want)
	}
}

// numbered reports whether v's record names its fields by number.
func numbered(v any) bool {
	switch r := v.(type) {
	case *balcao.Conversation:
		return r != nil
	case *balcao.Message:
		return r != nil
	}
	return false
}

// moreCodecCasesAndRandom is moreCodecCases and 1 000 random values of each type.
func moreCodecCasesAndRandom(seed uint64) ([]balcao.Job, []balcao.Transition, []assistant.State) {
	jobs, trs, dialogs := moreCodecCases()
	r := rand.New(rand.NewPCG(seed, seed+1))
	for range 1000 {
		jobs = append(jobs, randomJob(r))
		trs = append(trs, randomTransition(r))
		dialogs = append(dialogs, randomDialog(r))
	}
	return jobs, trs, dialogs
}

func TestMoreCodecsWriteWhatReflectionWrites(t *testing.T) {
	jobs, trs, dialogs := moreCodecCasesAndRandom(5)
	for i := range jobs {
		checkEncode(t, &jobs[i])
	}
	for i := range trs {
		checkEncode(t, &trs[i])
	}
	for i := range dialogs {
		checkEncode(t, &dialogs[i])
	}
	// Nil pointers are the reflective encoder's.
	for _, v := range []any{(*balcao.Job)(nil), (*balcao.Transition)(nil), (*assistant.State)(nil), (*balcao.Message)(nil), (*balcao.Conversation)(nil)} {
		checkEncode(t, v)
	}
}

func TestMoreCodecsReadWhatReflectionWrote(t *testing.T) {
	jobs, trs, dialogs := moreCodecCasesAndRandom(7)
	for i := range jobs {
		checkDecode(t, &jobs[i], &balcao.Job{}, &balcao.Job{})
	}
	for i := range trs {
		checkDecode(t, &trs[i], &balcao.Transition{}, &balcao.Transition{})
	}
	for i := range dialogs {
		checkDecode(t, &dialogs[i], &assistant.State{}, &assistant.State{})
	}
}

// TestCodecsKnowEveryField fills every field of every type with a hand-written codec, by
// reflection, with a value that is not empty (so that an omitempty field is written too), and
// checks both directions. A field added to one of these types and not to its codec fails here,
// whatever its tag; for assistant.State the codec is not even used until its shape is updated.
func TestCodecsKnowEveryField(t *testing.T) {
	if dt := dialogFor(reflect.TypeFor[*assistant.State]()); dt == nil || !dt.ok {
		t.Fatalf("the dialog codec does not take assistant.State: %+v (update codec_dialog.go)", dt)
	}
	if _, ok := appendFast(nil, &assistant.State{}); !ok {
		t.Fatal("Encode(*assistant.State) does not use the dialog codec")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 200 {
		for _, typ := range []reflect.Type{
			reflect.TypeFor[balcao.Message](), reflect.TypeFor[balcao.Conversation](), reflect.TypeFor[balcao.Job](),
			reflect.TypeFor[balcao.Transition](), reflect.TypeFor[assistant.State](),
		} {
			p := reflect.New(typ)
			fillAll(r, p.Elem())
			checkEncode(t, p.Interface())
			checkDecode(t, p.Interface(), reflect.New(typ).Interface(), reflect.New(typ).Interface())
		}
	}
}

// fillAll sets every field reachable from v to a value that is not empty.
func fillAll(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(strings.Repeat("ã", 1+r.IntN(40)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(r.Int64N(1<<40) - 1<<39 | 1)
	case reflect.Uint64:
		v.SetUint(r.Uint64() | 1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(r, v.Elem())
	case reflect.Slice:
		n := 1 + r.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillAll(r, v.Index(i))
		}
	case reflect.Map: // one entry: the reflective encoder's order of several is random
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(r, k)
		fillAll(r, e)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(r.Int64N(1<<36)-1<<35+1, r.Int64N(1e9))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(r, v.Field(i))
			}
		}
	default:
		if v.Kind() == reflect.Uint8 {
			v.SetUint(uint64(1 + r.IntN(255)))
			return
		}
		panic("fillAll: add kind " + v.Kind().String())
	}
}

// TestDialogShapeCheck: a type that departs from the shape the dialog codec knows is refused.
func TestDialogShapeCheck(t *testing.T) {
	type same struct {
		Awaiting string             `msgpack:"awaiting,omitempty"`
		Draft    *assistant.Request `msgpack:"draft,omitempty"`
		Misses   int                `msgpack:"misses,omitempty"`
		Greeted  bool               `msgpack:"greeted,omitempty"`
	}
	if _, why := checkDialogShape(reflect.TypeFor[same]()); why != "" {
		t.Errorf("the same shape is refused: %s", why)
	}
	type extra struct {
		Awaiting string             `msgpack:"awaiting,omitempty"`
		Draft    *assistant.Request `msgpack:"draft,omitempty"`
		Misses   int                `msgpack:"misses,omitempty"`
		Greeted  bool               `msgpack:"greeted,omitempty"`
		Menu     string             `msgpack:"menu,omitempty"`
	}
	type retagged struct {
		Awaiting string             `msgpack:"awaiting"`
		Draft    *assistant.Request `msgpack:"draft,omitempty"`
		Misses   int                `msgpack:"misses,omitempty"`
		Greeted  bool               `msgpack:"greeted,omitempty"`
	}
	type reordered struct {
		Draft    *assistant.Request `msgpack:"draft,omitempty"`
		Awaiting string             `msgpack:"awaiting,omitempty"`
		Misses   int                `msgpack:"misses,omitempty"`
		Greeted  bool               `msgpack:"greeted,omitempty"`
	}
	type retyped struct {
		Awaiting string             `msgpack:"awaiting,omitempty"`
		Draft    *assistant.Request `msgpack:"draft,omitempty"`
		Misses   int64              `msgpack:"misses,omitempty"`
		Greeted  bool               `msgpack:"greeted,omitempty"`
	}
	type otherDraft struct {
		Awaiting string          `msgpack:"awaiting,omitempty"`
		Draft    *assistant.Turn `msgpack:"draft,omitempty"`
		Misses   int             `msgpack:"misses,omitempty"`
		Greeted  bool            `msgpack:"greeted,omitempty"`
	}
	type marshaling struct {
		Awaiting textAwait          `msgpack:"awaiting,omitempty"`
		Draft    *assistant.Request `msgpack:"draft,omitempty"`
		Misses   int                `msgpack:"misses,omitempty"`
		Greeted  bool               `msgpack:"greeted,omitempty"`
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[extra](), reflect.TypeFor[retagged](), reflect.TypeFor[reordered](),
		reflect.TypeFor[retyped](), reflect.TypeFor[otherDraft](), reflect.TypeFor[marshaling](), reflect.TypeFor[time.Time]()} {
		if _, why := checkDialogShape(typ); why == "" {
			t.Errorf("%v is taken for assistant.State", typ)
		}
	}
	if plainType(reflect.TypeFor[time.Time]()) || !plainType(reflect.TypeFor[assistant.Intent]()) {
		t.Error("plainType is wrong about time.Time or assistant.Intent")
	}
	// Other types are not taken for the dialog state.
	if dialogFor(reflect.TypeFor[*same]()) != nil || dialogFor(reflect.TypeFor[*assistant.Turn]()) != nil || dialogFor(nil) != nil {
		t.Error("dialogFor takes a type other than *assistant.State")
	}
}

// textAwait is a string the reflective encoder writes through its MarshalText.
type textAwait string

func (a textAwait) MarshalText() ([]byte, error) { return []byte("t:" + a), nil }

// TestMoreCodecsTolerateOtherShapes, as TestCodecToleratesOtherShapes.
func TestMoreCodecsTolerateOtherShapes(t *testing.T) {
	records := []map[string]any{
		{"id": "j", "attempts": uint8(3), "history": nil, "documents": nil, "future": []any{1, "x"}},
		{"attempts": int64(-70000), "history": []any{map[string]any{"state": "x", "extra": 1}, nil}, "documents": []any{"a"}},
		{"from": "a", "to": nil, "staff": nil, "at": time.Unix(1, 2), "new": map[string]any{}},
		{"awaiting": "company", "draft": nil, "misses": int16(-300), "greeted": nil},
		{"draft": map[string]any{"intent": "das", "company": nil, "later": true}, "misses": uint32(1 << 20)},
		{"draft": map[string]any{}},
		{},
	}
	for _, rec := range records {
		raw, err := msgpack.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]any{{&balcao.Job{}, &balcao.Job{}}, {&balcao.Transition{}, &balcao.Transition{}}, {&assistant.State{}, &assistant.State{}}} {
			want, got := pair[0], pair[1]
			werr := msgpack.Unmarshal(raw, want)
			gerr := Decode(raw, got)
			if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("Decode(%v) into %T = %+v, %v; reflective decoder %+v, %v", rec, got, got, gerr, want, werr)
			}
		}
	}
	for _, v := range []any{&balcao.Job{}, &balcao.Transition{}, &assistant.State{}} {
		if err := Decode([]byte{0x81, 0xa5, 'd', 'r', 'a', 'f', 't', 0x81}, v); err == nil {
			t.Errorf("Decode of a truncated record into %T: no error", v)
		}
	}
}

// TestStoredJobsAndTransitionsStillRead stores records with the reflective encoder and reads
// them through DB.
func TestStoredJobsAndTransitionsStillRead(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	jobs, trs, _ := moreCodecCases()
	b := &Batch{}
	for i := range jobs {
		jobs[i].ID = string(rune('a' + i))
		raw, _ := msgpack.Marshal(&jobs[i])
		b.Set(JobKey("o1", jobs[i].ID), raw)
	}
	for i := range trs {
		raw, _ := msgpack.Marshal(&trs[i])
		b.Set(TransitionKey("o1", "5511961234567", uint64(i+1)), raw)
	}
	if err = db.Writer.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		got, err := db.Job("o1", jobs[i].ID)
		var want balcao.Job
		raw, _ := msgpack.Marshal(&jobs[i])
		_ = msgpack.Unmarshal(raw, &want)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("job %d = %+v, %v; want %+v", i, got, err, want)
		}
	}
	got, err := db.Transitions("o1", "5511961234567")
	if err != nil || len(got) != len(trs) {
		t.Fatalf("Transitions = %d, %v", len(got), err)
	}
	for i := range got {
		var want balcao.Transition
		raw, _ := msgpack.Marshal(&trs[i])
		_ = msgpack.Unmarshal(raw, &want)
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("transition %d = %+v, want %+v", i, got[i], want)
		}
	}
}

// TestMoreCodecsAllocateOnce: the encoders size their buffer for a usual record.
func TestMoreCodecsAllocateOnce(t *testing.T) {
	jobs, trs, dialogs := moreCodecCases()
	for _, v := range []any{&jobs[2], &jobs[3], &trs[2], &trs[3], &dialogs[3]} {
		if n := testing.AllocsPerRun(10, func() { Encode(v) }); n > 1 {
			t.Errorf("Encode(%T) allocates %v times", v, n)
		}
	}
}
