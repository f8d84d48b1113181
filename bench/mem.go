package bench

import (
	"bufio"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Memory is the process's memory at one moment.
type Memory struct {
	RSSBytes  int64 `json:"rss_bytes"`      // VmRSS
	HWMBytes  int64 `json:"rss_peak_bytes"` // VmHWM
	HeapBytes int64 `json:"heap_bytes"`     // live heap objects after a GC
	TotalGo   int64 `json:"go_total_bytes"` // all memory the Go runtime mapped
	// HeapObjects counts the live heap objects after a GC: what every GC cycle marks again,
	// which sets the length of its mark phase (BENCHMARKS.md, tenth round).
	HeapObjects int64 `json:"heap_objects"`
}

// resetPeak starts the process's peak resident memory (VmHWM) again from what it holds now
// (Linux: 5 written to /proc/self/clear_refs); false where that cannot be done.
func resetPeak() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

func readMemory(gc bool) Memory {
	if gc {
		runtime.GC()
	}
	m := Memory{}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/gc/heap/objects:objects"}}
	metrics.Read(s)
	m.HeapBytes = int64(s[0].Value.Uint64())
	m.TotalGo = int64(s[1].Value.Uint64())
	m.HeapObjects = int64(s[2].Value.Uint64())
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []struct {
			name string
			dst  *int64
		}{{"VmRSS:", &m.RSSBytes}, {"VmHWM:", &m.HWMBytes}} {
			if rest, ok := strings.CutPrefix(line, k.name); ok {
				fields := strings.Fields(rest)
				if len(fields) > 0 {
					kb, _ := strconv.ParseInt(fields[0], 10, 64)
					*k.dst = kb << 10
				}
			}
		}
	}
	return m
}

// Machine describes where the run happened.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func pow10(x float64) float64 { return math.Pow(10, x) }

// schedSnapshot is the Go scheduler's latency histogram (time goroutines waited, runnable,
// for a thread): on a machine shared with other work it shows how much of the measured
// latency is waiting for a CPU.
type schedSnapshot struct{ counts []uint64 }

var schedBuckets []float64

func readSched() schedSnapshot {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return schedSnapshot{}
	}
	h := s[0].Value.Float64Histogram()
	schedBuckets = h.Buckets
	return schedSnapshot{counts: append([]uint64(nil), h.Counts...)}
}

// SchedLatency is the scheduler latency between two snapshots, in ms.
type SchedLatency struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p99_9_ms"`
}

func schedBetween(a, b schedSnapshot) SchedLatency {
	if len(a.counts) != len(b.counts) || len(b.counts) == 0 {
		return SchedLatency{}
	}
	d := make([]uint64, len(b.counts))
	var total uint64
	for i := range d {
		d[i] = b.counts[i] - a.counts[i]
		total += d[i]
	}
	r := SchedLatency{Count: total}
	q := func(p float64) float64 {
		want := uint64(math.Ceil(p * float64(total)))
		var acc uint64
		for i, c := range d {
			acc += c
			if acc >= want && c > 0 {
				hi := schedBuckets[i+1]
				if math.IsInf(hi, 1) {
					hi = schedBuckets[i]
				}
				return hi * 1000
			}
		}
		return 0
	}
	if total > 0 {
		r.P50, r.P99, r.P999 = q(0.5), q(0.99), q(0.999)
	}
	return r
}

// processCPU is the CPU time (user and system) the process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the machine's 1-minute load average (other work shares the CPUs).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
