package engine

import (
	"crypto/sha256"
	"sync"
	"time"
)

// loginThrottle slows password guessing: at most maxFailures passwords of one account are
// found wrong within failureSpan; after that the account refuses logins until the window
// passes. A check that could be the one over the limit waits for the checks of the account
// already under way (begin): guesses sent at once cannot all pass, and people logging in to
// one account at the same moment wait a password check rather than being refused. A right
// password forgets the account's failures.
//
// Memory is bounded: accounts are keyed by a hash of office and user (fixed size, whatever
// names are sent), and at most maxAccounts windows are kept. When the map is full only expired
// windows are dropped; a live window is never dropped, since that would let anyone lift an
// account's block by failing logins under junk names. If no window has expired, an account
// that has none is refused (begin reports false) until one does: filling the map takes
// maxAccounts failed attempts within failureSpan, and refusing for a few minutes is the
// lesser harm than checking passwords with no count.
type loginThrottle struct {
	mu       sync.Mutex
	done     *sync.Cond                    // on mu: a check ended
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
	failed   int // wrong passwords in the window
	checking int // passwords of the account being checked now
	start    time.Time
}

const (
	maxFailures = 5
	failureSpan = 5 * time.Minute
	maxAccounts = 100000 // ~6 MB of windows at most
)

// Outcomes of a password check (loginThrottle.end).
const (
	checkWrong     = iota // counted against the account
	checkRight            // forgets the account's failures
	checkUndecided        // not checked (a storage error): not counted
)

// begin counts a password check of an account about to run; false means it is refused: the
// account had maxFailures wrong passwords in its window, or the map is full of live windows.
// While the checks under way could take the account to the limit, it waits for them. Each
// begin that reports true is followed by end.
func (l *loginThrottle) begin(key throttleKey, now func() time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done == nil {
		l.done = sync.NewCond(&l.mu)
	}
	for {
		t := now()
		w, ok := l.failures[key]
		if ok && t.Sub(w.start) >= failureSpan { // a new window, with the checks under way
			w.failed, w.start = 0, t
		}
		if !ok {
			if l.failures == nil {
				l.failures = map[throttleKey]failureWindow{}
			}
			if len(l.failures) >= maxAccounts && !l.sweep(t) {
				return false
			}
			w.start = t
			if len(l.failures) == 0 || t.Before(l.oldest) {
				l.oldest = t
			}
		}
		switch {
		case w.failed >= maxFailures:
			l.failures[key] = w
			return false
		case w.failed+w.checking < maxFailures:
			w.checking++
			l.failures[key] = w
			return true
		}
		l.failures[key] = w
		l.done.Wait() // one of the checks under way may be the account's last failure
	}
}

// end records how a check begun with begin went.
func (l *loginThrottle) end(key throttleKey, outcome int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.done.Broadcast()
	w, ok := l.failures[key]
	if !ok {
		return
	}
	w.checking--
	switch outcome {
	case checkWrong:
		w.failed++
	case checkRight:
		w.failed = 0
	}
	if w.failed == 0 && w.checking == 0 {
		delete(l.failures, key)
		return
	}
	l.failures[key] = w
}

// sweep drops the expired windows with no check under way and reports whether there is room
// for another. Lock must be held.
func (l *loginThrottle) sweep(now time.Time) bool {
	if now.Sub(l.oldest) < failureSpan {
		return false // nothing can have expired yet
	}
	oldest := now
	for k, w := range l.failures {
		if now.Sub(w.start) >= failureSpan && w.checking == 0 {
			delete(l.failures, k)
		} else if w.start.Before(oldest) {
			oldest = w.start
		}
	}
	l.oldest = oldest
	return len(l.failures) < maxAccounts
}
