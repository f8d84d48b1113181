// Package bench is Balcão's end-to-end load harness: simulated phones across many offices
// deliver WhatsApp messages to the real engine (actors, Pebble with synced writes, the
// simulated gateway) while simulated staff browsers hold real websockets. Load is open loop
// (a fixed offered rate, latency measured from each message's intended send time), latencies
// go to HdrHistograms, and the raw Pebble synced-commit limit of the same disk is measured in
// the same run. `balcao bench` and `make bench` run it; BENCHMARKS.md explains every figure.
package bench

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is one harness run. Zero fields take the defaults of Defaults.
type Config struct {
	DataDir     string        // where the engine's Pebble lives; a fresh temp dir when empty
	Keep        bool          // keep DataDir (a temp dir is removed otherwise)
	Offices     int           // offices
	Phones      int           // client phones per office
	Rate        float64       // offered inbound messages per second (open loop)
	Duration    time.Duration // the measured run
	Warmup      time.Duration // load at the run's rate before it, not measured (the actors started, the caches filled)
	Staff       int           // staff websockets per office
	Mix         Mix           // what the phones write
	MaxInFlight int           // messages waiting for their acknowledgement at most
	Release     bool          // play the staff: take and finish conversations that went pending
	NoAgent     bool          // no execution agent: document requests wait for one (as in an office with none)
	Faults      bool          // add malformed/oversized requests and disconnecting websockets
	FaultRate   float64       // share of the rate sent as bad requests (0.01 = 1%)

	Ramp        bool          // find the highest rate holding RampP99, then measure at half of it
	RampStart   float64       // first ramp rate
	RampStep    time.Duration // length of one ramp step
	RampP99     time.Duration // reply p99 a ramp step must hold
	RampBisect  int           // bisection steps after the first failure
	RampMaxRate float64       // never offer more than this

	PebbleDuration time.Duration // the raw Pebble limit measurement; <0 skips it
	PebbleWriters  int

	Conversations int // storage-scale mode: seed this many conversations, restart, measure
	ActiveShare   float64

	IdleAfter  time.Duration // conversation actors' idle time before passivation
	ResultsDir string        // JSON and SVG go here; nothing is written when "-"
	CPUProfile string        // CPU profile of the measured run (scale mode: of the restart)
	Trace      string        // runtime trace of the same (go tool trace; -pprof=sched: who waited for a CPU, woken where)
	MemProfile string        // heap profile at the end of the measured run
	Progress   io.Writer     // progress lines (nil: none)
	Label      string        // free text stored in the result
}

// Defaults are what `make bench` runs: under a minute on a 2-core machine (20 s of load at
// 500 msg/s, then 5 s of the raw Pebble limit).
func Defaults() Config {
	return Config{
		Offices: 20, Phones: 500, Rate: 500, Duration: 20 * time.Second, Staff: 2,
		Mix: DefaultMix(), MaxInFlight: 2048, Release: true, FaultRate: 0.01,
		RampStart: 500, RampStep: 4 * time.Second, RampP99: 100 * time.Millisecond, RampBisect: 3,
		RampMaxRate:    200000,
		PebbleDuration: 5 * time.Second, PebbleWriters: 64,
		ActiveShare: 0.10, IdleAfter: 2 * time.Minute, ResultsDir: "bench/results",
	}
}

func (c *Config) fill() {
	d := Defaults()
	orDefault(&c.Offices, d.Offices)
	orDefault(&c.Phones, d.Phones)
	orDefault(&c.Rate, d.Rate)
	orDefault(&c.Duration, d.Duration)
	c.Staff = max(c.Staff, 0)
	if len(c.Mix) == 0 {
		c.Mix = d.Mix
	}
	orDefault(&c.MaxInFlight, d.MaxInFlight)
	orDefault(&c.FaultRate, d.FaultRate)
	orDefault(&c.RampStart, d.RampStart)
	orDefault(&c.RampStep, d.RampStep)
	orDefault(&c.RampP99, d.RampP99)
	c.RampBisect = max(c.RampBisect, 0)
	orDefault(&c.RampMaxRate, d.RampMaxRate)
	if c.PebbleDuration == 0 { // negative: skip the raw Pebble measure
		c.PebbleDuration = d.PebbleDuration
	}
	orDefault(&c.PebbleWriters, d.PebbleWriters)
	if c.ActiveShare > 1 {
		c.ActiveShare = 0
	}
	orDefault(&c.ActiveShare, d.ActiveShare)
	orDefault(&c.IdleAfter, d.IdleAfter)
	if c.ResultsDir == "" {
		c.ResultsDir = d.ResultsDir
	}
}

// orDefault sets *v to def unless it is positive.
func orDefault[T cmp.Ordered](v *T, def T) {
	var zero T
	if *v <= zero {
		*v = def
	}
}

// Kind is what a simulated client writes.
type Kind int

// Message kinds of the mix.
const (
	Greeting Kind = iota // "oi": the assistant greets and shows its menu
	Document             // a document request: the assistant hands it to the staff (for now)
	Person               // asks for a person: handed to the staff
	nKinds
)

var kindNames = [nKinds]string{"greetings", "documents", "person"}

// Texts the simulated clients send, by kind.
var kindTexts = [nKinds]string{"oi", "me manda o holerite de outubro", "quero falar com um atendente"}

func (k Kind) String() string { return kindNames[k] }

// Mix is the weight of each kind.
type Mix []int

// DefaultMix is greetings:70,documents:20,person:10.
func DefaultMix() Mix { return Mix{70, 20, 10} }

// ParseMix reads "greetings:70,documents:20,person:10": each kind at most once, its share in
// percent, the shares adding up to 100 (missing kinds weigh 0).
func ParseMix(s string) (Mix, error) {
	m := make(Mix, nKinds)
	seen := make([]bool, nKinds)
	total := 0
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("%q: want kind:percent", part)
		}
		k := slices.Index(kindNames[:], name)
		if k < 0 {
			return nil, fmt.Errorf("unknown kind %q: want greetings, documents or person", name)
		}
		if seen[k] {
			return nil, fmt.Errorf("%s given twice", name)
		}
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || n > 100 {
			return nil, fmt.Errorf("%s:%s: want a percentage from 0 to 100", name, w)
		}
		m[k], seen[k] = n, true
		total += n
	}
	if total != 100 {
		return nil, fmt.Errorf("the percentages add up to %d: want 100", total)
	}
	return m, nil
}

func (m Mix) String() string {
	parts := make([]string, 0, len(m))
	for k, w := range m {
		parts = append(parts, fmt.Sprintf("%s:%d", kindNames[k], w))
	}
	return strings.Join(parts, ",")
}

// pick chooses the kind of message n, deterministically and well spread.
func (m Mix) pick(n uint64) Kind {
	total := 0
	for _, w := range m {
		total += w
	}
	r := int(splitmix(n) % uint64(total))
	for k, w := range m {
		if r < w {
			return Kind(k)
		}
		r -= w
	}
	return Greeting
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// officeID and phone name the simulated tenants and clients.
func officeID(i int) string { return fmt.Sprintf("bench-%03d", i) }

// MaxClients is how many simulated clients have a phone number: from client 40 000 000 on, one
// would have a digit too many for a Brazilian mobile, which the engine refuses.
const MaxClients = 40_000_000

// phone is the E.164 number of global client k < MaxClients: São Paulo mobiles 55 11 9 6xxxxxxx
// to 55 11 9 9xxxxxxx.
func phone(k int) string { return fmt.Sprintf("55119%d%07d", 6+k/10_000_000, k%10_000_000) }
