package whatsapp

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// sendTimes runs n sends through p one after another and returns when each went out, relative
// to the start.
func sendTimes(t *testing.T, p *pacer, n int) []time.Duration {
	t.Helper()
	start := time.Now()
	out := make([]time.Duration, 0, n)
	for range n {
		if err := p.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(start))
	}
	return out
}

func TestPacerBurstThenRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(1, 3, 0)
		got := sendTimes(t, p, 6)
		want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("send times = %v, want %v", got, want)
			}
		}
		// Idle long enough, the burst is back, and no more than the burst.
		time.Sleep(time.Minute)
		got = sendTimes(t, p, 4)
		want = []time.Duration{0, 0, 0, time.Second}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("after idling, send times = %v, want %v", got, want)
			}
		}
	})
}

// Concurrent senders are spaced like serial ones: the bucket hands out reservations.
func TestPacerConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(2, 1, 0)
		start := time.Now()
		done := make(chan time.Duration, 5)
		for range 5 {
			go func() {
				_ = p.wait(context.Background())
				done <- time.Since(start)
			}()
		}
		var last time.Duration
		for range 5 {
			last = max(last, <-done)
		}
		if want := 2 * time.Second; last != want {
			t.Errorf("last of 5 sends at %v, want %v (2/s, burst 1)", last, want)
		}
	})
}

func TestPacerJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(10, 10, 500*time.Millisecond)
		var asked []int64
		p.rand = func(n int64) int64 { asked = append(asked, n); return n - 1 }
		got := sendTimes(t, p, 2)
		if len(asked) != 2 || asked[0] != int64(500*time.Millisecond) {
			t.Errorf("jitter drawn from %v, want [0, 500ms) twice", asked)
		}
		if want := 500*time.Millisecond - 1; got[0] != want {
			t.Errorf("first send at %v, want %v", got[0], want)
		}
	})
}

func TestPacerCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(1, 1, 0)
		_ = p.wait(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := p.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("wait = %v, want deadline exceeded", err)
		}
		// The abandoned reservation was given back: the next send waits the remaining 0.9 s,
		// not another full second on top.
		start := time.Now()
		_ = p.wait(context.Background())
		if waited := time.Since(start); waited != 900*time.Millisecond {
			t.Errorf("next send waited %v, want 900ms", waited)
		}
	})
}
