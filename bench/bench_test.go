package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestMain lets this test binary be the harness's staff browsers' process too (browsers.go).
func TestMain(m *testing.M) {
	RunBrowsersIfChild()
	os.Exit(m.Run())
}

// TestTinyRun runs the harness small (1 office, 10 phones, 1 s, low rate, with faults) and
// checks that the report holds together. No timing is asserted: speed is the harness's
// business, not the tests'.
func TestTinyRun(t *testing.T) {
	dir := t.TempDir()
	var progress bytes.Buffer
	cfg := Config{
		DataDir: dir + "/data", Offices: 1, Phones: 10, Rate: 20, Duration: 2 * time.Second, Warmup: time.Second,
		Staff: 2, Faults: true, FaultRate: 0.2, PebbleDuration: 200 * time.Millisecond, PebbleWriters: 4,
		ResultsDir: dir + "/results", Progress: &progress, Release: true,
		CPUProfile: dir + "/cpu.prof", Trace: dir + "/run.trace",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	r := rep.Run
	if r == nil {
		t.Fatal("no run in the report")
	}
	if r.Scheduled != 40 || r.Sent+r.Unsent != r.Scheduled || r.Acked+r.Failed != r.Sent {
		t.Errorf("counts do not add up: scheduled %d sent %d unsent %d acked %d failed %d", r.Scheduled, r.Sent, r.Unsent, r.Acked, r.Failed)
	}
	// The warm-up ran at the run's rate and is reported apart, not counted in the run.
	if w := rep.Warmup; w == nil || w.Scheduled != 20 || w.Acked == 0 || rep.Config.WarmupSec != 1 {
		t.Errorf("warm-up: %+v (config %+v), want 20 messages scheduled and acknowledged", w, rep.Config)
	}
	if r.Acked == 0 || r.Accepted.Count != r.Acked {
		t.Errorf("accepted histogram has %d values for %d acknowledged messages", r.Accepted.Count, r.Acked)
	}
	if r.Replies+r.Unanswered != r.Acked || r.Reply.Count != r.Replies || r.Replies == 0 {
		t.Errorf("replies %d + unanswered %d != acked %d (reply histogram %d)", r.Replies, r.Unanswered, r.Acked, r.Reply.Count)
	}
	// The harness's staff released every conversation the assistant handed over.
	if rep.LeftWithStaff != 0 || rep.ReleaseErrors != 0 {
		t.Errorf("%d conversations left with the staff, %d releases failed", rep.LeftWithStaff, rep.ReleaseErrors)
	}
	// The tail: the background work was sampled through the run (its shares add up to all of
	// it), and every slow reply is counted once.
	var slow int64
	var share float64
	for _, d := range r.Tail.During {
		slow, share = slow+d.Slow, share+d.TimeShare
	}
	if r.Tail.OverMs != 10 || slow != r.Tail.Slow || math.Abs(share-1) > 1e-9 {
		t.Errorf("tail %+v: %d slow replies under its works, time shares add up to %v", r.Tail, slow, share)
	}
	if r.Staff.Count == 0 || r.Staff.Count > r.Acked*2*4 {
		t.Errorf("staff frames: %d for %d messages and 2 sockets", r.Staff.Count, r.Acked)
	}
	if r.StaffLive.Count == 0 || r.StaffLive.Count > r.Staff.Count {
		t.Errorf("staff frames on sockets that stayed open: %d of %d", r.StaffLive.Count, r.Staff.Count)
	}
	for name, p := range map[string]Percentiles{"sender late": r.SenderLate, "accepted": r.Accepted, "reply": r.Reply, "staff": r.Staff} {
		if !(p.P50 > 0 && p.P50 <= p.P90 && p.P90 <= p.P99 && p.P99 <= p.P999 && p.P999 <= p.Max) {
			t.Errorf("%s percentiles out of order: %+v", name, p)
		}
	}
	// Second by second: each second's acknowledgements add up to the step's, and the seconds
	// with replies have their own p99 (see harness.progress).
	var ackedInSeconds int64
	var withReplies int
	for _, sec := range r.Timeline {
		ackedInSeconds += sec.Acked
		if sec.ReplyP99 > 0 {
			withReplies++
		}
		if sec.ReplyP99 > r.Reply.Max*1.07 || (sec.Acked > 0 && sec.DurableMaxMs <= 0) {
			t.Errorf("second %d: reply p99 %.2f ms (the step's max %.2f), slowest commit %.2f ms", sec.At, sec.ReplyP99, r.Reply.Max, sec.DurableMaxMs)
		}
	}
	if len(r.Timeline) < 2 || ackedInSeconds > r.Acked || ackedInSeconds < r.Acked/2 || withReplies == 0 {
		t.Errorf("timeline of %d seconds, %d acknowledged in them (of %d), %d with replies", len(r.Timeline), ackedInSeconds, r.Acked, withReplies)
	}
	// Each running conversation actor holds a few heap objects of its own (its context,
	// mailbox, record): the report counts them.
	if after := rep.MemoryAfter; after == nil || after.HeapObjects <= 0 || rep.ConversationActors == 0 ||
		rep.ObjectsPerConversation < 1 || rep.ObjectsPerConversation > 1000 {
		t.Errorf("memory after the run %+v: %d actors, %.1f objects each", after, rep.ConversationActors, rep.ObjectsPerConversation)
	}
	// The run moved conversations between the inbox tabs, handed replies over and finished
	// jobs: every key it deleted with DeleteSingle had been set once.
	if rep.SingleDeleteMisuse != 0 || rep.StopError != "" {
		t.Errorf("stop: %d single-delete misuses, error %q", rep.SingleDeleteMisuse, rep.StopError)
	}
	if rep.Pebble == nil || rep.Pebble.Commits == 0 || rep.Ratio <= 0 {
		t.Errorf("pebble limit missing: %+v ratio %v", rep.Pebble, rep.Ratio)
	}
	f := rep.Faults
	if f == nil || f.Requests == 0 {
		t.Fatalf("no faults injected: %+v", f)
	}
	var rejected int64
	for _, n := range f.Rejected {
		rejected += n
	}
	if rejected != f.Requests || len(f.Unexpected) > 0 {
		t.Errorf("faults: %d requests, %d rejected, unexpected answers %v", f.Requests, rejected, f.Unexpected)
	}
	// The staff browsers' process closed a socket a second into the run; it came back.
	if f.Kicked < 1 || f.Reconnects < f.Kicked || f.DialErrors > 0 {
		t.Errorf("sockets: %d kicked, %d reconnected, %d dial errors", f.Kicked, f.Reconnects, f.DialErrors)
	}
	if !summaryRE.MatchString(rep.Summary) {
		t.Errorf("summary line %q, want the issue's %q", rep.Summary, summaryTemplate)
	}
	// The raw Pebble limit was measured next to the data dir (the same disk).
	if rep.Pebble != nil && filepath.Dir(rep.Pebble.Dir) != filepath.Dir(cfg.DataDir) {
		t.Errorf("raw Pebble limit measured in %s, want it beside the data dir %s", rep.Pebble.Dir, cfg.DataDir)
	}
	if m := rep.MemoryAfter; m == nil || m.RSSBytes <= 0 || m.HeapBytes <= 0 || m.RSSBytes < m.HeapBytes {
		t.Errorf("memory after the run %+v: want RSS and Go heap", m)
	}
	// What the person running it reads: a line a second with the rate and the p99 so far, then
	// the latencies by percentile, the errors, the faults and the memory.
	out := progress.String()
	for _, re := range []string{
		`(?m)^  run\+faults +2s  offered +20/s  acked +[0-9]+/s .* p99 so far: accepted [0-9.]+ reply [0-9.]+ staff [0-9.]+ ms`,
		`(?m)^bench: run\+faults: accepted \(durable\) +p50 [0-9.]+ p90 [0-9.]+ p99 [0-9.]+ p99\.9 [0-9.]+ max [0-9.]+ ms \([1-9][0-9]* samples\)$`,
		`(?m)^bench: run\+faults: reply +p50 [0-9.]+ p90 [0-9.]+ p99 [0-9.]+ p99\.9 [0-9.]+ max [0-9.]+ ms \([1-9][0-9]* samples\)$`,
		`(?m)^bench: run\+faults: staff websocket +p50 [0-9.]+ p90 [0-9.]+ p99 [0-9.]+ p99\.9 [0-9.]+ max [0-9.]+ ms \([1-9][0-9]* samples\)$`,
		`(?m)^bench: run\+faults: errors: none$`,
		`(?m)^bench: faults: ` + fmt.Sprint(f.Requests) + ` bad requests, ` + fmt.Sprint(f.Requests) + ` rejected \(.*400 malformed_json [0-9]+.*413 body_too_large [0-9]+.*\), every one with its expected status and error code; [1-9][0-9]* staff sockets closed`,
		`(?m)^bench: after the run: RSS [0-9.]+ MiB \(peak [0-9.]+ MiB\), live heap [0-9.]+ MiB`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("progress has no line matching %s:\n%s", re, out)
		}
	}
	raw, err := os.ReadFile(rep.JSONPath)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil || back.Run == nil || back.Run.Acked != r.Acked {
		t.Errorf("JSON result unreadable or different: %v", err)
	}
	for _, p := range []string{cfg.CPUProfile, cfg.Trace} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v, want a non-empty file", p, err)
		}
	}
	svg, err := os.ReadFile(rep.SVGPath)
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("<path")) {
		t.Errorf("SVG plot missing or empty: %v", err)
	}
}

