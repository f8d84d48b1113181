package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
)

// job starts the actor of a job a conversation just stored (jobCreated: the job is durable, and
// the actor starts from it as it was stored).
func (o *office) job(ctx actor.Context, job *balcao.Job) *actor.PID {
	return o.spawnJob(ctx, job.ID, false, job, false)
}

// wakeJob returns the job's actor, spawning it when it is not running; nil while the office
// stops (the job resumes at the next start). The actor loads the job once every write submitted
// so far is durable: an earlier actor of the job may have left some in the writer. retry: a
// RetryJob follows, which the actor waits for should it find the job at rest.
func (o *office) wakeJob(ctx actor.Context, id string, retry bool) *actor.PID {
	return o.spawnJob(ctx, id, true, nil, retry)
}

// spawnJob starts a job's actor, which loads the job (after the writer, with barrier) unless
// given it.
func (o *office) spawnJob(ctx actor.Context, id string, barrier bool, job *balcao.Job, retry bool) *actor.PID {
	if pid, ok := o.jobs[id]; ok || o.stopping {
		return pid
	}
	pid := ctx.Spawn(o.sys.props(func() actor.Actor {
		a := newJobActor(o.sys, o.id, id, o.pool, barrier)
		a.given, a.retrying = job, retry
		// A restart: the failed actor's writes may still be in the writer, and the job is
		// loaded as they left it (retry stays: the RetryJob may not have come yet).
		barrier, job = true, nil
		return a
	}))
	o.jobs[id] = pid
	return pid
}

// jobChanged has the conversation of a job's phone publish the job's change with its view (see
// conversation.jobChanged). A conversation that is not running is not started for it: the
// change is published with the conversation as stored.
func (o *office) jobChanged(ctx actor.Context, m *jobChanged) {
	if c, ok := o.convs[m.phone]; ok && !o.stopping {
		c.forwarded++ // routed like any message: it counts for passivation, not as activity
		ctx.Send(c.pid, m)
		return
	}
	var view *balcao.ConversationView // without one only managers see the change
	if conv, err := o.sys.cfg.DB.Conversation(o.id, m.phone); err == nil {
		v := conv.View()
		view = &v
	}
	o.sys.cfg.Publisher.Publish(o.id, balcao.EventJobChanged, m.event(view))
}

// deliverDocuments routes a job's ask to put its documents in the chat when it comes from the
// job's running actor, and drops it otherwise: its actor stopped with a failed instance of the
// office, whose mailbox this one kept, and the actor this instance woke for the job asks on its
// own. Routed, the stale ask would have the documents sent twice: the new actor's first ask does
// not look for the job's marker, and a look could miss it anyway while the stale ask's batch is
// still in the writer. Dropping it keeps the rule that the conversation has one ask of a job at
// a time, from an actor that waits for its answer (see jobActor.delivering). A job's actor
// restarted by its supervisor keeps its pid, so an ask of the failed instance would pass: the
// actor fails only as it starts, before it asks (TestJobRestartedUnderItsPidDeliversOnce).
//
// The office remembers to which conversation actor it routed each job's last ask, for asksLost.
func (o *office) deliverDocuments(ctx actor.Context, m *deliverDocuments) {
	if pid, ok := o.jobs[m.job.ID]; !ok || !pid.Equal(ctx.Sender()) {
		return
	}
	if c := o.route(ctx, m.phone()); c != nil {
		o.asks[m.job.ID] = routedAsk{conv: c.pid, ask: m.ask}
	}
}

// routedAsk is a job's ask for delivery (its number, deliverDocuments.ask) and the conversation
// actor the office routed it to.
type routedAsk struct {
	conv *actor.PID
	ask  uint64
}

