package storage_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

func open(t *testing.T, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestWriterCallbacksInOrderAndDurable: many goroutines submit; every callback runs once, in
// submission order per submitter, and everything is there after a reopen.
func TestWriterCallbacksInOrderAndDurable(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	const writers, each = 16, 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	last := make([]int, writers)
	bad := 0
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done := make(chan struct{}, each)
			for i := range each {
				b := &storage.Batch{}
				b.Put(storage.MessageKey("o1", fmt.Sprintf("55489999%05d", w), uint64(i+1)), &balcao.Message{Seq: uint64(i + 1), Text: "x"})
				err := db.Writer.Submit(b, func(err error) {
					mu.Lock()
					if err != nil || last[w] != i {
						bad++
					}
					last[w] = i + 1
					mu.Unlock()
					done <- struct{}{}
				})
				if err != nil {
					t.Error(err)
				}
			}
			for range each {
				<-done
			}
		}()
	}
	wg.Wait()
	if bad != 0 {
		t.Fatalf("%d callbacks out of order or failed", bad)
	}
	st := db.Writer.Stats()
	batches, commits := st.Batches, st.Commits
	if batches != writers*each || commits == 0 || commits > batches {
		t.Fatalf("stats = %d batches in %d commits", batches, commits)
	}
	var timed uint64
	for _, n := range st.Durable {
		timed += n
	}
	if timed != commits || st.DurableQuantile(1) == 0 {
		t.Fatalf("durable histogram holds %d commits (max %s), want %d", timed, st.DurableQuantile(1), commits)
	}
	ps := db.Stats()
	// One fsync may cover several pipelined commits.
	if n := len(ps.Fsyncs); n == 0 || ps.Fsyncs[n-1] == 0 || ps.FsyncQuantile(1) == 0 {
		t.Fatalf("store stats count no fsyncs: %v", ps.Fsyncs)
	}
	t.Logf("%d batches in %d pebble commits, durable p99 ≤ %s, fsync p99 ≤ %s", batches, commits, st.DurableQuantile(0.99), ps.FsyncQuantile(0.99))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	defer db.Close()
	for w := range writers {
		msgs, more, err := db.Messages("o1", fmt.Sprintf("55489999%05d", w), 0, 1000)
		if err != nil || more || len(msgs) != each {
			t.Fatalf("writer %d: %d messages, more=%v, err=%v", w, len(msgs), more, err)
		}
	}
}

