package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestRampSearch: the ramp doubles until a rate fails, bisects below it; while doubling, a
// rate fails only when its step fails twice in a row (a lone failure, the jump's transient, is
// run again), in the bisection at once.
func TestRampSearch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		holds float64         // the highest rate that holds
		once  map[float64]int // rates whose first n steps fail anyway
		start float64
		want  float64
		steps []string
	}{
		{"steady", 5000, nil, 1000, 5000,
			[]string{"1000", "2000", "4000", "8000", "8000 again", "6000", "5000", "5500"}},
		{"a doubling's transient", 5000, map[float64]int{4000: 1}, 1000, 5000,
			[]string{"1000", "2000", "4000", "4000 again", "8000", "8000 again", "6000", "5000", "5500"}},
		{"two failures in a row", 5000, map[float64]int{4000: 2}, 1000, 3750,
			[]string{"1000", "2000", "4000", "4000 again", "3000", "3500", "3750"}},
		{"a bisection's step is not run again", 5000, map[float64]int{5000: 1}, 1000, 4500,
			[]string{"1000", "2000", "4000", "8000", "8000 again", "6000", "5000", "4500"}},
		{"the first rate fails", 300, nil, 1000, 281.25,
			[]string{"1000", "1000 again", "500", "250", "375", "312.5", "281.25"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var steps []string
			failed := map[float64]int{}
			step := func(rate float64, again bool) bool {
				label := fmt.Sprint(rate)
				if again {
					label += " again"
				}
				steps = append(steps, label)
				if failed[rate] < tc.once[rate] {
					failed[rate]++
					return false
				}
				return rate <= tc.holds
			}
			got, err := rampSearch(context.Background(), tc.start, 200000, 3, step)
			if err != nil || got != tc.want {
				t.Errorf("max %v (%v), want %v", got, err, tc.want)
			}
			if !slices.Equal(steps, tc.steps) {
				t.Errorf("steps %q, want %q", steps, tc.steps)
			}
		})
	}
}

// TestStepHolds: a ramp step holds only when it served what was offered, replies included.
func TestStepHolds(t *testing.T) {
	good := StepResult{Scheduled: 1000, Sent: 1000, Acked: 1000, Replies: 960, Unanswered: 40, Throughput: 1000,
		Reply: Percentiles{Count: 960, P99: 80}}
	if !holds(good, 1000, 100*time.Millisecond, maxUnanswered) {
		t.Fatalf("%+v does not hold", good)
	}
	for name, change := range map[string]func(*StepResult){
		"reply p99 over the target": func(r *StepResult) { r.Reply.P99 = 101 },
		"an error":                  func(r *StepResult) { r.Failed, r.Acked = 1, 999 },
		"unsent messages":           func(r *StepResult) { r.Unsent, r.Sent = 1, 999 },
		"behind the offered rate":   func(r *StepResult) { r.Throughput = 940 },
		"no reply at all":           func(r *StepResult) { r.Replies, r.Unanswered, r.Reply.Count = 0, 1000, 0 },
		"a twentieth unanswered":    func(r *StepResult) { r.Replies, r.Unanswered, r.Reply.Count = 949, 51, 949 },
	} {
		r := good
		change(&r)
		if holds(r, 1000, 100*time.Millisecond, maxUnanswered) {
			t.Errorf("%s: %+v holds", name, r)
		}
	}
	// Without the harness's staff (--release=false) handed-over conversations stay unanswered.
	quiet := good
	quiet.Replies, quiet.Unanswered, quiet.Reply.Count = 500, 500, 500
	if !holds(quiet, 1000, 100*time.Millisecond, 1) {
		t.Errorf("half unanswered without the staff: %+v does not hold", quiet)
	}
}
