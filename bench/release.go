package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/storage"
)

// The harness plays the staff of every office (--release): each conversation the assistant
// hands over (conversation.changed to pending) is taken and finished at once, StartService
// then FinishService as the inbox's buttons do, so that the phone's next message is answered
// again and every message of the mix gets the handling it asks for.
//
// Until session 17 the watchers handed each pending conversation to four releasers through a
// channel of 4 096 and dropped it when the channel was full. From 16 000 msg/s the releasers
// fell behind, and each drop left a conversation with the staff for the rest of the run, its
// messages unanswered: 88 % of the messages of the 64 000 msg/s step, 73 % of the half-maximum
// run after it (BENCHMARKS.md, eighteenth round). The faster a step, the lighter the work it
// measured. Now nothing is dropped: the queue has no bound (a conversation is in it at most
// once), releasers enough that a release waits for the engine rather than for a releaser,
// a failed release is tried again, and a watcher that lost events (dropped by the hub as too
// slow, further behind than the hub's window) has its office's pending tab swept.

// releasers is how many conversations are released at once: each release is two staff
// commands waiting for their durable outcome (1–5 ms under load, far more past the maximum),
// and the mix hands over a tenth of the rate: ~2 000 conversations a second at 20 000 msg/s.
const releasers = 64

// releaseAttempts is how many times a release is tried before it counts as an error.
const releaseAttempts = 3

type releaseReq struct{ office, phone string }

// releaseQueue holds the conversations waiting for the harness's staff, oldest first. Each is
// in it, or being released, at most once (known); one handed over again while its release is
// under way is queued again once that release ends.
type releaseQueue struct {
	mu    sync.Mutex
	queue []releaseReq
	known map[releaseReq]*releaseState
	ready chan struct{} // holds one token while the queue may not be empty

	errors  atomic.Int64 // releases that failed releaseAttempts times
	retries atomic.Int64
	swept   atomic.Int64 // conversations queued by a sweep of a pending tab
}

type releaseState struct {
	attempts int  // tries so far
	running  bool // a releaser has it
	again    bool // handed over again while running
}

func newReleaseQueue() *releaseQueue {
	return &releaseQueue{known: map[releaseReq]*releaseState{}, ready: make(chan struct{}, 1)}
}

// add queues a conversation the assistant handed over. From a sweep (swept), one already
// known is left alone: the sweep read what the release under way may since have changed.
func (q *releaseQueue) add(r releaseReq, swept bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if st, ok := q.known[r]; ok {
		if st.running && !swept {
			st.again = true
		}
		return
	}
	if swept {
		q.swept.Add(1)
	}
	q.known[r] = &releaseState{}
	q.push(r)
}

// push appends r and wakes a releaser; q.mu is held.
func (q *releaseQueue) push(r releaseReq) {
	q.queue = append(q.queue, r)
	q.signal()
}

// signal leaves the token for a releaser (one is enough: a releaser that takes a conversation
// and sees more passes it on).
func (q *releaseQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take waits for the oldest queued conversation; ok is false once ctx ends.
func (q *releaseQueue) take(ctx context.Context) (r releaseReq, ok bool) {
	for {
		q.mu.Lock()
		if len(q.queue) > 0 {
			r, q.queue[0] = q.queue[0], releaseReq{}
			q.queue = q.queue[1:]
			q.known[r].running = true
			if len(q.queue) > 0 {
				q.signal()
			}
			q.mu.Unlock()
			return r, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return releaseReq{}, false
		case <-q.ready:
		}
	}
}

// done ends a release: it leaves the queue, is tried again after a failure (up to
// releaseAttempts), or is queued again when handed over again meanwhile.
func (q *releaseQueue) done(r releaseReq, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := q.known[r]
	st.running = false
	st.attempts++
	switch {
	case err != nil && st.attempts < releaseAttempts:
		q.retries.Add(1)
		q.push(r)
	case err == nil && st.again:
		*st = releaseState{}
		q.push(r)
	default:
		if err != nil {
			q.errors.Add(1)
		}
		delete(q.known, r)
	}
}

// releaser releases conversations until ctx ends.
func (h *harness) releaser(ctx context.Context) {
	for {
		r, ok := h.releases.take(ctx)
		if !ok {
			return
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := h.e.Actors().Request(rctx, r.office, &actors.StartService{Phone: r.phone, Staff: staffUser})
		if err == nil {
			_, err = h.e.Actors().Request(rctx, r.office, &actors.FinishService{Phone: r.phone, Staff: staffUser})
		}
		cancel()
		h.releases.done(r, err)
		if err == nil {
			if s := h.cur.Load(); s != nil {
				s.released.Add(1)
			}
		}
	}
}

// sweepPending queues every conversation of the office's pending tab, as stored: what a
// watcher that lost events may not have seen handed over.
func (h *harness) sweepPending(office string) {
	_ = h.e.DB().Scan(storage.IndexPrefix(office, balcao.TabPending), nil, false, func(k, _ []byte) bool {
		h.releases.add(releaseReq{office: office, phone: storage.IndexPhone(k)}, true)
		return true
	})
}

// idle reports whether no conversation is queued or being released.
func (q *releaseQueue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.known) == 0
}

// releasesIdle waits, up to limit, until no conversation is queued or being released.
func (h *harness) releasesIdle(ctx context.Context, limit time.Duration) {
	for deadline := time.Now().Add(limit); !h.releases.idle() && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(10 * time.Millisecond)
	}
}

// leftWithStaff waits (up to 10 s) for the releases under way to end, then counts the
// conversations of every office still pending or being attended, as a manager's inbox counts
// them (Engine.Counts: at most 1 000 a tab): none, unless a release was lost or failed for good.
func (h *harness) leftWithStaff(ctx context.Context) int {
	h.releasesIdle(ctx, 10*time.Second)
	n := 0
	for _, office := range h.offices {
		counts, err := h.e.Counts(ctx, office, balcao.Staff{Role: balcao.RoleManager})
		if err != nil {
			h.say("bench: count the conversations left with the staff of %s: %v", office, err)
			continue
		}
		n += counts[balcao.TabPending] + counts[balcao.TabAttending]
	}
	return n
}
