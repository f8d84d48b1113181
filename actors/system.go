package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/gateway"
	"github.com/balcao/balcao/gateway/agent"
	"github.com/balcao/balcao/storage"
)

// Config wires the actors to the rest of the engine.
type Config struct {
	DB        *storage.DB
	WhatsApp  gateway.WhatsApp
	Publisher balcao.Publisher
	Log       *slog.Logger
	// Respond runs the assistant; tests replace it (for instance to make it panic).
	Respond func(assistant.State, assistant.Input) assistant.Turn
	// IdleAfter is how long a conversation actor lives without messages before it passivates.
	IdleAfter time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// RequestTimeout bounds a staff command.
	RequestTimeout time.Duration
	// Files stores documents' contents.
	Files *storage.Files
	// Sources returns the document source of an office (remote agents, then the embedded
	// folder); nil when the office has none.
	Sources func(office string) agent.Source
	// AgentsOnline reports whether an office can have documents fetched now (an agent is
	// connected, or the embedded folder serves it): an office starting without any leaves its
	// waiting jobs to AgentsConnected. Nil: always.
	AgentsOnline func(office string) bool
	// PortalLink builds the signed portal link of a document for a contact.
	PortalLink func(office, phone, doc string) string
	// PortalLogin builds a one-time portal login link for a contact.
	PortalLogin func(office, phone string) string
	// FetchQueue is how many document fetches may wait for an office's agents while
	// maxFetches run; one past it is refused and its job tries again later
	// (DefaultFetchQueue when zero).
	FetchQueue int
	// SendTimeout cancels a WhatsApp send that takes longer, which is then retried like a
	// failed one (90 s when zero; tests shorten it).
	SendTimeout time.Duration
}

// DefaultFetchQueue is Config.FetchQueue's default.
const DefaultFetchQueue = 10000

// System runs the actors of every office.
type System struct {
	cfg  Config
	as   *actor.ActorSystem
	disp *poolDispatcher
	// flushes sends the conversations their flushTicks (conversation_delivery.go).
	flushes *later

	mu      sync.RWMutex
	offices map[string]*actor.PID // mu guards it
	closed  bool

	// sessions holds each office's open WhatsApp session (gateway.Session), put by its gateway
	// actor: Session reads it without waiting for that actor, which may be busy sending for
	// minutes (a backlog at the office's pace, a send that hangs).
	sessions sync.Map
}

// Start creates the actor system and an office actor for every stored office.
func Start(cfg Config) (*System, error) {
	if cfg.Respond == nil {
		cfg.Respond = assistant.Respond
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = 2 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FetchQueue <= 0 {
		cfg.FetchQueue = DefaultFetchQueue
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	log := cfg.Log
	as := actor.NewActorSystem(
		// cfg.Log names the component already: a second "component" key is written twice.
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log.With("library", "protoactor") }),
		actor.WithDeadLetterRequestLogging(false),
	)
	shrinkRegistry(as)
	s := &System{cfg: cfg, as: as, offices: map[string]*actor.PID{}, disp: newPoolDispatcher(dispatcherThroughput)}
	s.flushes = newLater(flushDelay, func(to *actor.PID, msg any) { as.Root.Send(to, msg) })
	offices, err := cfg.DB.Offices()
	if err != nil {
		return nil, fmt.Errorf("list offices: %w", err)
	}
	for _, o := range offices {
		if err := s.EnsureOffice(o.ID); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// EnsureOffice starts the office actor of a stored office if it is not running.
func (s *System) EnsureOffice(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return balcao.ErrClosed
	}
	if _, ok := s.offices[id]; ok {
		return nil
	}
	incarnation := 0
	props := s.busyProps(func() actor.Actor { incarnation++; return newOffice(s, id, incarnation > 1) },
		actor.WithSupervisor(actor.NewOneForOneStrategy(10, 10*time.Second, actor.DefaultDecider)))
	pid, err := s.as.Root.SpawnNamed(props, "office/"+id)
	if err != nil {
		return fmt.Errorf("spawn office %s: %w", id, err)
	}
	s.offices[id] = pid
	return nil
}

func (s *System) office(id string) (*actor.PID, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, balcao.ErrClosed
	}
	pid, ok := s.offices[id]
	if !ok {
		return nil, fmt.Errorf("office %s: %w", id, balcao.ErrNotFound)
	}
	return pid, nil
}

