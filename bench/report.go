package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is everything one harness run measured; it is written as JSON under ResultsDir.
type Report struct {
	Started  time.Time    `json:"started"`
	Finished time.Time    `json:"finished"`
	Machine  Machine      `json:"machine"`
	Config   PublicConfig `json:"config"`
	DataDir  string       `json:"data_dir"`

	Ramp *RampResult `json:"ramp,omitempty"`
	// Warmup is the unmeasured load before the run (--warmup), when there was one.
	Warmup *StepResult `json:"warmup,omitempty"`
	// SettleSeconds is how long the engine took to settle between the ramp (or the warm-up)
	// and the run.
	SettleSeconds float64     `json:"settle_seconds,omitempty"`
	Run           *StepResult `json:"run,omitempty"`

	// InboundRate is the engine's durable inbound msgs/s: the best passing ramp step's
	// throughput with --ramp, otherwise the measured run's.
	InboundRate float64       `json:"inbound_rate"`
	Pebble      *PebbleResult `json:"pebble_limit,omitempty"`
	Ratio       float64       `json:"ratio"` // InboundRate ÷ Pebble.CommitsPerSec

	Writer              *WriterResult `json:"writer,omitempty"`
	MemoryBefore        *Memory       `json:"memory_before,omitempty"`
	MemoryAfter         *Memory       `json:"memory_after,omitempty"`
	ConversationActors  int           `json:"conversation_actors"`
	HeapPerConversation float64       `json:"heap_per_conversation_bytes"`
	// ObjectsPerConversation is (live heap objects after − before the run) ÷ running
	// conversation actors, as HeapPerConversation counts bytes.
	ObjectsPerConversation float64 `json:"heap_objects_per_conversation"`

	Faults *FaultResult `json:"faults,omitempty"`
	Scale  *ScaleResult `json:"scale,omitempty"`
	// Hub watchers dropped as too slow (they resume after their last frame), and of those the
	// ones the hub no longer kept every frame for (their office's pending tab is then swept).
	WatchDrops  int64 `json:"watcher_drops"`
	WatchMissed int64 `json:"watcher_missed"`
	// Staff sockets closed during the run (dropped by the hub as too slow, or kicked by the
	// fault injector), reconnected, and told to resync.
	SocketDrops      int64 `json:"socket_drops"`
	SocketReconnects int64 `json:"socket_reconnects"`
	SocketResyncs    int64 `json:"socket_resyncs"`
	// Releases (the harness's staff taking and finishing a handed-over conversation) that
	// failed releaseAttempts times, tried again, and queued by a sweep of a pending tab.
	ReleaseErrors  int64 `json:"release_errors"`
	ReleaseRetries int64 `json:"release_retries"`
	ReleaseSwept   int64 `json:"release_swept"`
	// LeftWithStaff counts the conversations still pending or being attended once the run's
	// releases ended (with --release), as a manager's inbox counts them (at most 1 000 a tab
	// and office): 0 unless a release was lost or failed.
	LeftWithStaff int `json:"left_with_staff"`

	StopSeconds float64 `json:"stop_seconds"`         // engine.Stop after the measured run
	StopError   string  `json:"stop_error,omitempty"` // engine.Stop failed (the figures stand)
	// Keys the run deleted with DeleteSingle after setting them twice, as the flushes and
	// compactions up to the engine's stop found them (storage.StoreStats): 0, or a bug.
	SingleDeleteMisuse uint64 `json:"single_delete_misuse"`

	Summary  string `json:"summary"`
	JSONPath string `json:"-"`
	SVGPath  string `json:"-"`
}

// PublicConfig is the run's configuration as recorded in the result.
type PublicConfig struct {
	Offices       int     `json:"offices"`
	Phones        int     `json:"phones_per_office"`
	Rate          float64 `json:"rate"`
	Seconds       float64 `json:"seconds"`
	WarmupSec     float64 `json:"warmup_seconds,omitempty"`
	Staff         int     `json:"staff_per_office"`
	Mix           string  `json:"mix"`
	MaxInFlight   int     `json:"max_in_flight"`
	Release       bool    `json:"release"`
	NoAgent       bool    `json:"no_agent,omitempty"`
	Faults        bool    `json:"faults"`
	Ramp          bool    `json:"ramp"`
	RampStepSec   float64 `json:"ramp_step_seconds,omitempty"`
	RampP99Ms     float64 `json:"ramp_p99_ms,omitempty"`
	Conversations int     `json:"conversations,omitempty"`
	Label         string  `json:"label,omitempty"`
}

