package whatsapp

import (
	"math/rand/v2"
	"time"
)

// Bounds of the wait between attempts to connect.
const (
	minConnectBackoff = time.Second
	maxConnectBackoff = 2 * time.Minute
)

// connectBackoff is the wait before retrying after the attempt-th (from 0) failure to connect:
// doubling from one second up to two minutes, minus up to a fifth at random so that offices
// restarted together do not dial together.
func connectBackoff(attempt int) time.Duration {
	return backoffWith(attempt, rand.Int64N)
}

func backoffWith(attempt int, rnd func(int64) int64) time.Duration {
	d := maxConnectBackoff
	if attempt < 16 {
		d = min(minConnectBackoff<<attempt, maxConnectBackoff)
	}
	return d - time.Duration(rnd(int64(d/5)+1))
}
