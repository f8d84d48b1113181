package actors

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao/gateway/agent"
)

// agentPool is an office's access to its accounting system: the embedded source (the server
// reads an export tree itself), when configured. It runs each fetch on a goroutine it owns, at
// most maxFetches at a time; more wait in a bounded queue, and a job that finds the queue full
// is told so and retries later. Files are written to the content-addressed store before the
// job hears of them.
type agentPool struct {
	sys    *System
	office string
	log    *slog.Logger

	queue    []*fetch
	inflight int
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// maxFetches is how many fetches of an office run at once.
const maxFetches = 4

// errAgentsBusy is a fetch refused because Config.FetchQueue fetches already wait: the job
// tries again later, without counting an attempt.
var errAgentsBusy = errors.New("too many documents waiting for the agents")

func newAgentPool(sys *System, office string) *agentPool {
	return &agentPool{sys: sys, office: office, log: sys.cfg.Log.With("office", office, "actor", "agents")}
}

func (p *agentPool) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.ctx, p.cancel = context.WithCancel(context.Background())
	case *actor.Stopping, *actor.Restarting:
		p.cancel()
		p.wg.Wait()
	case *fetch:
		switch {
		case p.source() == nil:
			ctx.Send(m.replyTo, &fetched{err: agent.ErrNoAgent})
		case p.inflight < maxFetches:
			p.start(ctx, m)
		case len(p.queue) < p.sys.cfg.FetchQueue:
			p.queue = append(p.queue, m)
		default:
			ctx.Send(m.replyTo, &fetched{err: errAgentsBusy})
		}
	case *fetchDone:
		p.inflight--
		if len(p.queue) > 0 {
			next := p.queue[0]
			p.queue[0] = nil
			p.queue = p.queue[1:]
			p.start(ctx, next)
		}
	}
}

// start runs one fetch on an owned goroutine.
func (p *agentPool) start(ctx actor.Context, m *fetch) {
	p.inflight++
	p.wg.Add(1)
	self, root, src, files := ctx.Self(), p.sys.as.Root, p.source(), p.sys.cfg.Files
	go func() {
		defer p.wg.Done()
		defer root.Send(self, &fetchDone{})
		res, err := src.Fetch(p.ctx, m.job)
		out := &fetched{pending: res.Pending, err: err}
		for _, f := range res.Files {
			if out.err != nil {
				break
			}
			if cerr := agent.CheckPDF(f.Data); cerr != nil {
				out.pending = "O sistema contábil devolveu um arquivo inválido (" + f.Name + ")."
				out.files = nil
				break
			}
			sha, perr := files.Put(f.Data)
			if perr != nil {
				out.err = perr
				break
			}
			out.files = append(out.files, storedFile{name: f.Name, sha: sha, size: int64(len(f.Data))})
		}
		if out.err == nil && out.pending == "" && len(out.files) == 0 {
			out.pending = "O sistema contábil não devolveu nenhum documento."
		}
		root.Send(m.replyTo, out)
	}()
}

func (p *agentPool) source() agent.Source {
	if p.sys.cfg.Sources == nil {
		return nil
	}
	return p.sys.cfg.Sources(p.office)
}
