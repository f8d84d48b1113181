package bench

import (
	"context"
	"testing"
	"time"
)

// TestLatencyFromIntendedSendTime: the load is open loop. With one message in flight at a time
// the engine cannot take 20 000 msg/s (each waits for its fsync), so the sender falls behind
// its schedule; every message's latency is counted from the time it was due, not from when the
// held-back sender got to post it, so the accepted latency carries the sender's delay (a
// closed-loop harness would report each message's own few ms: coordinated omission).
func TestLatencyFromIntendedSendTime(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{
		DataDir: dir + "/data", Offices: 1, Phones: 100, Rate: 20000, Duration: 100 * time.Millisecond, Staff: 0,
		Mix: Mix{100, 0, 0}, MaxInFlight: 1, PebbleDuration: -1, ResultsDir: "-",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	r := rep.Run
	if r.Acked < 100 || r.Failed != 0 {
		t.Fatalf("acked %d failed %d of %d", r.Acked, r.Failed, r.Scheduled)
	}
	if r.SenderLate.Max < 50 {
		t.Fatalf("the sender was at most %.2f ms late with one message in flight at 20 000 msg/s: the test's premise failed", r.SenderLate.Max)
	}
	if r.Accepted.Max < r.SenderLate.Max || r.Accepted.P99 < 0.9*r.SenderLate.P99 {
		t.Errorf("accepted p99 %.2f max %.2f ms, sender late p99 %.2f max %.2f ms: the latency left out how late the message was sent",
			r.Accepted.P99, r.Accepted.Max, r.SenderLate.P99, r.SenderLate.Max)
	}
	if r.Reply.Count > 0 && r.Reply.Max < r.SenderLate.Max {
		t.Errorf("reply max %.2f ms, below the sender's delay %.2f ms", r.Reply.Max, r.SenderLate.Max)
	}
}
