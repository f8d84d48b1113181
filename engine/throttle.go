package engine

import (
	"crypto/sha256"
	"sync"
	"time"
)

// loginThrottle slows password guessing: at most maxFailures passwords of one account are
// checked and found wrong within failureSpan; after that the account refuses logins until the
// window passes. An attempt is counted (reserved) before its password is checked, so
// concurrent guesses cannot all pass the check; a right password forgets the account's
// failures.
//
// Memory is bounded: accounts are keyed by a hash of office and user (fixed size, whatever
// names are sent), and at most maxAccounts windows are kept. When the map is full only expired
// windows are dropped; a live window is never dropped, since that would let anyone lift an
// account's block by failing logins under junk names. If no window has expired, an account
// that has none is refused (reserve reports false) until one does: filling the map takes
// maxAccounts failed attempts within failureSpan, and refusing for a few minutes is the
// lesser harm than checking passwords with no count.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[throttleKey]failureWindow // mu guards it
	// oldest is at or before the start of every window in failures (exact after a sweep):
	// while now is less than failureSpan after it, no window has expired and a full map is
	// not scanned again. mu guards it.
	oldest time.Time
}

// throttleKey names an account in the throttle: the SHA-256 of office and user.
type throttleKey [sha256.Size]byte

func accountKey(office, user string) throttleKey {
	h := sha256.New()
	h.Write([]byte(office))
	h.Write([]byte{0})
	h.Write([]byte(user))
	var k throttleKey
	h.Sum(k[:0])
	return k
}

type failureWindow struct {
	count int // attempts reserved in the window (checked, or being checked)
	start time.Time
}

const (
	maxFailures = 5
	failureSpan = 5 * time.Minute
	maxAccounts = 100000 // ~6 MB of windows at most
)

// reserve counts an attempt to log in to an account before its password is checked; false
// means the attempt is refused: the account had maxFailures attempts in its window, or the map
// is full of live windows.
func (l *loginThrottle) reserve(key throttleKey, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.failures[key]
	if ok && now.Sub(w.start) < failureSpan {
		if w.count >= maxFailures {
			return false
		}
		w.count++
		l.failures[key] = w
		return true
	}
	if !ok {
		if l.failures == nil {
			l.failures = map[throttleKey]failureWindow{}
		}
		if len(l.failures) >= maxAccounts && !l.sweep(now) {
			return false
		}
	}
	if len(l.failures) == 0 || now.Before(l.oldest) {
		l.oldest = now
	}
	l.failures[key] = failureWindow{count: 1, start: now}
	return true
}

// sweep drops the expired windows and reports whether there is room for another.
// Lock must be held.
func (l *loginThrottle) sweep(now time.Time) bool {
	if now.Sub(l.oldest) < failureSpan {
		return false // nothing can have expired yet
	}
	oldest := now
	for k, w := range l.failures {
		if now.Sub(w.start) >= failureSpan {
			delete(l.failures, k)
		} else if w.start.Before(oldest) {
			oldest = w.start
		}
	}
	l.oldest = oldest
	return len(l.failures) < maxAccounts
}

// release gives back an attempt reserved for a check that did not happen (a storage error).
func (l *loginThrottle) release(key throttleKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, ok := l.failures[key]; ok && w.count > 0 {
		w.count--
		l.failures[key] = w
	}
}

// succeeded forgets an account's failures.
func (l *loginThrottle) succeeded(key throttleKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}
