package actors

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway"
)

// office is the actor of one office: it routes WhatsApp events and staff commands to the
// conversation actor of each phone, spawning it on demand and stopping it when idle, and owns
// the office's contact records.
type office struct {
	sys   *System
	id    string
	gw    *actor.PID
	pool  *actor.PID
	convs map[string]*child     // by phone
	jobs  map[string]*actor.PID // running job actors, by job id
	// asks are, by job id, the last ask of a running job's actor for delivery and the
	// conversation actor it was routed to (see asksLost).
	asks map[string]routedAsk
	// recheck are the jobs that were running when an agent connected (see jobStopped).
	recheck map[string]struct{}
	// failed are the phones whose actor stopped without passivating: the next one waits for
	// the writer before it loads.
	failed map[string]bool
	// passivated are the ids of conversation actors stopped by passivation, until their
	// Terminated comes.
	passivated map[string]struct{}
	// stopping is set once the office stops or restarts: it spawns no child after that.
	stopping bool
	// clientWrites counts company and contact batches submitted and not yet saved: a change
	// that reads contacts waits for them first (see settleClients).
	clientWrites int
	// contactGen is the contacts generation of the last durable change to the office's
	// contacts or companies (storage.ContactsGenKey; 0: unknown), given to the conversations it
	// spawns; nextGen is the last one written.
	contactGen, nextGen uint64
	restarted           bool        // a failed instance came before: its writes may be in flight
	epoch               time.Time   // child.last counts from here (monotonic)
	sweeper             *time.Timer // the next sweepIdle
	// convProps spawns every conversation actor of the office; launches holds how each one
	// spawned and not yet started begins, by actor name (see launch); spawned numbers them.
	convProps *actor.Props
	launches  sync.Map
	spawned   uint64
}

type child struct {
	pid       *actor.PID
	forwarded uint64        // messages routed to it; compared with its handled count on passivation
	last      time.Duration // when the last one was routed, since office.epoch
}

// sweepIdle makes the office look for idle conversations.
type sweepIdle struct{}

func newOffice(sys *System, id string, restarted bool) *office {
	return &office{sys: sys, id: id, convs: map[string]*child{}, jobs: map[string]*actor.PID{}, asks: map[string]routedAsk{}, recheck: map[string]struct{}{}, failed: map[string]bool{},
		passivated: map[string]struct{}{}, epoch: time.Now(), restarted: restarted}
}

func (o *office) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		o.loadContactGen()
		o.armSweep(ctx)
		o.gw = ctx.Spawn(o.sys.busyProps(func() actor.Actor { return newGatewayActor(o.sys, o.id) }))
		o.convProps = o.sys.props(func() actor.Actor {
			return &conversation{sys: o.sys, office: o.id, gw: o.gw, launches: &o.launches}
		})
		o.pool = ctx.Spawn(o.sys.busyProps(func() actor.Actor { return newAgentPool(o.sys, o.id) }))
		o.resumeJobs(ctx)
	case *sweepIdle:
		o.sweep(ctx)
	case *jobCreated:
		o.job(ctx, &m.job)
	case *jobChanged:
		o.jobChanged(ctx, m)
	case *RetryJob:
		o.retryJob(ctx, m)
	case *agentsConnected:
		o.agentsConnected(ctx)
	case *ReplyToJob:
		o.replyToJob(ctx, m)
	case *gateway.Inbound:
		o.route(ctx, m.From)
	case *gateway.Receipt:
		o.route(ctx, m.To)
	case *deliverDocuments:
		o.deliverDocuments(ctx, m)
	case conversationCommand:
		o.route(ctx, m.phone())
	case *actor.Stopping:
		// Children stopped from here on would never be stopped: spawn none.
		o.stopping = true
		o.sweeper.Stop()
	case *actor.Restarting:
		// The children stop too, and their Terminated come to this instance: a job it woke
		// then (jobStopped) would be a child the restart waits for, never stopped, and the
		// office would never start again. The new instance resumes the jobs.
		o.stopping = true
		o.sweeper.Stop() // the new instance arms its own
	case *whatsappStatus:
		o.sys.cfg.Publisher.Publish(o.id, balcao.EventWhatsAppStatus, m.status)
	case *getSession:
		ctx.Forward(o.gw)
	case *GetOfficeStats:
		ctx.Respond(&OfficeStats{Conversations: len(o.convs), Jobs: len(o.jobs)})
	case *SaveCompany, *AddContact, *RemoveContactCompany, *SaveContact, *DeleteContact, *ImportContacts:
		if err := o.settleClients(); err != nil {
			ctx.Respond(&Result{Err: err})
			return
		}
		o.changeClients(ctx, m)
	case *clientsSaved:
		o.clientsSaved(ctx, m)
	case *passivate:
		if c, ok := o.convs[m.phone]; ok && c.pid.Equal(m.pid) && c.forwarded == m.handled {
			delete(o.convs, m.phone)
			o.passivated[m.pid.Id] = struct{}{}
			ctx.Stop(m.pid)
		}
	case *actor.Terminated:
		// The scans below are per child: passivating or stopping thousands at once must not
		// reach them (it was quadratic: minutes for 100 000 conversations).
		if _, ok := o.passivated[m.Who.Id]; ok {
			delete(o.passivated, m.Who.Id)
			return
		}
		if o.stopping {
			return // no child is spawned again: nothing to remember
		}
		for id, pid := range o.jobs {
			if pid.Equal(m.Who) {
				delete(o.jobs, id)
				delete(o.asks, id)
				o.jobStopped(ctx, id)
				return
			}
		}
		for phone, c := range o.convs {
			if c.pid.Equal(m.Who) {
				delete(o.convs, phone) // stopped by its supervisor after too many failures
				o.failed[phone] = true
				o.asksLost(m.Who)
				break
			}
		}
	}
}

