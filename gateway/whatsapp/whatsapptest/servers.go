// Package whatsapptest stands in for WhatsApp's servers in tests that run Balcão's real
// whatsmeow gateway and client (the only part of WhatsApp that cannot run here).
package whatsapptest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"
)

// Servers is WhatsApp's servers as a client dialing them sees them: each dial of a device not
// paired yet gets a fresh QR code ("2@code-1", "2@code-2", …), and every dialed client is handed
// to the test (Client) to drive with events. Pass Dial to whatsapp.WithDial.
type Servers struct {
	mu      sync.Mutex
	codes   int
	clients chan *whatsmeow.Client
}

// NewServers returns the servers, no client dialed yet.
func NewServers() *Servers {
	return &Servers{clients: make(chan *whatsmeow.Client, 16)}
}

// Dial is the connection to the servers (whatsapp.WithDial).
func (s *Servers) Dial(_ context.Context, cli *whatsmeow.Client) error {
	if cli.Store.ID == nil {
		s.mu.Lock()
		s.codes++
		code := fmt.Sprintf("2@code-%d", s.codes)
		s.mu.Unlock()
		cli.DangerousInternals().DispatchEvent(&events.QR{Codes: []string{code}})
	}
	s.clients <- cli
	return nil
}

// Client returns the next client dialed, failing the test after wait.
func (s *Servers) Client(t testing.TB, wait time.Duration) *whatsmeow.Client {
	t.Helper()
	select {
	case cli := <-s.clients:
		return cli
	case <-time.After(wait):
		t.Fatal("no dial to WhatsApp")
		return nil
	}
}
