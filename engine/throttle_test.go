package engine

import (
	"fmt"
	"testing"
	"time"
)

// TestThrottleKeepsLiveWindowsWhenFull: a full throttle drops only expired windows. Failed
// logins under junk names cannot lift an account's block: while no window has expired, an
// account without one is refused, and the blocked account stays blocked until its own window
// passes.
func TestThrottleKeepsLiveWindowsWhenFull(t *testing.T) {
	var l loginThrottle
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range maxAccounts / 2 { // an early half, expired by the end
		l.reserve(accountKey("demo", fmt.Sprintf("early-%d", i)), t0)
	}
	target := accountKey("demo", "ana")
	at := t0.Add(time.Minute)
	for range maxFailures {
		if !l.reserve(target, at) {
			t.Fatal("an attempt within the limit was refused")
		}
	}
	for i := 0; len(l.failures) < maxAccounts; i++ {
		if !l.reserve(accountKey("demo", fmt.Sprintf("late-%d", i)), at) {
			t.Fatalf("reserve refused with %d windows, want room up to %d", len(l.failures), maxAccounts)
		}
	}
	if l.reserve(target, at) {
		t.Fatal("a blocked account was allowed another attempt")
	}
	if l.reserve(accountKey("demo", "junk"), at.Add(time.Second)) {
		t.Fatal("a full throttle with no expired window took a new account")
	}
	if l.reserve(target, at.Add(time.Second)) {
		t.Fatal("filling the throttle lifted an account's block")
	}
	later := t0.Add(failureSpan) // the early half expired; the target's window has not
	if !l.reserve(accountKey("demo", "junk"), later) {
		t.Fatal("a full throttle with expired windows refused a new account")
	}
	if got := len(l.failures); got != maxAccounts/2+1 {
		t.Errorf("windows after the sweep = %d, want %d (the live ones and the new)", got, maxAccounts/2+1)
	}
	if l.reserve(target, later) {
		t.Fatal("the sweep lifted a live block")
	}
	if !l.reserve(target, at.Add(failureSpan)) {
		t.Fatal("an account is still blocked after its window passed")
	}
}

// TestThrottleCountsAttemptsBeingChecked: attempts are counted when they start; a right
// password forgets the account's failures; an attempt given back is not counted.
func TestThrottleCountsAttemptsBeingChecked(t *testing.T) {
	var l loginThrottle
	now := time.Now()
	key := accountKey("demo", "ana")
	for i := range maxFailures {
		if !l.reserve(key, now) {
			t.Fatalf("attempt %d refused, want %d allowed", i+1, maxFailures)
		}
	}
	if l.reserve(key, now) {
		t.Fatalf("attempt %d allowed while %d are counted", maxFailures+1, maxFailures)
	}
	l.release(key)
	if !l.reserve(key, now) {
		t.Fatal("an attempt given back still counts")
	}
	l.succeeded(key)
	if !l.reserve(key, now) {
		t.Fatal("a right password did not forget the failures")
	}
}
