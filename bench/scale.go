package bench

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// ScaleResult is the storage-scale mode: many stored conversations, a restart, and a share of
// them active again.
type ScaleResult struct {
	Conversations  int     `json:"conversations"`
	Active         int     `json:"active"` // written to in the last hour (seeded), then messaged again
	SeedSeconds    float64 `json:"seed_seconds"`
	DiskBytes      int64   `json:"disk_bytes"`
	StartSeconds   float64 `json:"start_seconds"`   // engine.Start returned
	HealthySeconds float64 `json:"healthy_seconds"` // /healthz answered 200
	ReadySeconds   float64 `json:"ready_seconds"`   // a first message round-tripped (reply event seen)
	// Seeded is the memory once seeded and the engine stopped: its peak is the bulk load's (the
	// harness writing 1 000 conversations a batch, four at a time, as fast as Pebble takes
	// them). The peak is then reset (resetPeak), so that those read from the restart on are the
	// restarted engine's.
	Seeded       Memory  `json:"memory_after_seeding"`
	AfterRestart Memory  `json:"memory_after_restart"`
	WithActive   Memory  `json:"memory_with_active"`
	Actors       int     `json:"conversation_actors"`
	HeapPerActor float64 `json:"heap_per_actor_bytes"` // heap growth since the restart ÷ actors
	// After the run (and the harness's sockets and watchers closed), every conversation goes
	// idle: the actors still running once 1.25 × IdleAfter (and a margin) passed, and the
	// memory then. LiveActorBytes is what a running conversation actor holds: (heap before −
	// heap after passivation) ÷ actors, without the hub's windows, the simulated phones and
	// the rest that stays.
	ActorsLeft       int     `json:"conversation_actors_left"`
	PassivateSeconds float64 `json:"passivate_seconds"` // from the end of the run until none ran
	Passivated       Memory  `json:"memory_after_passivation"`
	LiveActorBytes   float64 `json:"live_actor_bytes"`
}