// route forwards the current message, with its sender, to the phone's conversation actor,
// and returns that actor. While the office stops, the message is refused (WhatsApp
// redelivers, staff retry) and route returns nil.
func (o *office) route(ctx actor.Context, phone string) *child {
	if o.stopping {
		refuse(ctx)
		return nil
	}
	c := o.conversation(ctx, phone)
	c.forwarded++
	ctx.Forward(c.pid)
	return c
}

// sweep tells every conversation idle for IdleAfter to passivate, and comes back in a quarter
// of IdleAfter: an idle conversation stops between IdleAfter and 1.25 × IdleAfter. One timer
// per office rather than one per conversation, which cost each live conversation a timer and
// its callback. A conversation that is told twice (its passivation still on its way, or refused
// because a message came) does the same again, harmlessly.
func (o *office) sweep(ctx actor.Context) {
	if o.stopping {
		return
	}
	now, idle := time.Since(o.epoch), o.sys.cfg.IdleAfter
	for _, c := range o.convs {
		if now-c.last >= idle {
			ctx.Send(c.pid, &idleTick{})
		}
	}
	o.armSweep(ctx)
}

func (o *office) armSweep(ctx actor.Context) {
	self, root := ctx.Self(), o.sys.as.Root
	o.sweeper = time.AfterFunc(o.sys.cfg.IdleAfter/4, func() { root.Send(self, &sweepIdle{}) })
}

// refuse answers the current message with balcao.ErrClosed.
func refuse(ctx actor.Context) {
	if in, ok := ctx.Message().(*gateway.Inbound); ok {
		in.Ack(balcao.ErrClosed)
	} else if ctx.Sender() != nil {
		ctx.Respond(&Result{Err: balcao.ErrClosed})
	}
}

// conversation returns the phone's conversation actor, spawning it when it is not running, for
// a message about to be routed to it (which makes it active).
func (o *office) conversation(ctx actor.Context, phone string) *child {
	c, ok := o.convs[phone]
	if !ok {
		// The first incarnation needs no writer barrier when the phone's previous actor was
		// passivated (it waited for its writes) or never ran in this process; a spawn after a
		// failed actor does (and a restart, which finds no launch).
		o.spawned++
		name := phone + "$" + strconv.FormatUint(o.spawned, 36)
		o.launches.Store(name, launch{barrier: o.failed[phone], gen: o.contactGen})
		delete(o.failed, phone)
		pid, err := ctx.SpawnNamed(o.convProps, name)
		if err != nil {
			o.launches.Delete(name)
			panic(fmt.Sprintf("spawn conversation: %v", err))
		}
		c = &child{pid: pid}
		o.convs[phone] = c
	}
	c.last = time.Since(o.epoch)
	return c
}
