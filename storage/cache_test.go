package storage

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
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
