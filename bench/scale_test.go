package bench

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/engine"
	"github.com/balcao/balcao/storage"
)

// TestScaleRun runs the storage-scale mode small: 2 000 conversations seeded across 2 offices,
// a tenth active in the last hour; the engine restarts on them, answers, each active
// conversation writes again (with faults), then every actor passivates. The seeded conversations
// are read after the restart, not started anew.
func TestScaleRun(t *testing.T) {
	dir := t.TempDir()
	var progress bytes.Buffer
	cfg := Config{
		DataDir: dir + "/data", Offices: 2, Conversations: 2000, ActiveShare: 0.1, Rate: 1000, Staff: 1,
		Faults: true, FaultRate: 0.1, IdleAfter: 2 * time.Second, PebbleDuration: 200 * time.Millisecond, PebbleWriters: 4,
		ResultsDir: dir + "/results", Progress: &progress,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	s := rep.Scale
	if s == nil || s.Conversations != 2000 || s.Active != 200 || rep.Config.Phones != 1000 || s.DiskBytes <= 0 {
		t.Fatalf("scale %+v, config %+v: want 2 000 conversations, 200 active, 1 000 phones an office", s, rep.Config)
	}
	if s.HealthySeconds <= 0 || s.ReadySeconds < s.HealthySeconds {
		t.Errorf("restart: healthy after %v s, ready after %v s", s.HealthySeconds, s.ReadySeconds)
	}
	if r := rep.Run; r == nil || r.Acked != 200 || r.Failed != 0 || r.Reply.Count == 0 {
		t.Errorf("activation %+v: want 200 messages acknowledged and answered", r)
	}
	if s.Actors < 200 || rep.ConversationActors != s.Actors || s.WithActive.RSSBytes <= 0 || s.WithActive.HeapBytes <= 0 {
		t.Errorf("%d actors running (report %d), memory %+v", s.Actors, rep.ConversationActors, s.WithActive)
	}
	if s.ActorsLeft != 0 || s.Passivated.RSSBytes <= 0 {
		t.Errorf("%d actors left after %.1f s of idleness, memory %+v", s.ActorsLeft, s.PassivateSeconds, s.Passivated)
	}
	if f := rep.Faults; f == nil || f.Requests == 0 || len(f.Unexpected) != 0 {
		t.Errorf("faults %+v: want bad requests sent and each rejected as expected", f)
	}
	if rep.Pebble == nil || rep.Pebble.Commits == 0 || !summaryRE.MatchString(rep.Summary) {
		t.Errorf("pebble %+v, summary %q", rep.Pebble, rep.Summary)
	}
	if filepath.Base(rep.JSONPath) != "scale-"+rep.Started.Format("20060102-150405")+".json" {
		t.Errorf("result written to %s", rep.JSONPath)
	}
	for _, p := range []string{rep.JSONPath, rep.SVGPath} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v, want a non-empty file", p, err)
		}
	}
	for _, want := range []string{"bench: restart: healthy in ", "bench: activate: reply ", "bench: faults: ", "conversation actors left after"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress says nothing of %q:\n%s", want, progress.String())
		}
	}
	// The seeded conversations were read after the restart: an active one went on after its two
	// seeded messages (with the ready check's turn and the activation's), an idle one kept its two.
	db, err := storage.Open(engine.PebbleDir(cfg.DataDir), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, _, err := db.Messages(officeID(0), phone(0), 0, 50)
	var inbound int
	for _, m := range msgs {
		if m.Direction == balcao.Inbound {
			inbound++
		}
	}
	if err != nil || len(msgs) < 6 || msgs[1].Text != "Olá! Como posso ajudar?" || inbound != 3 {
		t.Errorf("active conversation after the run: %d messages (%d inbound), %v; want the 2 seeded ones, then 2 turns", len(msgs), inbound, err)
	}
	idle, err := db.Conversation(officeID(1), phone(1))
	if err != nil || idle.LastSeq != 2 {
		t.Errorf("idle conversation after the run: last seq %d, %v; want 2", idle.LastSeq, err)
	}
}
