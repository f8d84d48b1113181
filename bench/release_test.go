package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestReleaseQueueDropsNothing: every conversation handed over is released exactly once, however
// many arrive at once (the queue had 4 096 places and dropped the rest before session 17).
func TestReleaseQueueDropsNothing(t *testing.T) {
	q := newReleaseQueue()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 20000
	var mu sync.Mutex
	got := map[releaseReq]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r, ok := q.take(ctx)
				if !ok {
					return
				}
				mu.Lock()
				got[r]++
				mu.Unlock()
				q.done(r, nil)
			}
		}()
	}
	for i := range n {
		q.add(releaseReq{office: "of", phone: fmt.Sprint(i)}, false)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		k := len(got)
		mu.Unlock()
		if k == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d of %d conversations released", len(got), n)
	}
	for r, k := range got {
		if k != 1 {
			t.Fatalf("%v released %d times", r, k)
		}
	}
	if len(q.known) != 0 || len(q.queue) != 0 {
		t.Errorf("after every release: %d known, %d queued", len(q.known), len(q.queue))
	}
}

// TestReleaseQueueOnce: a conversation is queued once however often it is reported; one handed
// over again while its release runs is queued again after it (not by a sweep, which may have
// read the state before the release); a failed release is tried releaseAttempts times.
func TestReleaseQueueOnce(t *testing.T) {
	q := newReleaseQueue()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, b := releaseReq{"of", "1"}, releaseReq{"of", "2"}
	q.add(a, false)
	q.add(a, false)
	q.add(a, true)
	q.add(b, true)
	if len(q.queue) != 2 || q.swept.Load() != 1 {
		t.Fatalf("queue %v (swept %d), want a and b once each", q.queue, q.swept.Load())
	}
	take := func(want releaseReq) {
		t.Helper()
		r, ok := q.take(ctx)
		if !ok || r != want {
			t.Fatalf("took %v (%v), want %v", r, ok, want)
		}
	}
	take(a)
	q.add(a, true) // a sweep while a runs: left alone
	q.done(a, nil)
	take(b)
	q.add(b, false) // handed over again while b runs
	q.done(b, nil)
	take(b)
	if len(q.queue) != 0 {
		t.Fatalf("queue %v, want empty", q.queue)
	}
	boom := errors.New("boom")
	for i := range releaseAttempts {
		q.done(b, boom)
		if i < releaseAttempts-1 {
			take(b)
		}
	}
	if q.errors.Load() != 1 || q.retries.Load() != releaseAttempts-1 || len(q.known) != 0 {
		t.Errorf("errors %d retries %d known %d, want 1, %d, 0", q.errors.Load(), q.retries.Load(), len(q.known), releaseAttempts-1)
	}
	cancel()
	if _, ok := q.take(ctx); ok {
		t.Error("take after the context ended returned a conversation")
	}
}

// TestSweepReleasesWhatTheWatchersMissed: conversations handed over while no watcher saw it
// (as after a watcher fell behind the hub's window) are found in the stored pending tab, queued
// once however often it is swept, and released; none is left with the staff after.
func TestSweepReleasesWhatTheWatchersMissed(t *testing.T) {
	cfg := Config{DataDir: t.TempDir() + "/data", Offices: 1, Phones: 3, PebbleDuration: -1, ResultsDir: "-"}
	cfg.fill()
	h := &harness{cfg: cfg, dataDir: cfg.DataDir, releases: newReleaseQueue()}
	h.names()
	if err := h.start(); err != nil {
		t.Fatal(err)
	}
	defer h.stopEngine()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.createOffices(ctx, true); err != nil {
		t.Fatal(err)
	}
	office := h.offices[0]
	for k := range 3 { // each asks for a person: acknowledged once its turn, handover included, is durable
		acked := make(chan error, 1)
		err := h.e.Sim().Post(office, h.phone(0, k), fmt.Sprint("sweep-", k), "quero falar com um atendente", time.Now(), func(err error) { acked <- err })
		if err == nil {
			err = <-acked
		}
		if err != nil {
			t.Fatalf("message of phone %d: %v", k, err)
		}
	}
	if n := h.leftWithStaff(ctx); n != 3 {
		t.Fatalf("%d conversations with the staff before the sweep, want 3", n)
	}
	h.sweepPending(office)
	h.sweepPending(office)
	if len(h.releases.queue) != 3 || h.releases.swept.Load() != 3 {
		t.Fatalf("queued %v (%d by sweeps), want the 3 pending once each", h.releases.queue, h.releases.swept.Load())
	}
	rctx, stop := context.WithCancel(ctx)
	released := make(chan struct{})
	go func() { defer close(released); h.releaser(rctx) }()
	n := h.leftWithStaff(ctx)
	stop()
	<-released
	if n != 0 || h.releases.errors.Load() != 0 {
		t.Errorf("%d conversations left with the staff, %d releases failed", n, h.releases.errors.Load())
	}
}