func TestWriterBarrierAndClose(t *testing.T) {
	db := open(t, t.TempDir())
	b := &storage.Batch{}
	b.Set([]byte("office/x"), []byte("v"))
	var order []string
	var mu sync.Mutex
	ch := make(chan struct{}, 2)
	note := func(s string) func(error) {
		return func(error) { mu.Lock(); order = append(order, s); mu.Unlock(); ch <- struct{}{} }
	}
	_ = db.Writer.Submit(b, note("write"))
	_ = db.Writer.Submit(nil, note("barrier"))
	<-ch
	<-ch
	if fmt.Sprint(order) != "[write barrier]" {
		t.Fatalf("order = %v", order)
	}
	if err := db.Writer.Commit(context.Background(), &storage.Batch{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Writer.Submit(b, nil); !errors.Is(err, balcao.ErrClosed) {
		t.Fatalf("submit after close = %v, want ErrClosed", err)
	}
}

func TestMessagesAndConversationPages(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	b := &storage.Batch{}
	for i := uint64(1); i <= 7; i++ {
		b.Put(storage.MessageKey("o1", "5548999990001", i), &balcao.Message{Seq: i})
	}
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		phone := fmt.Sprintf("554899999000%d", i)
		at := base.Add(time.Duration(i) * time.Minute)
		b.Put(storage.ConversationKey("o1", phone), &balcao.Conversation{ID: phone, LastAt: at})
		b.Set(storage.IndexKey("o1", balcao.TabContacts, at, phone), nil)
		b.Set(storage.IndexKey("o1", balcao.TabPending, at, phone), nil)
	}
	if err := db.Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	page, more, _ := db.Messages("o1", "5548999990001", 0, 3)
	if !more || len(page) != 3 || page[0].Seq != 5 || page[2].Seq != 7 {
		t.Fatalf("newest page = %+v more=%v", page, more)
	}
	page, more, _ = db.Messages("o1", "5548999990001", 5, 10)
	if more || len(page) != 4 || page[0].Seq != 1 || page[3].Seq != 4 {
		t.Fatalf("older page = %+v more=%v", page, more)
	}
	var got []string
	cursor := ""
	for {
		list, next, err := db.Conversations("o1", balcao.TabContacts, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			got = append(got, c.ID[len(c.ID)-1:])
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if fmt.Sprint(got) != "[4 3 2 1 0]" {
		t.Fatalf("contatos pages = %v, want newest first", got)
	}
	list, _, _ := db.Conversations("o1", balcao.TabPending, "", 10)
	if len(list) != 5 || list[0].ID != "5548999990000" {
		t.Fatalf("pendentes = %d, first %v; want oldest first", len(list), list)
	}
	if _, _, err := db.Conversations("o1", balcao.TabPending, "bm9wZQ", 10); !errors.Is(err, balcao.ErrInvalid) {
		t.Fatalf("foreign cursor = %v, want ErrInvalid", err)
	}
	if _, _, err := db.Conversations("o2", balcao.TabPending, cursorOf(t, db), 10); !errors.Is(err, balcao.ErrInvalid) {
		t.Fatalf("another office's cursor = %v, want ErrInvalid", err)
	}
}

// TestDeliveryRecordsOverlayTheirMessages: a reply is stored once, queued; its later progress
// lives in a delivery record that Message and every page of Messages read over it. A message
// stored with its progress inside (before these records) keeps it; a record of another
// conversation, or of a message outside the page, changes nothing.
func TestDeliveryRecordsOverlayTheirMessages(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	const phone, other = "5548999990001", "5548999990002"
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	b := &storage.Batch{}
	for i := uint64(1); i <= 9; i++ {
		m := balcao.Message{Seq: i, Direction: balcao.Outbound, Text: fmt.Sprint("reply ", i), Status: balcao.StatusQueued, At: at}
		if i == 3 { // stored before delivery records: its progress is in the message
			m.Status, m.StatusAt = balcao.StatusSent, map[string]time.Time{balcao.StatusSent: at}
		}
		b.Put(storage.MessageKey("o1", phone, i), &m)
		b.Put(storage.MessageKey("o1", other, i), &m)
	}
	delivered := func(i int) *storage.Delivery {
		return &storage.Delivery{Status: balcao.StatusDelivered, StatusAt: storage.StatusTimes{
			Sent: at.Add(time.Duration(i) * time.Second), Delivered: at.Add(time.Duration(i) * time.Minute)}}
	}
	for _, i := range []int{2, 5, 6, 9} {
		b.Put(storage.MessageStatusKey("o1", phone, uint64(i)), delivered(i))
	}
	b.Put(storage.MessageStatusKey("o1", other, 4), delivered(4))
	b.Put(storage.MessageStatusKey("o1", phone, 10), delivered(10)) // no message 10
	if err := db.Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	want := func(i uint64) string {
		switch i {
		case 2, 5, 6, 9:
			return fmt.Sprintf("%d delivered %s %s", i, at.Add(time.Duration(i)*time.Second).Format(time.TimeOnly), at.Add(time.Duration(i)*time.Minute).Format(time.TimeOnly))
		case 3:
			return "3 sent 10:00:00 -"
		}
		return fmt.Sprintf("%d queued - -", i)
	}
	show := func(m balcao.Message) string {
		f := func(s string) string {
			if t, ok := m.StatusAt[s]; ok {
				return t.Format(time.TimeOnly)
			}
			return "-"
		}
		if m.Text != fmt.Sprint("reply ", m.Seq) {
			return fmt.Sprintf("%d lost its text: %q", m.Seq, m.Text)
		}
		return fmt.Sprintf("%d %s %s %s", m.Seq, m.Status, f(balcao.StatusSent), f(balcao.StatusDelivered))
	}
	for before, limit := range map[uint64]int{0: 4, 6: 3, 4: 10, 10: 9} {
		page, _, err := db.Messages("o1", phone, before, limit)
		if err != nil || len(page) == 0 {
			t.Fatalf("page before %d: %d messages, %v", before, len(page), err)
		}
		for _, m := range page {
			if got := show(m); got != want(m.Seq) {
				t.Errorf("page before %d, limit %d: %s, want %s", before, limit, got, want(m.Seq))
			}
		}
	}
	for i := uint64(1); i <= 9; i++ {
		m, err := db.Message("o1", phone, i)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(m); got != want(i) {
			t.Errorf("Message(%d) = %s, want %s", i, got, want(i))
		}
	}
	if m, err := db.Message("o1", other, 5); err != nil || m.Status != balcao.StatusQueued {
		t.Errorf("the other conversation's message 5 = %s, %v; want queued", show(m), err)
	}
	if m, err := db.Message("o1", other, 4); err != nil || m.Status != balcao.StatusDelivered {
		t.Errorf("the other conversation's message 4 = %s, %v; want delivered", show(m), err)
	}

	// A delivery record that does not decode is an error, not a status silently dropped.
	b = &storage.Batch{}
	b.Set(storage.MessageStatusKey("o1", other, 7), []byte{0xc1}) // msgpack's never-used byte
	if err := db.Writer.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Messages("o1", other, 0, 10); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Errorf("a page with a broken delivery record: %v, want a decode error", err)
	}
	if _, err := db.Message("o1", other, 7); err == nil {
		t.Error("a message with a broken delivery record read without error")
	}
	if m, err := db.Message("o1", other, 6); err != nil || m.Status != balcao.StatusQueued {
		t.Errorf("its neighbour = %s, %v; want queued, read as ever", show(m), err)
	}
}

func cursorOf(t *testing.T, db *storage.DB) string {
	_, next, err := db.Conversations("o1", balcao.TabPending, "", 1)
	if err != nil || next == "" {
		t.Fatalf("cursor: %q %v", next, err)
	}
	return next
}

func TestKeys(t *testing.T) {
	k := storage.OutboxKey("demo", "5548999990001", 42)
	phone, seq, ok := storage.ParseOutboxKey("demo", k)
	if !ok || phone != "5548999990001" || seq != 42 {
		t.Fatalf("ParseOutboxKey(%q) = %q %d %v", k, phone, seq, ok)
	}
	if _, _, ok := storage.ParseOutboxKey("demo", []byte("o/demo/outbox/x")); ok {
		t.Fatal("ParseOutboxKey accepted a short key")
	}
	if got := string(storage.PrefixEnd([]byte("o/a/"))); got != "o/a0" {
		t.Fatalf("PrefixEnd = %q", got)
	}
	if got := storage.PrefixEnd([]byte{0xff, 0xff}); got != nil {
		t.Fatalf("PrefixEnd(ff ff) = %v, want nil", got)
	}
}

// TestSettingsSavedAndReread: defaults before any save; a save is what the next read (cached)
// returns, and what a reopened database reads from disk.
func TestSettingsSavedAndReread(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	s, err := db.Settings("o1")
	if err != nil || s.Rule("das") != balcao.RuleAuto || len(s.Hours) == 0 {
		t.Fatalf("defaults = %+v, %v", s, err)
	}
	want := balcao.DefaultSettings()
	want.Rules["das"] = balcao.RuleConfirm
	want.Survey = true
	if err := db.SaveSettings(context.Background(), "o1", want); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Settings("o1"); s.Rule("das") != balcao.RuleConfirm || !s.Survey {
		t.Fatalf("after save = %+v", s)
	}
	db.Close()
	db = open(t, dir)
	defer db.Close()
	if s, _ := db.Settings("o1"); s.Rule("das") != balcao.RuleConfirm || !s.Survey {
		t.Fatalf("after reopen = %+v", s)
	}
	if s, _ := db.Settings("o2"); s.Rule("das") != balcao.RuleAuto {
		t.Fatalf("another office = %+v", s)
	}
}

// TestWriterGroupKeepsLastChange: batches merged into one Pebble commit, their changes applied
// in key order, still leave each key as the last change submitted made it, whether that change
// came in a later batch or later in the same one.
func TestWriterGroupKeepsLastChange(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	const keys, batches = 8, 2000
	key := func(i int) []byte { return storage.ConversationKey("o1", fmt.Sprintf("5548999900%03d", i)) }
	want := map[int]string{} // key index → value; absent: deleted
	rng := rand.New(rand.NewPCG(7, 7))
	done := make(chan error, batches)
	for n := range batches {
		b := &storage.Batch{}
		for range 1 + rng.IntN(4) {
			i := rng.IntN(keys)
			if rng.IntN(3) == 0 {
				b.Delete(key(i))
				delete(want, i)
			} else {
				v := fmt.Sprintf("v%d-%d", n, i)
				b.Set(key(i), []byte(v))
				want[i] = v
			}
		}
		if err := db.Writer.Submit(b, func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
	}
	for range batches {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if st := db.Writer.Stats(); st.Commits >= st.Batches {
		t.Fatalf("%d batches in %d commits: nothing was grouped, the test proves nothing", st.Batches, st.Commits)
	}
	for i := range keys {
		got, err := db.Value(key(i))
		v, ok := want[i]
		switch {
		case !ok && !errors.Is(err, balcao.ErrNotFound):
			t.Errorf("key %d: got %q, %v; want it deleted", i, got, err)
		case ok && (err != nil || string(got) != v):
			t.Errorf("key %d: got %q, %v; want %q", i, got, err, v)
		}
	}
}

// TestSettleFlushesWhatWasWritten: Settle commits what is queued, flushes the memtable into
// sstables and returns once no compaction runs; the data reads the same afterwards.
func TestSettleFlushesWhatWasWritten(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	b := &storage.Batch{}
	for i := range 1000 {
		b.Put(storage.MessageKey("o1", "5548999990001", uint64(i+1)), &balcao.Message{Seq: uint64(i + 1), Text: "settle"})
	}
	if err := db.Writer.Submit(b, nil); err != nil {
		t.Fatal(err)
	}
	before := db.Stats()
	if err := db.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := db.Stats().Sub(before); got.Flushes == 0 {
		t.Fatalf("settle flushed nothing: %+v", got)
	}
	if m, err := db.Message("o1", "5548999990001", 1000); err != nil || m.Text != "settle" {
		t.Fatalf("after settling: %+v, %v", m, err)
	}
}

// TestLargeValuesLiveInBlobFiles: values of 256 bytes and more go to blob files at flush
// (storage.Options); overwritten, flushed, compacted and reopened, every record reads its last
// value.
func TestLargeValuesLiveInBlobFiles(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	const n = 2000
	text := func(round, i int) string { return fmt.Sprintf("%d/%d %s", round, i, strings.Repeat("x", 300)) }
	for round := range 3 {
		b := &storage.Batch{}
		for i := range n {
			if round > 0 && i%round != 0 {
				continue // later rounds overwrite some of them: garbage in the older blob files
			}
			b.Put(storage.MessageKey("o1", "5548999990001", uint64(i+1)), &balcao.Message{Seq: uint64(i + 1), Text: text(round, i)})
		}
		if err := db.Writer.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if err := db.Settle(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	blobs, _ := filepath.Glob(filepath.Join(dir, "*.blob"))
	if len(blobs) == 0 {
		t.Error("no blob files: large values are not separated")
	}
	db = open(t, dir)
	defer db.Close()
	for i := range n {
		last := 0
		for round := 2; round > 0; round-- {
			if i%round == 0 {
				last = round
				break
			}
		}
		m, err := db.Message("o1", "5548999990001", uint64(i+1))
		if err != nil || m.Text != text(last, i) {
			t.Fatalf("message %d after reopening: %.20q, %v; want round %d", i+1, m.Text, err, last)
		}
	}
}

// TestStaffReadsFollowTheirChanges: Staff keeps accounts decoded after the first read; a
// PutStaff or DeleteStaff is seen by the next read, also after a reopen.
func TestStaffReadsFollowTheirChanges(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	ctx := context.Background()
	if _, err := db.Staff("o1", "ana"); !errors.Is(err, balcao.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if err := db.PutStaff(ctx, "o1", balcao.Staff{User: "ana", Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Staff("o1", "ana"); err != nil || s.Name != "Ana" {
		t.Fatalf("after PutStaff: %+v, %v (a miss was remembered)", s, err)
	}
	if err := db.PutStaff(ctx, "o1", balcao.Staff{User: "ana", Name: "Ana Paula"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Staff("o1", "ana"); s.Name != "Ana Paula" {
		t.Fatalf("after renaming: %q", s.Name)
	}
	if s, _ := db.Staff("o2", "ana"); s.Name != "" {
		t.Fatalf("another office's ana: %+v", s)
	}
	db.Close()
	db = open(t, dir)
	defer db.Close()
	if s, _ := db.Staff("o1", "ana"); s.Name != "Ana Paula" {
		t.Fatalf("after reopening: %q", s.Name)
	}
	if err := db.DeleteStaff(ctx, "o1", "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Staff("o1", "ana"); !errors.Is(err, balcao.ErrNotFound) {
		t.Fatalf("after DeleteStaff: %v", err)
	}
}

// TestSettingsReadBackAsSaved: after a restart Settings returns what was saved, not the saved
// record decoded over the defaults (a stored map merged into the default hours, an empty one
// not stored at all): an office closed on thursdays and fridays, or every day, stays so.
func TestSettingsReadBackAsSaved(t *testing.T) {
	day := []balcao.Interval{{From: "09:00", To: "17:00"}}
	for name, hours := range map[string]map[string][]balcao.Interval{
		"three days": {"mon": day, "tue": day, "wed": day},
		"closed":     {},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := open(t, dir)
			s := balcao.DefaultSettings()
			s.Hours = hours
			if err := db.SaveSettings(context.Background(), "o1", s); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = open(t, dir)
			defer db.Close()
			got, err := db.Settings("o1")
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.Hours) != fmt.Sprint(hours) {
				t.Errorf("hours saved %v, read after a restart %v", hours, got.Hours)
			}
			if fmt.Sprint(got) != fmt.Sprint(s) {
				t.Errorf("settings saved %+v, read after a restart %+v", s, got)
			}
		})
	}
}
