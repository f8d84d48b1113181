package engine

import (
	"sync"
	"time"
)

// loginThrottle slows password guessing: after maxFailures wrong passwords for one account
// within failureWindow, that account refuses logins until the window passes. The map is
// bounded: past maxAccounts entries the oldest windows are dropped first.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string]*failureWindow // by office/user; mu guards it
}

type failureWindow struct {
	count int
	start time.Time
}

const (
	maxFailures = 5
	failureSpan = 5 * time.Minute
	maxAccounts = 10000
)

// blocked reports whether logins of an account are refused now.
func (l *loginThrottle) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.failures[key]
	return w != nil && w.count >= maxFailures && now.Sub(w.start) < failureSpan
}

// failed records a wrong password.
func (l *loginThrottle) failed(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		l.failures = map[string]*failureWindow{}
	}
	w := l.failures[key]
	if w == nil || now.Sub(w.start) >= failureSpan {
		if len(l.failures) >= maxAccounts {
			for k, old := range l.failures {
				if now.Sub(old.start) >= failureSpan || len(l.failures) >= maxAccounts {
					delete(l.failures, k)
				}
				if len(l.failures) < maxAccounts/2 {
					break
				}
			}
		}
		w = &failureWindow{start: now}
		l.failures[key] = w
	}
	w.count++
}

// succeeded forgets an account's failures.
func (l *loginThrottle) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}
