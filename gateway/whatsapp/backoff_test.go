package whatsapp

import (
	"testing"
	"time"
)

func TestConnectBackoff(t *testing.T) {
	none := func(int64) int64 { return 0 }
	all := func(n int64) int64 { return n - 1 }
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, time.Second}, {1, 2 * time.Second}, {5, 32 * time.Second}, {7, 2 * time.Minute}, {100, 2 * time.Minute},
	}
	for _, tt := range tests {
		if got := backoffWith(tt.attempt, none); got != tt.want {
			t.Errorf("backoff(%d) = %v, want %v", tt.attempt, got, tt.want)
		}
		if got, lo := backoffWith(tt.attempt, all), tt.want*4/5; got < lo || got > tt.want {
			t.Errorf("backoff(%d) with jitter = %v, want in [%v, %v]", tt.attempt, got, lo, tt.want)
		}
	}
	for range 100 {
		if d := connectBackoff(3); d < 6400*time.Millisecond || d > 8*time.Second {
			t.Fatalf("connectBackoff(3) = %v, want in [6.4s, 8s]", d)
		}
	}
}
