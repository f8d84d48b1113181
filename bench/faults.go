package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/balcao/balcao"
)

// A fault is a bad request sent through the real HTTP endpoint /sim/inbound, with the status
// and error code the engine must answer. Its body is made once per step: the harness shares
// the engine's heap, and making the two large ones anew for each request was 9 % of all that
// a `--ramp --faults` allocated (1.0 of 11.1 GB): GC cycles that were not the engine's.
type fault struct {
	name   string
	body   func(h *harness) []byte
	ctype  string
	status int
	code   string
}

var faults = []fault{
	{"malformed_json", func(*harness) []byte { return []byte(`{"office":"x","from":`) }, "application/json", 400, "malformed_json"},
	{"unknown_field", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":%q,"from":%q,"text":"oi","evil":1}`, h.offices[0], h.phone(0, 0))
	}, "application/json", 400, "malformed_json"},
	{"invalid_phone", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":%q,"from":"55-abc","text":"oi"}`, h.offices[0])
	}, "application/json", 400, "invalid_phone"},
	{"empty_text", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":%q,"from":%q,"text":""}`, h.offices[0], h.phone(0, 0))
	}, "application/json", 400, "empty_text"},
	{"invalid_id", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":%q,"from":%q,"text":"oi","id":"bad id/../"}`, h.offices[0], h.phone(0, 0))
	}, "application/json", 400, "invalid_id"},
	{"unknown_office", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":"no-such-office","from":%q,"text":"oi"}`, h.phone(0, 0))
	}, "application/json", 404, "unknown_office"},
	{"text_too_long", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":%q,"from":%q,"text":%q}`, h.offices[0], h.phone(0, 0), strings.Repeat("a", balcao.MaxTextBytes+1))
	}, "application/json", 413, "text_too_long"},
	{"body_too_large", func(h *harness) []byte {
		return fmt.Appendf(nil, `{"office":%q,"from":%q,"text":%q}`, h.offices[0], h.phone(0, 0), strings.Repeat("a", 256<<10))
	}, "application/json", 413, "body_too_large"},
}

// FaultResult counts what the fault injector did and how the engine answered.
type FaultResult struct {
	Requests   int64            `json:"requests"`
	Rejected   map[string]int64 `json:"rejected"`   // "status code" → count
	Unexpected map[string]int64 `json:"unexpected"` // fault → what came back instead of its expected answer
	Kicked     int64            `json:"sockets_kicked"`
	Drops      int64            `json:"socket_drops"`
	Reconnects int64            `json:"socket_reconnects"`
	Resyncs    int64            `json:"socket_resyncs"`
	DialErrors int64            `json:"socket_dial_errors"`
}

type faultStats struct {
	requests   atomic.Int64
	mu         sync.Mutex
	rejected   map[string]int64
	unexpected map[string]int64
}

// injectFaults sends FaultRate × rate bad requests per second, cycling through the kinds, and
// every second closes 1% of the staff sockets (at least one), which reconnect and resync.
func (h *harness) injectFaults(ctx context.Context, s *step) {
	rate := s.rate * h.cfg.FaultRate
	if rate < 1 {
		rate = 1
	}
	interval := time.Duration(1e9 / rate)
	t := time.NewTicker(interval)
	defer t.Stop()
	kick := time.NewTicker(time.Second)
	defer kick.Stop()
	bodies := make([][]byte, len(faults))
	for i, f := range faults {
		bodies[i] = f.body(h)
	}
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	defer wg.Wait()
	var n uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick.C:
			if open := h.browsers.open(); open > 0 {
				h.browsers.kick(max(1, open/100))
			}
		case <-t.C:
			i := n % uint64(len(faults))
			f, body := faults[i], bodies[i]
			n++
			select {
			case sem <- struct{}{}:
			default:
				h.faults.mu.Lock()
				h.faults.unexpected[f.name+": injector saturated"]++
				h.faults.mu.Unlock()
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				h.sendFault(ctx, f, body)
			}()
		}
	}
}

// sendFault sends one fault with its body, which it only reads (the step's requests share it).
func (h *harness) sendFault(ctx context.Context, f fault, body []byte) {
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, "POST", h.base+"/sim/inbound", bytes.NewReader(body))
	req.Header.Set("Content-Type", f.ctype)
	h.faults.requests.Add(1)
	resp, err := h.client.Do(req)
	got := ""
	status := 0
	if err != nil && ctx.Err() != nil {
		h.faults.requests.Add(-1) // cut short by the end of the step: not an answer
		return
	}
	if err != nil {
		got = "transport error"
	} else {
		status = resp.StatusCode
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		_ = json.Unmarshal(raw, &e)
		got = fmt.Sprintf("%d %s", status, e.Error.Code)
	}
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	if status >= 400 {
		h.faults.rejected[got]++
	}
	if status != f.status || got != fmt.Sprintf("%d %s", f.status, f.code) {
		h.faults.unexpected[f.name+" → "+got]++
	}
}

func (h *harness) faultResult() *FaultResult {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	r := &FaultResult{
		Requests: h.faults.requests.Load(), Rejected: map[string]int64{}, Unexpected: map[string]int64{},
		Kicked: h.socketKicks.Load(), Drops: h.socketDrops.Load(), Reconnects: h.socketReconnects.Load(),
		Resyncs: h.socketResyncs.Load(), DialErrors: h.socketDialErrors.Load(),
	}
	for k, v := range h.faults.rejected {
		r.Rejected[k] = v
	}
	for k, v := range h.faults.unexpected {
		r.Unexpected[k] = v
	}
	return r
}
