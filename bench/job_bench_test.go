package bench

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao/engine"
)

// BenchmarkDocumentRequest measures the whole path of a document request: "me manda o holerite
// de outubro" delivered closed loop by 256 senders to 10 offices × 200 linked phones (round
// robin, every phone's conversation already running), stored and answered by the assistant,
// the job created, fetched from an embedded source (one PDF, answered at once), published and
// its document sent in the chat, with one in-process hub subscriber per office. Each op is one
// request; the timer stops once every job is done and delivered (no open/{job} key left). It
// reports the process's CPU per request (cpu-µs/msg) beside the wall time.
func BenchmarkDocumentRequest(b *testing.B) {
	cfg := Config{Offices: 10, Phones: 200, Staff: 0, PebbleDuration: -1, ResultsDir: "-"}
	cfg.fill()
	h := &harness{cfg: cfg, dataDir: b.TempDir()}
	h.names()
	e, err := engine.Start(engine.Config{
		DataDir: h.dataDir, Addr: "127.0.0.1:0", Log: slog.New(slog.DiscardHandler), IdleAfter: cfg.IdleAfter,
		Source: payslips{},
	})
	if err != nil {
		b.Fatal(err)
	}
	h.e = e
	defer h.stopEngine()
	ctx := context.Background()
	if err := h.createOffices(ctx, true); err != nil {
		b.Fatal(err)
	}
	drainHubs(b, h)
	// open counts the jobs not yet done and delivered (their open/{job} key is deleted last).
	open := func() int {
		n := 0
		for _, office := range h.offices {
			ids, err := e.DB().OpenJobs(office)
			if err != nil {
				b.Fatal(err)
			}
			n += len(ids)
		}
		return n
	}
	var n atomic.Uint64
	send := func(count uint64) {
		deliverClosedLoop(b, h, &n, count, kindTexts[Document])
		deadline := time.Now().Add(time.Minute)
		for left := open(); left > 0; left = open() {
			if time.Now().After(deadline) {
				b.Fatalf("%d jobs still open a minute after the last request", left)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	send(uint64(cfg.Offices * cfg.Phones)) // every conversation spawned and served once
	measureCPU(b, &n, send)
}
