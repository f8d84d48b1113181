package whatsapp

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// pacer spaces one office's outbound messages so that bursts never look like spam: a token
// bucket (rate per second sustained, burst back to back) plus a random delay of up to jitter
// before each message. Callers are served in the order they reserve.
type pacer struct {
	rate   float64       // tokens per second
	burst  float64       // bucket size
	jitter time.Duration // most random delay added to each wait
	rand   func(n int64) int64

	mu     sync.Mutex
	tokens float64   // may go negative: reservations of callers still waiting; mu guards it
	last   time.Time // when tokens was last brought up to date; mu guards it
}

func newPacer(rate float64, burst int, jitter time.Duration) *pacer {
	return &pacer{rate: rate, burst: float64(burst), jitter: jitter, rand: rand.Int64N, tokens: float64(burst)}
}

// reserve takes one token and returns how long its caller must wait before sending.
func (p *pacer) reserve(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() {
		p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	}
	p.last = now
	p.tokens--
	var wait time.Duration
	if p.tokens < 0 {
		wait = time.Duration(-p.tokens / p.rate * float64(time.Second))
	}
	if p.jitter > 0 {
		wait += time.Duration(p.rand(int64(p.jitter)))
	}
	return wait
}

// cancel gives back a token whose caller gave up waiting.
func (p *pacer) cancel() {
	p.mu.Lock()
	p.tokens = min(p.burst, p.tokens+1)
	p.mu.Unlock()
}

// wait blocks until the caller may send one message, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	d := p.reserve(time.Now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		p.cancel()
		return ctx.Err()
	}
}