// runScale seeds cfg.Conversations conversations straight through storage.Writer, with the
// keys a conversation actor writes for one answered message (contact, company link,
// conversation record, the inbound message and its WhatsApp id, the reply and its delivery
// record, the contacts-tab index entry), ActiveShare of them with their last message in the
// last hour. Then it restarts the engine and measures how long until it serves, and the
// memory once every active conversation wrote again (open loop at --rate).
func (h *harness) runScale(ctx context.Context, rep *Report) error {
	n := h.cfg.Conversations
	if h.cfg.MemProfile != "" {
		// Sample every 16 KiB rather than every 512 KiB: the items of a conversation actor are a
		// few hundred bytes each, and 100 000 of them must add up right in the profile.
		runtime.MemProfileRate = 16 << 10
	}
	h.names()
	stride := int(1/h.cfg.ActiveShare + 0.5)
	res := &ScaleResult{Conversations: n}
	rep.Scale = res
	if err := h.start(); err != nil {
		return err
	}
	if err := h.createOffices(ctx, false); err != nil {
		_ = h.stopEngine()
		return err
	}
	h.say("bench: seeding %d conversations (%d active in the last hour) through storage.Writer…", n, (n+stride-1)/stride)
	t0 := time.Now()
	if err := h.seed(ctx, n, stride); err != nil {
		_ = h.stopEngine()
		return err
	}
	res.SeedSeconds = time.Since(t0).Seconds()
	if err := h.stopEngine(); err != nil {
		return err
	}
	res.DiskBytes = dirSize(h.dataDir)
	debug.FreeOSMemory()
	res.Seeded = readMemory(false)
	peak := "the peak from here on is the restarted engine's"
	if !resetPeak() {
		peak = "the peak could not be reset: it includes the seeding's"
	}
	h.say("bench: seeded in %.1f s, %s on disk, RSS peak while seeding %s (%s); restarting the engine…",
		res.SeedSeconds, mib(res.DiskBytes), mib(res.Seeded.HWMBytes), peak)

	// Restart: time until the engine answers, then until one message round-trips.
	stopProfile, err := startProfiles(h.cfg.CPUProfile, h.cfg.Trace)
	if err != nil {
		return err
	}
	t0 = time.Now()
	if err := h.start(); err != nil {
		stopProfile()
		return err
	}
	res.HealthySeconds = time.Since(t0).Seconds()
	defer func() {
		if h.e != nil {
			_ = h.stopEngine()
		}
	}()
	sub, _, _ := h.e.Hub().Subscribe(h.offices[0], "bench-ready", "bench", nil, "", 0)
	if err := h.waitSessions(); err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	_, err = h.e.Sim().Deliver(dctx, h.offices[0], h.phone(0, 0), "ready-check", "oi")
	cancel()
	if err != nil {
		return fmt.Errorf("first message after restart: %w", err)
	}
	var (
		f      frame
		frames [][]byte
	)
	timeout := time.After(30 * time.Second)
wait:
	for {
		select {
		case b := <-sub.C: // one event, or a turn's events as an array
			frames = splitFrames(frames, b)
			for _, one := range frames {
				if parseFrame(one, &f) && string(f.typ) == "message.added" && string(f.direction) == "out" && string(f.conv) == h.phone(0, 0) {
					break wait
				}
			}
		case <-timeout:
			return fmt.Errorf("no reply to the first message after restart")
		}
	}
	res.ReadySeconds = time.Since(t0).Seconds()
	stopProfile()
	h.e.Hub().Unsubscribe(h.offices[0], sub)
	res.AfterRestart = readMemory(true)
	rep.MemoryBefore = &res.AfterRestart
	h.say("bench: restart: healthy in %.3f s, first message answered in %.3f s; RSS %s, heap %s",
		res.HealthySeconds, res.ReadySeconds, mib(res.AfterRestart.RSSBytes), mib(res.AfterRestart.HeapBytes))

	if err := h.follow(ctx); err != nil {
		h.stop()
		return err
	}
	active := (n + stride - 1) / stride
	res.Active = active
	offices := h.cfg.Offices
	pick := func(i uint64) (int, int) {
		g := int(i) * stride // global client number of the i-th active conversation
		return g % offices, g / offices
	}
	dur := time.Duration(float64(active) / h.cfg.Rate * float64(time.Second))
	h.say("bench: activating %d conversations: one message each at %.0f msg/s (%s)", active, h.cfg.Rate, dur.Round(time.Second))
	s := h.runStep(ctx, "activate", h.cfg.Rate, dur, pick)
	r := h.finish(s)
	rep.Run = &r
	rep.InboundRate = r.Throughput
	h.sayLatencies("activate", r)
	res.WithActive = readMemory(true)
	rep.MemoryAfter = &res.WithActive
	for _, id := range h.offices {
		if st, err := h.e.Actors().OfficeStats(ctx, id); err == nil {
			res.Actors += st.Conversations
		}
	}
	rep.ConversationActors = res.Actors
	if res.Actors > 0 {
		res.HeapPerActor = float64(res.WithActive.HeapBytes-res.AfterRestart.HeapBytes) / float64(res.Actors)
		rep.HeapPerConversation = res.HeapPerActor
		rep.ObjectsPerConversation = float64(res.WithActive.HeapObjects-res.AfterRestart.HeapObjects) / float64(res.Actors)
	}
	h.say("bench: with %d conversation actors running: RSS %s (peak %s), heap %s, %.0f B and %.1f objects of heap per actor",
		res.Actors, mib(res.WithActive.RSSBytes), mib(res.WithActive.HWMBytes), mib(res.WithActive.HeapBytes), res.HeapPerActor, rep.ObjectsPerConversation)
	if err := writeHeapProfile(h.cfg.MemProfile); err != nil {
		return err
	}
	h.stop()
	if h.cfg.Faults {
		rep.Faults = h.faultResult()
		h.say("bench: faults: %s", rep.Faults)
	}
	if err := h.passivation(ctx, res); err != nil {
		return err
	}
	h.stopEngineReport(rep)
	return nil
}

