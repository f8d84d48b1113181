package agent

import (
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ended reports how the attempt at job ended, from the client's log: "job cancelled" (its
// result discarded), "job done" (its result sent) or "" while it runs.
func ended(logs *syncBuffer, job string) string {
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, " job="+job) {
			continue
		}
		for _, msg := range []string{"job cancelled", "job done"} {
			if strings.Contains(line, `msg="`+msg+`"`) {
				return msg
			}
		}
	}
	return ""
}

// logged reports whether a line of logs has the message msg and the attribute attr.
func logged(logs *syncBuffer, msg, attr string) bool {
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `msg="`+msg+`"`) && strings.Contains(line, " "+attr) {
			return true
		}
	}
	return false
}

// A source that ignores cancellation (a hung call to the accounting system, a blocked network
// share) kept the agent offline: when the connection dropped, Run waited for every Fetch
// before reconnecting. It now waits FetchGrace, reconnects and serves jobs while the stuck
// Fetch still hangs (which does not count against the only slot it announces), the retry of
// the stuck job included; the stuck Fetch's late result is discarded, neither sent on the new
// connection nor taken as the retry's answer.
func TestAgentClientReconnectsDespiteStuckFetch(t *testing.T) {
	ts := newTestServer(t, nil)
	addr := ts.srv.Listener.Addr().String()
	src := newStuckSource(t)
	var connects atomic.Int64
	logs, _, _ := runClient(t, &Client{
		Server: ts.srv.URL, Token: testToken, Source: src, Name: "escritorio", Concurrency: 1,
		FetchGrace: 50 * time.Millisecond,
		OnConnect:  func(string) { connects.Add(1) },
	})
	waitOnline(t, ts.remote, 1)
	job := testJob("preso", "das", "2026-10", "")
	lost := fetchAsync(ts.remote.Source(testOffice), job)
	stuck := src.next(lost)

	ts.close() // the server restarts
	if o := await(t, lost); !errors.Is(o.err, ErrAgentGone) {
		t.Fatalf("Fetch when the server closed = %v, want ErrAgentGone", o.err)
	}
	stuck.cancelled(t)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	ts2 := startTestServer(t, ln, nil)
	waitOnline(t, ts2.remote, 1) // timed out: the client waited for the stuck Fetch
	if n := connects.Load(); n != 2 {
		t.Errorf("OnConnect called %d times, want 2", n)
	}
	if msg := "fetches still running after the connection ended; reconnecting anyway"; !logged(logs, msg, "fetches=1") {
		t.Errorf("client log lacks %q with fetches=1", msg)
	}
	remote := ts2.remote.Source(testOffice)

	res := fetchAsync(remote, testJob("novo", "holerite", "2026-10", ""))
	a := src.next(res)
	if a.job.ID != "novo" {
		t.Fatalf("source got %s, want novo", a.job.ID)
	}
	a.answer <- Result{Pending: "ok"}
	if o := await(t, res); o.err != nil || o.res.Pending != "ok" {
		t.Fatalf("Fetch(novo) after reconnecting = %q, %v; want ok", o.res.Pending, o.err)
	}

	res = fetchAsync(remote, job) // the server retries the stuck job
	retry := src.next(res)
	stuck.answer <- Result{Pending: "tarde"}
	waitFor(t, "the stuck attempt to end", func() bool { return ended(logs, job.ID) != "" })
	if got := ended(logs, job.ID); got != "job cancelled" {
		t.Fatalf("stuck attempt ended with %q, want job cancelled (its result discarded)", got)
	}
	retry.answer <- Result{Pending: "ok"}
	if o := await(t, res); o.err != nil || o.res.Pending != "ok" {
		t.Fatalf("retry of the stuck job = %q, %v; want ok", o.res.Pending, o.err)
	}
	if strings.Contains(ts2.logs.String(), "not in flight ignored") {
		t.Errorf("the new connection got an answer for a job not in flight on it:\n%s", ts2.logs)
	}
}

// When Run's ctx ends, a Fetch that ignores cancellation no longer keeps Run from returning:
// it waits FetchGrace for it, logs it and returns.
func TestAgentClientStopsDespiteStuckFetch(t *testing.T) {
	ts := newTestServer(t, nil)
	src := newStuckSource(t)
	logs, done, stop := runClient(t, &Client{
		Server: ts.srv.URL, Token: testToken, Source: src, Name: "escritorio",
		FetchGrace: 50 * time.Millisecond,
	})
	waitOnline(t, ts.remote, 1)
	job := testJob("preso", "das", "2026-10", "")
	res := fetchAsync(ts.remote.Source(testOffice), job)
	stuck := src.next(res)

	go stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return while a Fetch ignored its cancellation")
	}
	if msg := "fetches still running as the agent stops; stopping anyway"; !logged(logs, msg, "fetches=1") {
		t.Errorf("client log lacks %q with fetches=1", msg)
	}
	stuck.cancelled(t)
	if o := await(t, res); !errors.Is(o.err, ErrAgentGone) {
		t.Errorf("Fetch when the agent stopped = %v, want ErrAgentGone", o.err)
	}
	stuck.answer <- Result{Pending: "tarde"}
	waitFor(t, "the stuck attempt to end", func() bool { return ended(logs, job.ID) != "" })
	if got := ended(logs, job.ID); got != "job cancelled" {
		t.Errorf("stuck attempt ended with %q, want job cancelled", got)
	}
}