// asksLost tells the jobs whose last ask for delivery went to a conversation actor that its
// supervisor (the office) stopped after too many failures that the ask may never be answered:
// one still in the actor's mailbox went with it, and one routed to it after it stopped went to
// the dead letters. The job asks again after its backoff (askLost), and the phone's next
// conversation actor waits for the writer before it loads (office.failed), so it finds the
// delivery marker of any batch the stopped one wrote: the documents go out once.
//
// The news goes after a writer barrier: every answer the stopped actor gave or will give (at
// once as it handled an ask, or from the callback of a batch it submitted) has reached the job
// before, so the job takes it for what it is only when still waiting for that very ask (it
// numbers them): then no answer will come. A conversation that passivates has handled and
// answered everything routed to it (see the passivate message): its asks are not lost.
func (o *office) asksLost(conv *actor.PID) {
	var lost []lostAsk
	for id, a := range o.asks {
		if !a.conv.Equal(conv) {
			continue
		}
		if pid, ok := o.jobs[id]; ok {
			lost = append(lost, lostAsk{job: pid, ask: a.ask})
		}
		delete(o.asks, id)
	}
	if len(lost) == 0 {
		return
	}
	root := o.sys.as.Root
	// Callbacks run in commit order, on one goroutine: after those of the stopped actor's
	// batches, and whatever their outcome. Refused, the writer is closing: so is the office.
	_ = o.sys.cfg.DB.Writer.Submit(nil, func(error) {
		for _, l := range lost {
			root.Send(l.job, &askLost{ask: l.ask})
		}
	})
}

type lostAsk struct {
	job *actor.PID
	ask uint64
}

// resumeJobs restarts the jobs that were under way: waiting, interrupted while processing, or
// done but not yet in the conversation. Jobs pending at the office wait for a retry.
func (o *office) resumeJobs(ctx actor.Context) {
	ids, err := o.sys.cfg.DB.OpenJobs(o.id)
	if err != nil {
		o.sys.cfg.Log.Error("list open jobs", "office", o.id, "err", err)
		return
	}
	// A waiting job would only find no agent again (and stop): it waits for AgentsConnected.
	online := o.sys.cfg.AgentsOnline == nil || o.sys.cfg.AgentsOnline(o.id)
	for _, id := range ids {
		j, err := o.sys.cfg.DB.Job(o.id, id)
		if err == nil && j.State != balcao.JobPending && (online || j.State != balcao.JobWaiting) {
			o.wakeJob(ctx, id, false)
		}
	}
}

// agentsConnected goes on with the jobs that wait for an agent: those that stopped for want of
// one are started again (as at the office's start), and the running ones waiting to retry try
// now. A running one may be stopping for want of an agent (it asked before this one came): it
// is marked, for jobStopped to start it again.
func (o *office) agentsConnected(ctx actor.Context) {
	for id, pid := range o.jobs {
		o.recheck[id] = struct{}{}
		ctx.Send(pid, &jobRetryTick{})
	}
	o.resumeJobs(ctx)
}

// jobStopped starts a job again when an agent connected while it ran and it stopped still
// waiting: it found no agent just before. Only then, so that a job never loops on a source that
// keeps saying no agent.
func (o *office) jobStopped(ctx actor.Context, id string) {
	if _, ok := o.recheck[id]; !ok {
		return
	}
	delete(o.recheck, id)
	// The job's last change may still be in the writer: wakeJob's actor waits for it.
	if j, err := o.sys.cfg.DB.Job(o.id, id); err == nil && (j.State == balcao.JobWaiting || j.State == balcao.JobProcessing) {
		o.wakeJob(ctx, id, false)
	}
}

func (o *office) retryJob(ctx actor.Context, m *RetryJob) {
	if _, running := o.jobs[m.ID]; !running {
		j, err := o.sys.cfg.DB.Job(o.id, m.ID)
		if err != nil {
			ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_job", "Pedido não encontrado.")})
			return
		}
		if j.State == balcao.JobDone && j.Delivered { // finished for good: no actor to start
			ctx.Respond(&Result{Err: errJobNotPending()})
			return
		}
	}
	pid := o.wakeJob(ctx, m.ID, true)
	if pid == nil {
		refuse(ctx)
		return
	}
	ctx.Forward(pid)
}

func (o *office) replyToJob(ctx actor.Context, m *ReplyToJob) {
	j, err := o.sys.cfg.DB.Job(o.id, m.ID)
	if err != nil {
		ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_job", "Pedido não encontrado.")})
		return
	}
	if o.stopping {
		refuse(ctx)
		return
	}
	c := o.conversation(ctx, j.Phone)
	c.forwarded++
	ctx.RequestWithCustomSender(c.pid, &jobReply{to: j.Phone, staff: m.Staff, text: m.Text}, ctx.Sender())
}