func TestParseMix(t *testing.T) {
	m, err := ParseMix("greetings:70,documents:20,person:10")
	if err != nil || m.String() != "greetings:70,documents:20,person:10" {
		t.Fatalf("ParseMix = %v, %v", m, err)
	}
	var counts [nKinds]int
	for n := uint64(0); n < 10000; n++ {
		counts[m.pick(n)]++
	}
	if counts[Greeting] < 6500 || counts[Person] < 800 {
		t.Errorf("mix spread: %v", counts)
	}
	for _, bad := range []string{"", "greetings", "smalltalk:1", "greetings:-1", "greetings:0",
		"greetings:70,documents:20", "greetings:70,documents:40", "greetings:50,greetings:50", "greetings:150,person:-50"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
}

func TestParseFrame(t *testing.T) {
	var f frame
	b := []byte(`{"seq":7,"type":"message.added","at":"2026-01-01T00:00:00Z","data":{"conversation":"5511961234567","message":{"id":3,"direction":"in","author":"client","text":"diz \"waId\":\"x\"","document":null,"waId":"B1z","at":"2026-01-01T00:00:00Z"}}}`)
	if !parseFrame(b, &f) || f.seq != 7 || string(f.conv) != "5511961234567" || f.msgSeq != 3 || string(f.direction) != "in" || string(f.waID) != "B1z" {
		t.Fatalf("parsed %+v", f)
	}
	if n, ok := parseBenchID(f.waID); !ok || benchID(n) != "B1z" {
		t.Errorf("bench id round trip: %d %v", n, ok)
	}
	b = []byte(`{"seq":8,"type":"conversation.changed","at":"x","data":{"conversation":{"id":"5511961234567","state":"pending","contact":{}},"reason":"assistant_handover"}}`)
	if !parseFrame(b, &f) || string(f.conv) != "5511961234567" || string(f.state) != "pending" {
		t.Fatalf("parsed %+v", f)
	}
}

func TestSplitFrames(t *testing.T) {
	one := []byte(`{"seq":1,"type":"x","data":{"a":"}{\"]"}}`)
	if got := splitFrames(nil, one); len(got) != 1 || string(got[0]) != string(one) {
		t.Fatalf("splitFrames(single) = %q", got)
	}
	f1 := `{"seq":1,"type":"message.added","at":"x","data":{"t":"a},{\"seq\":9,\"type\":\"y\"}"}}`
	f2 := `{"seq":2,"type":"conversation.changed","at":"x","data":{"list":[{"n":1},{"seq":3,"x":{}}]}}`
	f3 := `{"seq":4,"type":"message.status","at":"x","data":{}}`
	for _, frames := range [][]string{{f1}, {f1, f2}, {f2, f1, f3}, {f3, f3, f3, f3}} {
		arr := []byte("[" + strings.Join(frames, ",") + "]")
		got := splitFrames(nil, arr)
		if len(got) != len(frames) {
			t.Fatalf("splitFrames(%s) = %q", arr, got)
		}
		for i := range got {
			if string(got[i]) != frames[i] {
				t.Errorf("splitFrames(%s)[%d] = %s, want %s", arr, i, got[i], frames[i])
			}
		}
		// The same frames as the structural reading of the array (what the harness did before).
		if want := splitNested(arr); len(want) != len(got) {
			t.Errorf("splitFrames(%s): %d frames, nested reading %d", arr, len(got), len(want))
		}
	}
	if got := splitFrames(nil, []byte("[]")); len(got) != 0 {
		t.Errorf("splitFrames([]) = %q", got)
	}
}

// splitNested splits a JSON array of objects by following its nesting and strings.
func splitNested(b []byte) [][]byte {
	var out [][]byte
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

// TestParseStaffFrame: a staff socket reads the seq of every frame and the WhatsApp id of an
// inbound message.added, as parseFrame does; keys in another order are still found.
func TestParseStaffFrame(t *testing.T) {
	frames := []string{
		`{"seq":7,"type":"message.added","at":"2026-01-01T00:00:00Z","data":{"conversation":"5511961234567","message":{"id":3,"direction":"in","author":"client","text":"diz \"waId\":\"x\"","document":null,"waId":"B1z","at":"2026-01-01T00:00:00Z"}}}`,
		`{"seq":8,"type":"message.added","at":"x","data":{"conversation":"5511961234567","message":{"id":4,"direction":"out","author":"assistant","text":"oi","document":null,"at":"x"}}}`,
		`{"type":"message.added","seq":9,"data":{"message":{"direction":"in","waId":"B2"}}}`,
		`{"seq":10,"type":"message.status","at":"x","data":{"conversation":"5511961234567","id":4,"status":"delivered"}}`,
	}
	for _, s := range frames {
		var full, staff frame
		if !parseFrame([]byte(s), &full) || !parseStaffFrame([]byte(s), &staff) {
			t.Fatalf("unparsed: %s", s)
		}
		if staff.seq != full.seq || string(staff.typ) != string(full.typ) || string(staff.direction) != string(full.direction) ||
			(string(full.direction) == "in" && string(staff.waID) != string(full.waID)) {
			t.Errorf("parseStaffFrame(%s) = %+v, parseFrame %+v", s, staff, full)
		}
	}
	var f frame
	if parseStaffFrame([]byte(frames[0]), &f); f.seq != 7 || string(f.waID) != "B1z" {
		t.Errorf("parseStaffFrame = %+v", f)
	}
	if parseStaffFrame([]byte(`{"data":{}}`), &f) {
		t.Errorf("a frame without seq parsed")
	}
}

// TestConfigFill: what is not positive takes the default; a negative Pebble duration (skip the
// raw measure) and an explicit staff count of zero stay.
func TestConfigFill(t *testing.T) {
	d := Defaults()
	c := Config{Offices: -3, Rate: 0, ActiveShare: 2, PebbleDuration: -1, Staff: -1, IdleAfter: time.Second}
	c.fill()
	if c.Offices != d.Offices || c.Rate != d.Rate || c.ActiveShare != d.ActiveShare || c.PebbleDuration != -1 || c.Staff != 0 || c.IdleAfter != time.Second || c.ResultsDir != d.ResultsDir {
		t.Errorf("fill = %+v", c)
	}
}

// TestDocumentRequestsRunTheirWholePath: with the harness's agent, document requests are
// served, published and sent (no job left open once the run settled); with --no-agent they
// wait for one, each saying so once.
func TestDocumentRequestsRunTheirWholePath(t *testing.T) {
	for _, noAgent := range []bool{false, true} {
		dir := t.TempDir()
		cfg := Config{
			DataDir: dir + "/data", Offices: 1, Phones: 10, Rate: 20, Duration: time.Second, Staff: 0,
			Mix: Mix{0, 100, 0}, NoAgent: noAgent, PebbleDuration: -1, ResultsDir: "-",
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		rep, err := Run(ctx, cfg)
		cancel()
		if err != nil || rep.Run == nil || rep.Run.Acked != 20 {
			t.Fatalf("no agent %v: run %+v, %v", noAgent, rep.Run, err)
		}
		db, err := storage.Open(engine.PebbleDir(cfg.DataDir), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		done, _, err := db.Jobs(officeID(0), balcao.JobDone, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		waiting, _, err := db.Jobs(officeID(0), balcao.JobWaiting, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		open, err := db.OpenJobs(officeID(0))
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		switch {
		case !noAgent && (len(done) == 0 || len(open) != 0 || len(waiting) != 0):
			t.Errorf("with the agent: %d jobs done, %d open, %d waiting; want all done and sent", len(done), len(open), len(waiting))
		case noAgent && (len(done) != 0 || len(waiting) == 0):
			t.Errorf("with no agent: %d jobs done, %d waiting; want them waiting", len(done), len(waiting))
		}
		for _, j := range waiting {
			if n := len(j.History); n > 3 {
				t.Errorf("job %s waiting with %d history events: it polled", j.ID, n)
			}
		}
	}
}

// TestStaffBrowsersSayWhyTheyCouldNotOpen: when the browsers' process cannot open its sockets
// (here: no engine listening), the harness fails with the child's reason, and the child was
// waited for.
func TestStaffBrowsersSayWhyTheyCouldNotOpen(t *testing.T) {
	h := &harness{cfg: Config{Staff: 2}, base: "http://127.0.0.1:1", offices: []string{"o1"}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := h.startBrowsers(ctx)
	if err == nil || !strings.Contains(err.Error(), "open 2 staff sockets: 2 failed") {
		t.Fatalf("startBrowsers = %v, want the sockets' failure", err)
	}
	if h.browsers == nil || h.browsers.cmd.ProcessState == nil {
		t.Fatal("the browsers' process was not waited for")
	}
}

// TestBrowserLinesOfAnyShape: the harness takes the counters and timings the child reports and
// ignores lines of any other shape.
func TestBrowserLinesOfAnyShape(t *testing.T) {
	h := &harness{}
	for _, l := range []string{"", "s", "s x 1 2", "s 1 2", "s 1 999 12", "c 1 2 3", "c a b c d e", "kick 3", "open 2"} {
		h.browserLine([]byte(l))
	}
	if h.socketKicks.Load() != 0 || h.socketDialErrors.Load() != 0 {
		t.Fatalf("a malformed line was taken: kicks %d, dial errors %d", h.socketKicks.Load(), h.socketDialErrors.Load())
	}
	h.browserLine([]byte("c 1 2 3 4 5"))
	got := []int64{h.socketKicks.Load(), h.socketDrops.Load(), h.socketReconnects.Load(), h.socketResyncs.Load(), h.socketDialErrors.Load()}
	if fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Fatalf("counters %v, want [1 2 3 4 5]", got)
	}
	h.browserLine([]byte("c 9 9 9 9 9 9")) // a field too many
	h.browserLine([]byte("  c  6 7\t8 9 10 \n"))
	got = []int64{h.socketKicks.Load(), h.socketDrops.Load(), h.socketReconnects.Load(), h.socketResyncs.Load(), h.socketDialErrors.Load()}
	if fmt.Sprint(got) != "[6 7 8 9 10]" {
		t.Fatalf("counters %v after a line with a field too many and one spaced out, want [6 7 8 9 10]", got)
	}
	// A line per timed frame: reading it allocates nothing in the engine's heap.
	line := []byte("s 12 999 1764150000000000000")
	if n := testing.AllocsPerRun(100, func() { h.browserLine(line) }); n != 0 {
		t.Fatalf("a frame's line allocated %.0f times", n)
	}
}

// TestResetPeak: after 96 MB were touched and given back, resetting the peak brings the
// process's peak resident memory down to about what it holds.
func TestResetPeak(t *testing.T) {
	big := make([]byte, 96<<20)
	for i := range big {
		big[i] = 1
	}
	runtime.KeepAlive(big)
	debug.FreeOSMemory()
	before := readMemory(false)
	if !resetPeak() {
		t.Skip("the peak cannot be reset here (/proc/self/clear_refs)")
	}
	after := readMemory(false)
	if before.HWMBytes-after.HWMBytes < 64<<20 {
		t.Fatalf("peak %d MB before the reset, %d MB after (RSS %d MB): want it down by the 96 MB given back",
			before.HWMBytes>>20, after.HWMBytes>>20, after.RSSBytes>>20)
	}
}
