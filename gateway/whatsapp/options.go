package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow"
)

// Defaults of a Gateway; see the options that change them.
const (
	// DefaultRate is the sustained number of messages per second one office may send.
	DefaultRate = 1.0
	// DefaultBurst is how many messages an idle office may send back to back.
	DefaultBurst = 3
	// DefaultJitter is the most random delay added before each message.
	DefaultJitter = 400 * time.Millisecond
	// DefaultAckTimeout is how long the event handler waits for the engine to store an inbound
	// message before leaving it unacknowledged (WhatsApp delivers it again later).
	DefaultAckTimeout = 30 * time.Second
	// DefaultMaxMedia is the largest media file received or sent (100 MB).
	DefaultMaxMedia = 100 << 20
)

type config struct {
	rate       float64
	burst      int
	jitter     time.Duration
	ackTimeout time.Duration
	maxMedia   int64
	deviceName string
	dial       func(ctx context.Context, cli *whatsmeow.Client) error // nil: WhatsApp's servers
}

func defaultConfig() config {
	return config{
		rate:       DefaultRate,
		burst:      DefaultBurst,
		jitter:     DefaultJitter,
		ackTimeout: DefaultAckTimeout,
		maxMedia:   DefaultMaxMedia,
		deviceName: "Balcão",
	}
}

// Option changes a Gateway's defaults.
type Option func(*config)

// WithPacing sets each office's send pacing: rate messages per second sustained, bursts of at
// most burst messages, and a random delay of up to jitter before each message. Values below
// one (rate ≤ 0, burst < 1, jitter < 0) keep the default.
func WithPacing(rate float64, burst int, jitter time.Duration) Option {
	return func(c *config) {
		if rate > 0 {
			c.rate = rate
		}
		if burst >= 1 {
			c.burst = burst
		}
		if jitter >= 0 {
			c.jitter = jitter
		}
	}
}

// WithAckTimeout sets how long an inbound message waits for the engine's acknowledgement.
func WithAckTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.ackTimeout = d
		}
	}
}

// WithMaxMedia sets the largest media file, in bytes, received or sent.
func WithMaxMedia(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxMedia = n
		}
	}
}

// WithDeviceName sets the name the phone shows under Aparelhos conectados ("Balcão").
func WithDeviceName(name string) Option {
	return func(c *config) {
		if name != "" {
			c.deviceName = name
		}
	}
}

// WithDial replaces how a session dials WhatsApp's servers (the client's ConnectContext): tests
// of the packages around the gateway drive the real client offline with it, handing it
// whatsmeow's events (a QR code, a pairing) the way the servers would.
func WithDial(dial func(ctx context.Context, cli *whatsmeow.Client) error) Option {
	return func(c *config) {
		if dial != nil {
			c.dial = dial
		}
	}
}
