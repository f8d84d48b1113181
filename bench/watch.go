package bench

import (
	"bytes"
	"context"
	"time"
)

// watchOffice follows one office's events in-process, as a hub subscriber (no websocket), to
// time the assistant's replies. Within an office the hub publishes in commit order, and one
// turn's events come together: the inbound message.added, its replies' message.added, then
// conversation.changed. So the first outbound assistant/system message.added of a
// conversation after its inbound, and before its conversation.changed, is that inbound's reply.
// Its event is published when the turn is durable, just before the reply is handed to the
// gateway actor: the reply is timed at that moment, the event's own stamp ("at"), not when
// this goroutine reads it (its own wait for the scheduler is the harness's, ~3 ms at p99 at
// 1 875 msg/s). The reply's later message.status "delivered" means the simulated WhatsApp
// accepted it and the receipt was stored, timed by its stamp too.
func (h *harness) watchOffice(ctx context.Context, idx int) {
	office := h.offices[idx]
	type replied struct {
		n   uint64
		seq uint64
	}
	cur := map[string]uint64{}   // conversation → bench message number of the turn being read
	sent := map[string]replied{} // conversation → its last timed reply, until it is delivered
	var (
		f      frame
		frames [][]byte
		epoch  string // set once dropped: the hub's, to resume after seq
		seq    uint64 // of the last frame read
	)
	for ctx.Err() == nil {
		// A watcher the hub dropped as too slow resumes after the last frame it read, as a
		// browser does; when the hub no longer keeps them all, the events between are lost:
		// the office's pending tab is swept so that no conversation stays with the staff.
		sub, _, missed := h.e.Hub().Subscribe(office, "bench-watch", "bench", nil, epoch, seq)
		if missed {
			h.watchMissed.Add(1)
			clear(cur)
			h.sweepPending(office)
		}
	read:
		for {
			select {
			case <-ctx.Done():
				h.e.Hub().Unsubscribe(office, sub)
				return
			case <-sub.Dropped:
				h.watchDrops.Add(1)
				epoch = h.e.Hub().Epoch()
				break read
			case b := <-sub.C:
				// One hub frame holds one event, or the events of one turn as a JSON array.
				now := time.Now()
				frames = splitFrames(frames, b)
				for _, one := range frames {
					if !parseFrame(one, &f) {
						continue
					}
					seq = max(seq, f.seq)
					switch {
					case bytes.Equal(f.typ, typMessageAdded):
						if string(f.direction) == "in" {
							if n, ok := parseBenchID(f.waID); ok {
								cur[string(f.conv)] = n
							} else {
								delete(cur, string(f.conv))
							}
							continue
						}
						n, ok := cur[string(f.conv)]
						a := string(f.author)
						if !ok || (a != "assistant" && a != "system") {
							continue
						}
						delete(cur, string(f.conv))
						if s := h.steps.find(n); s != nil {
							due := s.intended(n)
							took := f.stampedAt(now).Sub(due)
							s.reply.record(idx, took)
							s.tail.reply(due, took)
							s.replies.Add(1)
							sent[string(f.conv)] = replied{n: n, seq: f.msgSeq}
						}
					case bytes.Equal(f.typ, typConvChanged):
						delete(cur, string(f.conv))
						if h.cfg.Release && string(f.state) == "pending" {
							h.releases.add(releaseReq{office: office, phone: string(f.conv)}, false)
						}
					case bytes.Equal(f.typ, typStatus):
						r, ok := sent[string(f.conv)]
						if !ok || r.seq != f.msgSeq || string(f.status) != "delivered" {
							continue
						}
						delete(sent, string(f.conv))
						if s := h.steps.find(r.n); s != nil {
							s.atPhone.record(idx, f.stampedAt(now).Sub(s.intended(r.n)))
							s.atPhoneN.Add(1)
						}
					}
				}
			}
		}
		h.e.Hub().Unsubscribe(office, sub)
	}
}