// Request sends a staff command to an office and waits for its durable outcome.
func (s *System) Request(ctx context.Context, office string, cmd any) (*Result, error) {
	pid, err := s.office(office)
	if err != nil {
		return nil, err
	}
	timeout := s.cfg.RequestTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	return ask[*Result](s, pid, cmd, timeout)
}

// OfficeStats returns an office actor's live figures.
func (s *System) OfficeStats(ctx context.Context, office string) (OfficeStats, error) {
	pid, err := s.office(office)
	if err != nil {
		return OfficeStats{}, err
	}
	st, err := ask[*OfficeStats](s, pid, &GetOfficeStats{}, s.cfg.RequestTimeout)
	if err != nil {
		return OfficeStats{}, err
	}
	return *st, nil
}

// Session returns the office's WhatsApp session, to show its status or pair, unlink and
// connect it (calls that may take long, made outside the actors).
func (s *System) Session(ctx context.Context, office string) (gateway.Session, error) {
	pid, err := s.office(office)
	if err != nil {
		return nil, err
	}
	if sess, ok := s.sessions.Load(office); ok {
		return sess.(gateway.Session), nil
	}
	a, err := ask[*sessionAnswer](s, pid, &getSession{}, s.cfg.RequestTimeout)
	if err != nil {
		return nil, err
	}
	if a.session != nil {
		return a.session, nil
	}
	return nil, balcao.NewError(balcao.ErrConflict, "whatsapp_unavailable", "A conexão com o WhatsApp ainda não foi aberta. Tente novamente em instantes.")
}

// ask sends msg to pid and waits for its answer, a T. An answer that is a *Result with an
// error is that error, as it is: the handler's refusal (a balcao.Error for the staff), or its
// failure (answerFailed answers a request whose handler panicked so, whatever it asked).
func ask[T any](s *System, pid *actor.PID, msg any, timeout time.Duration) (T, error) {
	var zero T
	res, err := s.as.Root.RequestFuture(pid, msg, timeout).Result()
	if err != nil {
		return zero, fmt.Errorf("request %T: %w", msg, err)
	}
	if r, ok := res.(*Result); ok && r.Err != nil {
		return zero, r.Err
	}
	t, ok := res.(T)
	if !ok {
		return zero, fmt.Errorf("request %T: unexpected answer %T", msg, res)
	}
	return t, nil
}

// Stop stops every office actor (and so their conversations and gateways), waiting for them,
// then the actor system. Writes already submitted still complete in storage.Writer.
func (s *System) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	pids := make([]*actor.PID, 0, len(s.offices))
	for _, pid := range s.offices {
		pids = append(pids, pid)
	}
	s.mu.Unlock()
	var errs []error
	for _, pid := range pids {
		if err := s.as.Root.StopFuture(pid).Wait(); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", pid.Id, err))
		}
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
	}
	s.flushes.close()
	s.as.Shutdown()
	s.disp.close()
	return errors.Join(errs...)
}

// props are the props of every actor: the shared pool dispatcher, the engine's mailbox (see
// mailbox), then opts.
func (s *System) props(producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return actor.PropsFromProducer(producer, append(engineOptions(s.disp), opts...)...)
}

// busyProps are props for the actors that take messages for a whole office (the office, its
// gateway and agent pool): their mailboxes keep their arrays (newBusyMailbox).
func (s *System) busyProps(producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return s.props(producer, append(opts, actor.WithMailbox(newBusyMailbox))...)
}

// officeSink hands what WhatsApp sends to the office actor.
type officeSink struct {
	root *actor.RootContext
	pid  *actor.PID
}

func (k officeSink) Deliver(in *gateway.Inbound) { k.root.Send(k.pid, in) }
func (k officeSink) Receipt(r *gateway.Receipt)  { k.root.Send(k.pid, r) }
func (k officeSink) StatusChanged(s gateway.Status) {
	k.root.Send(k.pid, &whatsappStatus{status: s})
}

// Deliver hands an inbound message to its office, for gateways that serve every office.
func (s *System) Deliver(in *gateway.Inbound) {
	pid, err := s.office(in.Office)
	if err != nil {
		in.Ack(err)
		return
	}
	s.as.Root.Send(pid, in)
}

// AgentsConnected tells an office that an agent connected: its jobs waiting for one go on.
func (s *System) AgentsConnected(office string) {
	if pid, err := s.office(office); err == nil {
		s.as.Root.Send(pid, &agentsConnected{})
	}
}

// Alive reports balcao.ErrClosed once Stop began.
func (s *System) Alive() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return balcao.ErrClosed
	}
	return nil
}
