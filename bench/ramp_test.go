package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
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