func (c Config) public() PublicConfig {
	p := PublicConfig{
		Offices: c.Offices, Phones: c.Phones, Rate: c.Rate, Seconds: c.Duration.Seconds(), WarmupSec: c.Warmup.Seconds(), Staff: c.Staff,
		Mix: c.Mix.String(), MaxInFlight: c.MaxInFlight, Release: c.Release, NoAgent: c.NoAgent, Faults: c.Faults, Ramp: c.Ramp,
		Conversations: c.Conversations, Label: c.Label,
	}
	if c.Ramp {
		p.RampStepSec, p.RampP99Ms = c.RampStep.Seconds(), float64(c.RampP99.Microseconds())/1000
	}
	return p
}

// WriterResult is the storage writer's group commit during the measured run.
type WriterResult struct {
	Batches          uint64  `json:"batches"` // turns and other batches made durable
	Commits          uint64  `json:"commits"` // synced Pebble commits (one fsync may cover several)
	BatchesPerCommit float64 `json:"batches_per_commit"`
}

// RampResult is the search for the highest rate.
type RampResult struct {
	TargetP99Ms   float64      `json:"target_reply_p99_ms"`
	Steps         []StepResult `json:"steps"`
	MaxRate       float64      `json:"max_rate"`       // highest offered rate that passed
	MaxThroughput float64      `json:"max_throughput"` // its measured throughput
}

func (r *Report) summaryLine() string {
	var p50, p99, staff float64
	if r.Run != nil {
		p50, p99, staff = r.Run.Reply.P50, r.Run.Reply.P99, r.Run.Staff.P99
	}
	limit := 0.0
	if r.Pebble != nil {
		limit = r.Pebble.CommitsPerSec
	}
	return fmt.Sprintf("bench: inbound %.0f msg/s, reply p50 %.2f ms p99 %.2f ms, staff p99 %.2f ms, pebble limit %.0f commits/s, ratio %s",
		r.InboundRate, p50, p99, staff, limit, ratioText(r.Ratio))
}

// ratioText is the ratio with two decimals, or with two significant digits below 0.1: at
// `make bench`'s 500 msg/s against a disk of ~100 000 commits/s the ratio is ~0.005, which two
// decimals printed as 0.00.
func ratioText(r float64) string {
	if r > 0 && r < 0.1 {
		return strconv.FormatFloat(r, 'f', 1-int(math.Floor(math.Log10(r))), 64)
	}
	return fmt.Sprintf("%.2f", r)
}

// String is the percentiles on one line, for the report printed after a run.
func (p Percentiles) String() string {
	return fmt.Sprintf("p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms (%d samples)", p.P50, p.P90, p.P99, p.P999, p.Max, p.Count)
}

// errorsText is the step's failed messages by error, for the report printed after a run.
func (r StepResult) errorsText() string {
	if r.Failed == 0 {
		return "none"
	}
	return fmt.Sprintf("%d (%s)", r.Failed, counts(r.Errors))
}

