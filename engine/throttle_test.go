package engine

import (
	"fmt"
	"testing"
	"time"
)

// fail records a wrong password for an account at a time; false when the check was refused.
func (l *loginThrottle) fail(key throttleKey, at time.Time) bool {
	if !l.begin(key, func() time.Time { return at }) {
		return false
	}
	l.end(key, checkWrong)
	return true
}

// TestThrottleKeepsLiveWindowsWhenFull: a full throttle drops only expired windows. Failed
// logins under junk names cannot lift an account's block: while no window has expired, an
// account without one is refused, and the blocked account stays blocked until its own window
// passes.
func TestThrottleKeepsLiveWindowsWhenFull(t *testing.T) {
	var l loginThrottle
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range maxAccounts / 2 { // an early half, expired by the end
		l.fail(accountKey("demo", fmt.Sprintf("early-%d", i)), t0)
	}
	target := accountKey("demo", "ana")
	at := t0.Add(time.Minute)
	for range maxFailures {
		if !l.fail(target, at) {
			t.Fatal("an attempt within the limit was refused")
		}
	}
	for i := 0; len(l.failures) < maxAccounts; i++ {
		if !l.fail(accountKey("demo", fmt.Sprintf("late-%d", i)), at) {
			t.Fatalf("refused with %d windows, want room up to %d", len(l.failures), maxAccounts)
		}
	}
	if l.fail(target, at) {
		t.Fatal("a blocked account was allowed another attempt")
	}
	if l.fail(accountKey("demo", "junk"), at.Add(time.Second)) {
		t.Fatal("a full throttle with no expired window took a new account")
	}
	if l.fail(target, at.Add(time.Second)) {
		t.Fatal("filling the throttle lifted an account's block")
	}
	later := t0.Add(failureSpan) // the early half expired; the target's window has not
	if !l.fail(accountKey("demo", "junk"), later) {
		t.Fatal("a full throttle with expired windows refused a new account")
	}
	if got := len(l.failures); got != maxAccounts/2+1 {
		t.Errorf("windows after the sweep = %d, want %d (the live ones and the new)", got, maxAccounts/2+1)
	}
	if l.fail(target, later) {
		t.Fatal("the sweep lifted a live block")
	}
	if !l.fail(target, at.Add(failureSpan)) {
		t.Fatal("an account is still blocked after its window passed")
	}
}

// TestThrottleWaitsForChecksThatMayFail: with as many checks of an account under way as it
// has attempts left, one more waits for them instead of running or being refused: it runs when
// one was a right password (people logging in at once), and is refused when they all were
// wrong (guesses sent at once). A check that did not happen is not counted.
func TestThrottleWaitsForChecksThatMayFail(t *testing.T) {
	var l loginThrottle
	key := accountKey("demo", "ana")
	for i := range maxFailures {
		if !l.begin(key, time.Now) {
			t.Fatalf("check %d refused, want %d allowed", i+1, maxFailures)
		}
	}
	next := make(chan bool)
	go func() { next <- l.begin(key, time.Now) }()
	select {
	case ok := <-next:
		t.Fatalf("a check beyond those under way went on (%v) without waiting for them", ok)
	case <-time.After(50 * time.Millisecond):
	}
	l.end(key, checkRight)
	if !<-next {
		t.Fatal("the check that waited was refused after a right password")
	}
	l.end(key, checkUndecided) // one of the first is not counted
	for range maxFailures - 1 {
		l.end(key, checkWrong) // the rest of the first, and the one that waited
	}
	if !l.begin(key, time.Now) {
		t.Fatal("refused with four wrong passwords and one not checked")
	}
	l.end(key, checkWrong)
	if l.begin(key, time.Now) {
		t.Fatalf("a check allowed after %d wrong passwords", maxFailures)
	}
}
