package actors

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balcao/balcao"
)

// childRetries is how many times an office restarts a failing child within 10 s before it
// stops it (EnsureOffice's OneForOneStrategy).
const childRetries = 10

// TestJobAsksAgainWhenItsConversationStops: a job's ask to put its documents in the chat waits
// in the mailbox of its client's conversation, which fails as it starts, again at each
// restart, until its supervisor (the office) stops it; the ask is lost with its mailbox. The
// office tells the job, which asks again after its backoff: the next conversation of the phone
// puts the documents in the chat, once, and the job ends. Before, the job waited for an answer
// until the office restarted, refusing Repetir as already under way.
func TestJobAsksAgainWhenItsConversationStops(t *testing.T) {
	src := newPDFSource()
	close(src.release)
	var starts atomic.Int32
	u := startOffice(t, src, func(c *Config) {
		c.Now = func() time.Time {
			// A conversation never stored reads the clock as it starts: the first actor of the
			// client's conversation (spawned for the job's ask) fails there, and so does each
			// of its restarts, until its supervisor stops it.
			if calledFrom("(*conversation).start") && starts.Add(1) <= childRetries+1 {
				panic("injected failure of a conversation as it starts")
			}
			return time.Now()
		}
	})
	u.awaitJob(t, "the job delivered and its actor stopped", func(j balcao.Job) bool {
		st, err := u.sys.OfficeStats(t.Context(), "o1")
		return err == nil && st.Jobs == 0 && j.State == balcao.JobDone && j.Delivered
	})
	if n := starts.Load(); n <= childRetries+1 {
		t.Fatalf("%d conversation starts, want the failing one stopped and another started", n)
	}
	if n := u.documentMessages(t); n != 1 {
		t.Fatalf("%d document messages in the chat, want 1", n)
	}
}

// TestSlowConversationDeliversOnce: the conversation takes its time over a job's ask (it
// builds the documents' portal links slowly), much longer than the job's backoff, with the
// office's idle sweeps queued behind it; the job waits for its answer and never asks again:
// the documents go into the chat once, and the conversation passivates after it answered.
func TestSlowConversationDeliversOnce(t *testing.T) {
	src := newPDFSource()
	close(src.release)
	var links atomic.Int32
	building, release := make(chan struct{}, 1), make(chan struct{})
	u := startOffice(t, src, func(c *Config) {
		c.IdleAfter = 100 * time.Millisecond
		c.PortalLink = func(_, _, doc string) string {
			if links.Add(1) == 1 {
				building <- struct{}{}
				<-release
			}
			return "https://portal.example/" + doc
		}
	})
	await(t, building, "the conversation building the first document's link")
	time.Sleep(2 * time.Second) // twice the job's first backoff
	close(release)
	u.awaitJob(t, "the job delivered, its actor stopped and the conversation passivated", func(j balcao.Job) bool {
		st, err := u.sys.OfficeStats(t.Context(), "o1")
		return err == nil && st.Jobs == 0 && st.Conversations == 0 && j.State == balcao.JobDone && j.Delivered
	})
	if n := links.Load(); n != 1 {
		t.Fatalf("%d portal links built, want 1 (one ask put the document in the chat)", n)
	}
	if n := u.documentMessages(t); n != 1 {
		t.Fatalf("%d document messages in the chat, want 1", n)
	}
}

// documentMessages counts the document messages in the chat of the job's client, once every
// write submitted so far is durable.
func (u *officeUnderTest) documentMessages(t *testing.T) int {
	t.Helper()
	if err := u.db.Writer.Commit(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := u.db.Messages("o1", u.job.Phone, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for _, m := range msgs {
		if m.Document != nil {
			docs++
		}
	}
	return docs
}

// calledFrom reports whether its caller runs inside the function or method named fn (as the
// runtime names it after its package: "(*conversation).start").
func calledFrom(fn string) bool {
	return onStack(func(f string) bool { return strings.HasSuffix(f, "."+fn) })
}

// onStack reports whether a function of its caller's stack has a name (as the runtime gives
// it, package path first) that is matched.
func onStack(matched func(name string) bool) bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if matched(f.Function) {
			return true
		}
		if !more {
			return false
		}
	}
}
