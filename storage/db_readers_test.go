package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// TestCloseWaitsForReadsAndRefusesLaterOnes: Close waits for a Scan under way, which sees
// every key; the reads that begin once Close began (a Get, a Scan, a read inside that Scan, a
// page of services, a Settle) get balcao.ErrClosed instead of Pebble's panic on a closed
// database, as does a second Close; a write submitted while the reads drain lands.
func TestCloseWaitsForReadsAndRefusesLaterOnes(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	b := &storage.Batch{}
	for i := range 3 {
		b.Put(storage.CannedKey("o1", fmt.Sprint(i)), &balcao.CannedAnswer{ID: fmt.Sprint(i), Shortcut: fmt.Sprint("s", i), Text: "x"})
	}
	start := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	b.Put(storage.ServiceKey("o1", start, "sv1"), &balcao.Service{ID: "sv1", Start: start, End: start.Add(time.Minute)})
	if err := db.Writer.CommitSettled(b); err != nil {
		t.Fatal(err)
	}

	inScan, release := make(chan struct{}), make(chan struct{})
	var seen int
	var nestedErr, scanErr error
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		scanErr = db.Scan(storage.CannedPrefix("o1"), nil, false, func(k, _ []byte) bool {
			if seen++; seen == 1 {
				close(inScan)
				<-release
				_, nestedErr = db.Has(storage.CannedKey("o1", "0"))
			}
			return true
		})
	}()
	<-inScan
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()

	// Close began once reads are refused; it cannot end while the Scan holds its iterator.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := db.Has(storage.CannedKey("o1", "0"))
		if errors.Is(err, balcao.ErrClosed) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("Has while closing = %v, want balcao.ErrClosed", err)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a Scan was under way", err)
	default:
	}
	landed := make(chan error, 1)
	w := &storage.Batch{}
	w.Put(storage.CannedKey("o1", "late"), &balcao.CannedAnswer{ID: "late", Shortcut: "late", Text: "x"})
	if err := db.Writer.Submit(w, func(err error) { landed <- err }); err != nil {
		t.Fatalf("submit while reads drain: %v", err)
	}
	var c balcao.CannedAnswer
	if err := db.Get(storage.CannedKey("o1", "1"), &c); !errors.Is(err, balcao.ErrClosed) {
		t.Errorf("Get while closing = %v, want balcao.ErrClosed", err)
	}
	if _, err := db.CannedAnswers("o1"); !errors.Is(err, balcao.ErrClosed) {
		t.Errorf("Scan while closing = %v, want balcao.ErrClosed", err)
	}

	close(release)
	<-scanned
	if scanErr != nil || seen != 3 {
		t.Errorf("Scan under way at Close = %v after %d keys, want nil after 3", scanErr, seen)
	}
	if !errors.Is(nestedErr, balcao.ErrClosed) {
		t.Errorf("read inside the Scan after Close began = %v, want balcao.ErrClosed", nestedErr)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := <-landed; err != nil {
		t.Errorf("write submitted while reads drained = %v", err)
	}

	err := db.Services("o1", start, start.Add(time.Hour), "", func(string, balcao.Service) bool { return true })
	if !errors.Is(err, balcao.ErrClosed) {
		t.Errorf("Services after Close = %v, want balcao.ErrClosed", err)
	}
	if err := db.Settle(context.Background()); !errors.Is(err, balcao.ErrClosed) {
		t.Errorf("Settle after Close = %v, want balcao.ErrClosed", err)
	}
	if err := db.Close(); !errors.Is(err, balcao.ErrClosed) {
		t.Errorf("second Close = %v, want balcao.ErrClosed", err)
	}

	db = open(t, dir)
	defer db.Close()
	all, err := db.CannedAnswers("o1")
	if err != nil || len(all) != 4 {
		t.Fatalf("after reopen: %d canned answers (%v), want 4", len(all), err)
	}
}

// TestReadsRaceClose: reads from many goroutines while Close runs each end with their
// result or balcao.ErrClosed, never a panic, and Close reports no iterator left open.
func TestReadsRaceClose(t *testing.T) {
	db := open(t, t.TempDir())
	b := &storage.Batch{}
	for i := range 50 {
		b.Put(storage.CannedKey("o1", fmt.Sprint(i)), &balcao.CannedAnswer{ID: fmt.Sprint(i), Shortcut: fmt.Sprint("s", i), Text: "x"})
	}
	if err := db.Writer.CommitSettled(b); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for g := range 8 {
		wg.Go(func() {
			<-ready
			for i := 0; ; i++ {
				var err error
				if g%2 == 0 {
					_, err = db.CannedAnswers("o1")
				} else {
					var c balcao.CannedAnswer
					err = db.Get(storage.CannedKey("o1", fmt.Sprint(i%50)), &c)
				}
				if errors.Is(err, balcao.ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("read = %v", err)
					return
				}
			}
		})
	}
	close(ready)
	if err := db.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	wg.Wait()
}
