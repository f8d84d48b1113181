package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
)

// job returns the job's actor, spawning it when it is not running; nil while the office stops
// (the job resumes at the next start).
func (o *office) job(ctx actor.Context, id string) *actor.PID {
	if pid, ok := o.jobs[id]; ok || o.stopping {
		return pid
	}
	pid := ctx.Spawn(o.sys.props(func() actor.Actor { return newJobActor(o.sys, o.id, id, o.pool) }))
	o.jobs[id] = pid
	return pid
}

// resumeJobs restarts the jobs that were under way: waiting, interrupted while processing, or
// done but not yet in the conversation. Jobs pending at the office wait for a retry.
func (o *office) resumeJobs(ctx actor.Context) {
	ids, err := o.sys.cfg.DB.OpenJobs(o.id)
	if err != nil {
		o.sys.cfg.Log.Error("list open jobs", "office", o.id, "err", err)
		return
	}
	for _, id := range ids {
		j, err := o.sys.cfg.DB.Job(o.id, id)
		if err == nil && j.State != balcao.JobPending {
			o.job(ctx, id)
		}
	}
}

func (o *office) retryJob(ctx actor.Context, m *RetryJob) {
	if _, running := o.jobs[m.ID]; !running {
		if _, err := o.sys.cfg.DB.Job(o.id, m.ID); err != nil {
			ctx.Respond(&Result{Err: balcao.NewError(balcao.ErrNotFound, "unknown_job", "Pedido não encontrado.")})
			return
		}
	}
	pid := o.job(ctx, m.ID)
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