// passivation waits until every conversation actor passivated (the engine stops one between
// 1 and 1.25 × IdleAfter after its last message; up to 2 × IdleAfter, and a margin for the
// writes that passivation makes, are allowed) and measures the memory then.
func (h *harness) passivation(ctx context.Context, res *ScaleResult) error {
	h.say("bench: waiting for the idle conversations to passivate (--idle-after %s)…", h.cfg.IdleAfter)
	t0 := time.Now()
	deadline := t0.Add(2*h.cfg.IdleAfter + 10*time.Second)
	for {
		left := 0
		for _, id := range h.offices {
			st, err := h.e.Actors().OfficeStats(ctx, id)
			if err != nil {
				return fmt.Errorf("office stats: %w", err)
			}
			left += st.Conversations
		}
		res.ActorsLeft = left
		if left == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	res.PassivateSeconds = time.Since(t0).Seconds()
	res.Passivated = readMemory(true)
	h.say("bench: %d conversation actors left after %.0f s: RSS %s, heap %s",
		res.ActorsLeft, res.PassivateSeconds, mib(res.Passivated.RSSBytes), mib(res.Passivated.HeapBytes))
	return nil
}

// seed writes the conversations in batches of 1 000, four batches in flight.
func (h *harness) seed(ctx context.Context, n, stride int) error {
	const per = 1000
	now := time.Now()
	offices := h.cfg.Offices
	// The records hold the copy of the contact the engine would have read (at the office's
	// first contacts generation: the seeding writes contacts behind no office change).
	company := []balcao.CompanyRef{{ID: companyID, Name: "Padaria Bench Ltda", CNPJ: balcao.CNPJCheckDigits("112223330001"), Assistant: true}}
	jobs := make(chan int)
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range jobs {
				b := &storage.Batch{}
				for g := start; g < min(start+per, n); g++ {
					o, k := g%offices, g/offices
					office, p := h.offices[o], phone(g)
					last := now.Add(-30*24*time.Hour - time.Duration(g)*time.Second)
					if g%stride == 0 {
						last = now.Add(-time.Duration(g%3600) * time.Second)
					}
					name := fmt.Sprintf("Cliente %d", k)
					b.Put(storage.ContactKey(office, p), &balcao.Contact{Phone: p, Name: name, Companies: []string{companyID}, CreatedAt: last})
					b.Set(storage.CompanyContactKey(office, companyID, p), nil)
					in := balcao.Message{Seq: 1, Direction: balcao.Inbound, Author: balcao.AuthorClient, Text: "oi", WAID: "seed" + p, At: last}
					out := balcao.Message{Seq: 2, Direction: balcao.Outbound, Author: balcao.AuthorAssistant, Text: "Olá! Como posso ajudar?", WAID: "seedout" + p, Status: balcao.StatusQueued, At: last}
					b.Put(storage.MessageKey(office, p, 1), &in)
					b.Set(storage.WhatsAppIDKey(office, p, in.WAID), seqBytes(1))
					b.Put(storage.MessageKey(office, p, 2), &out)
					b.Set(storage.WhatsAppIDKey(office, p, out.WAID), seqBytes(2))
					b.Put(storage.MessageStatusKey(office, p, 2), &storage.Delivery{Status: balcao.StatusDelivered, StatusAt: storage.StatusTimes{Delivered: last}})
					b.Put(storage.ConversationKey(office, p), &balcao.Conversation{
						ID: p, State: balcao.StateAssistant, Linked: true, ContactName: name, Companies: company,
						LastSeq: 2, LastAt: last, Preview: out.Text, StateSince: last, CreatedAt: last,
						InboundAt: last, InboundKnown: true, ContactGen: 1,
					})
					b.Set(storage.IndexKey(office, balcao.TabContacts, last, p), nil)
				}
				if err := h.e.DB().Writer.Commit(ctx, b); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	t := time.Now()
	var err error
feed:
	for start := 0; start < n; start += per {
		select {
		case jobs <- start:
		case err = <-errc:
			break feed
		}
		if time.Since(t) > time.Second {
			t = time.Now()
			h.say("  seeded %d/%d", start, n)
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case e := <-errc:
		if err == nil {
			err = e
		}
	default:
	}
	return err
}

func seqBytes(n uint64) []byte {
	return []byte{byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
