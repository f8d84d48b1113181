package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestRampRun runs --ramp small (20 then 40 msg/s, capped at 40, a target no step can miss):
// every step is in the report, the highest passing rate is the max, the measured run is made at
// half of it, and the summary's inbound rate is the best passing step's throughput.
func TestRampRun(t *testing.T) {
	dir := t.TempDir()
	var progress bytes.Buffer
	cfg := Config{
		DataDir: dir + "/data", Offices: 1, Phones: 20, Duration: time.Second, Staff: 0, Mix: Mix{100, 0, 0},
		Ramp: true, RampStart: 20, RampMaxRate: 40, RampStep: 500 * time.Millisecond, RampP99: 10 * time.Second,
		PebbleDuration: -1, ResultsDir: "-", Progress: &progress,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	rr := rep.Ramp
	if rr == nil || len(rr.Steps) != 2 || rr.Steps[0].OfferedRate != 20 || rr.Steps[1].OfferedRate != 40 || rr.MaxRate != 40 {
		t.Fatalf("ramp %+v: want steps at 20 and 40 msg/s, max 40", rr)
	}
	for _, s := range rr.Steps {
		if s.Pass == nil || !*s.Pass {
			t.Errorf("ramp step at %.0f msg/s did not pass: %+v", s.OfferedRate, s)
		}
	}
	if rep.Run == nil || rep.Run.OfferedRate != 20 || rep.Run.Acked != 20 {
		t.Errorf("measured run %+v: want 20 messages at half the max, 20 msg/s", rep.Run)
	}
	if rep.InboundRate != rr.MaxThroughput || rr.MaxThroughput < 30 {
		t.Errorf("inbound rate %.1f, ramp max throughput %.1f: want the best passing step's", rep.InboundRate, rr.MaxThroughput)
	}
	if !strings.Contains(progress.String(), "measuring at half of it, 20 msg/s") {
		t.Errorf("progress does not say the run is at half the max:\n%s", progress.String())
	}
}