// String is what the fault injector sent and how the engine answered, for the report printed
// after a run: every bad request rejected with the status and code its kind must get, or the
// answers that were not.
func (f *FaultResult) String() string {
	var rejected int64
	for _, n := range f.Rejected {
		rejected += n
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad requests, %d rejected", f.Requests, rejected)
	if len(f.Rejected) > 0 {
		fmt.Fprintf(&b, " (%s)", counts(f.Rejected))
	}
	if len(f.Unexpected) == 0 {
		b.WriteString(", every one with its expected status and error code")
	} else {
		fmt.Fprintf(&b, "; UNEXPECTED answers: %s", counts(f.Unexpected))
	}
	fmt.Fprintf(&b, "; %d staff sockets closed, %d reconnected, %d could not reconnect", f.Kicked, f.Reconnects, f.DialErrors)
	return b.String()
}

// counts is "key n, key n" in the keys' order.
func counts(m map[string]int64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func (r *Report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stamp := r.Started.Format("20060102-150405")
	name := "bench-" + stamp
	if r.Scale != nil {
		name = "scale-" + stamp
	}
	r.JSONPath = filepath.Join(dir, name+".json")
	r.SVGPath = filepath.Join(dir, name+".svg")
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(r.JSONPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(r.SVGPath, r.plot(), 0o644)
}

// plot draws latency by percentile, HdrHistogram style: the x axis is 1/(1-q) on a log scale
// (0%, 90%, 99%, 99.9%, …), the y axis latency in ms. Hand-written SVG: a developer's plot
// with no dependency.
func (r *Report) plot() []byte {
	type series struct {
		Name, Color, Path string
		LY                float64
	}
	const (
		w, h                 = 900.0, 480.0
		left, right, top, bt = 70.0, 200.0, 40.0, 50.0
		decades              = 5.0
	)
	var all []struct {
		name, color string
		p           Percentiles
	}
	if r.Run != nil {
		all = append(all,
			struct {
				name, color string
				p           Percentiles
			}{"accepted (durable)", "#1b9e77", r.Run.Accepted},
			struct {
				name, color string
				p           Percentiles
			}{"assistant reply", "#d95f02", r.Run.Reply},
			struct {
				name, color string
				p           Percentiles
			}{"reply delivered", "#7570b3", r.Run.ReplyPhone},
			struct {
				name, color string
				p           Percentiles
			}{"staff websocket", "#e7298a", r.Run.Staff})
	}
	ymax := 1.0
	for _, s := range all {
		for _, pt := range s.p.Curve {
			ymax = math.Max(ymax, pt[1])
		}
	}
	ymax = niceCeil(ymax)
	pw, ph := w-left-right, h-top-bt
	x := func(q float64) float64 {
		v := 0.0
		if q < 100 {
			v = math.Log10(100 / (100 - q))
		} else {
			v = decades
		}
		return left + pw*math.Min(v, decades)/decades
	}
	y := func(v float64) float64 { return top + ph - ph*v/ymax }
	var ss []series
	for _, s := range all {
		if s.p.Count == 0 {
			continue
		}
		var b strings.Builder
		for i, pt := range s.p.Curve {
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString(" L")
			}
			fmt.Fprintf(&b, "%.1f,%.1f", x(pt[0]), y(pt[1]))
		}
		ss = append(ss, series{Name: fmt.Sprintf("%s (n=%d)", s.name, s.p.Count), Color: s.color, Path: b.String(), LY: top + 10 + 22*float64(len(ss))})
	}
	type tick struct {
		X, Y  float64
		Label string
	}
	var xt, yt []tick
	for i, l := range []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"} {
		xt = append(xt, tick{X: left + pw*float64(i)/decades, Label: l})
	}
	for i := 0; i <= 5; i++ {
		v := ymax * float64(i) / 5
		yt = append(yt, tick{Y: y(v), Label: fmt.Sprintf("%g", roundTo(v, 3))})
	}
	title := "Balcão bench"
	if r.Run != nil {
		title = fmt.Sprintf("Balcão bench: %s at %.0f msg/s offered, %d offices × %d phones, %d staff sockets/office",
			r.Run.Label, r.Run.OfferedRate, r.Config.Offices, r.Config.Phones, r.Config.Staff)
	}
	data := map[string]any{
		"W": w, "H": h, "L": left, "T": top, "R": w - right, "B": h - bt, "Series": ss, "XT": xt, "YT": yt,
		"Title": title, "Sub": r.Summary, "LX": w - right + 15,
	}
	var buf bytes.Buffer
	if err := svgTmpl.Execute(&buf, data); err != nil {
		return []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
	}
	return buf.Bytes()
}

func niceCeil(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*e {
			return m * e
		}
	}
	return 10 * e
}

func roundTo(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

var svgTmpl = template.Must(template.New("plot").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{{.L}}" y="18" font-size="14" font-weight="bold">{{.Title}}</text>
<text x="{{.L}}" y="33" font-size="11" fill="#555">{{.Sub}}</text>
{{range .XT}}<line x1="{{.X}}" y1="{{$.T}}" x2="{{.X}}" y2="{{$.B}}" stroke="#ddd"/>
<text x="{{.X}}" y="{{$.B}}" dy="16" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .YT}}<line x1="{{$.L}}" y1="{{.Y}}" x2="{{$.R}}" y2="{{.Y}}" stroke="#ddd"/>
<text x="{{$.L}}" y="{{.Y}}" dx="-6" dy="4" text-anchor="end">{{.Label}}</text>
{{end}}<line x1="{{.L}}" y1="{{.B}}" x2="{{.R}}" y2="{{.B}}" stroke="#333"/>
<line x1="{{.L}}" y1="{{.T}}" x2="{{.L}}" y2="{{.B}}" stroke="#333"/>
<text x="{{.L}}" y="{{.B}}" dy="36" dx="200">percentile (log scale of 1/(1−p))</text>
<text transform="translate(18 {{.T}}) rotate(90)" dx="120">latency (ms)</text>
{{range $s := .Series}}<path d="{{$s.Path}}" fill="none" stroke="{{$s.Color}}" stroke-width="2"/>
<rect x="{{$.LX}}" y="{{$s.LY}}" width="12" height="3" fill="{{$s.Color}}"/>
<text x="{{$.LX}}" y="{{$s.LY}}" dx="16" dy="5">{{$s.Name}}</text>
{{end}}</svg>
`))
