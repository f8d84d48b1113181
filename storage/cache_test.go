package storage

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
)

// TestDecodedFollowsItsWrites: a record is read once; a write replaces it, a failed write or a
// removal makes the next get read again, errors are not kept, and a miss during a write waits
// for it instead of storing what it replaced.
func TestDecodedFollowsItsWrites(t *testing.T) {
	var d decoded[string]
	var stored atomic.Value
	stored.Store("old")
	reads := 0
	read := func() (string, error) { reads++; return stored.Load().(string), nil }

	if _, err := d.get("k", func() (string, error) { return "", errors.New("disk") }); err == nil {
		t.Fatal("the read's error was lost")
	}
	if v, _ := d.get("k", read); v != "old" || reads != 1 {
		t.Fatalf("get = %q after %d reads", v, reads)
	}
	if v, _ := d.get("k", read); v != "old" || reads != 1 {
		t.Fatalf("second get = %q after %d reads, want no read", v, reads)
	}

	inWrite, release, wrote := make(chan struct{}), make(chan struct{}), make(chan error)
	d.m.Delete("k") // a miss, while the write below is under way
	go func() {
		wrote <- d.write("k", "new", false, func() error { close(inWrite); <-release; stored.Store("new"); return nil })
	}()
	<-inWrite
	got := make(chan string)
	go func() { v, _ := d.get("k", read); got <- v }()
	time.Sleep(20 * time.Millisecond) // time for a get that did not wait to read "old"
	close(release)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "new" {
		t.Fatalf("a miss during the write got %q, want the written value", v)
	}

	if err := d.write("k", "lost", false, func() error { return errors.New("disk") }); err == nil {
		t.Fatal("the write's error was lost")
	}
	if v, _ := d.get("k", read); v != "new" {
		t.Fatalf("after a failed write: %q, want the stored value read again", v)
	}
	stored.Store("")
	if err := d.write("k", "", true, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	before := reads
	if _, _ = d.get("k", read); reads != before+1 {
		t.Fatal("a removed record was not read again")
	}
}

// stallWriter holds w as a slow WAL fsync does: its sync goroutine is in a callback, its
// in-flight queue is full and its commit goroutine holds one more group it cannot hand over,
// so that a batch submitted next waits in the queue, not applied. It returns the function
// that lets the writer go on.
func stallWriter(t *testing.T, w *Writer) (release func()) {
	t.Helper()
	entered, held := make(chan struct{}), make(chan struct{})
	if err := w.Submit(nil, func(error) { close(entered); <-held }); err != nil {
		t.Fatal(err)
	}
	<-entered
	for len(w.inflight) < cap(w.inflight) {
		w.inflight <- group{}
	}
	if err := w.Submit(nil, nil); err != nil { // taken by the commit goroutine, which blocks
		t.Fatal(err)
	}
	for len(w.reqs) > 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond) // until it blocks handing its group over
	return func() { close(held) }
}

// TestCachedRecordsWriteSettlesPastTheirContext: a staff account deleted, or settings saved,
// by a request whose context ends while the batch waits in a slow writer: the call returns
// only once the batch is durable (it lands anyway), so that a read meanwhile (a turn reading
// the settings, a request of the deleted account) cannot cache the record it replaces. The
// deletion returned the context's error at once, the read cached the account, and the account
// deleted on disk went on authenticating until a restart.
func TestCachedRecordsWriteSettlesPastTheirContext(t *testing.T) {
	cases := []struct {
		name  string
		setup func(*DB) error
		write func(context.Context, *DB) error
		read  func(*DB) error
		check func(*testing.T, *DB)
	}{{
		name:  "staff deleted",
		setup: func(db *DB) error { return db.PutStaff(context.Background(), "o1", balcao.Staff{User: "ana"}) },
		write: func(ctx context.Context, db *DB) error { return db.DeleteStaff(ctx, "o1", "ana") },
		read:  func(db *DB) error { _, err := db.Staff("o1", "ana"); return err },
		check: func(t *testing.T, db *DB) {
			if st, err := db.Staff("o1", "ana"); !errors.Is(err, balcao.ErrNotFound) {
				t.Errorf("the deleted account is still served: %+v, %v", st, err)
			}
		},
	}, {
		name:  "settings saved",
		setup: func(db *DB) error { return db.SaveSettings(context.Background(), "o1", balcao.DefaultSettings()) },
		write: func(ctx context.Context, db *DB) error {
			s := balcao.DefaultSettings()
			s.Survey = true
			return db.SaveSettings(ctx, "o1", s)
		},
		read: func(db *DB) error { _, err := db.Settings("o1"); return err },
		check: func(t *testing.T, db *DB) {
			if s, _ := db.Settings("o1"); !s.Survey {
				t.Error("the settings saved are not the ones served")
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := tc.setup(db); err != nil {
				t.Fatal(err)
			}
			if err := tc.read(db); err != nil { // cached
				t.Fatal(err)
			}
			release := stallWriter(t, db.Writer)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the browser went away
			wrote := make(chan error, 1)
			go func() { wrote <- tc.write(ctx, db) }()
			// Its batch waits in the writer (in the queue, or in the group the commit goroutine
			// holds) once submitted, a moment after the call began.
			for end := time.Now().Add(time.Second); len(db.Writer.reqs) == 0 && len(wrote) == 0 && time.Now().Before(end); {
				time.Sleep(time.Millisecond)
			}
			read := make(chan error, 1)
			go func() { read <- tc.read(db) }()
			release()
			if err := <-wrote; err != nil {
				t.Fatalf("write: %v", err)
			}
			<-read
			tc.check(t, db)
		})
	}
}
