package actors

import (
	"log/slog"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// quietActors returns an actor system that logs nothing, shut down when the test ends, and the
// logger it uses.
func quietActors(t *testing.T) (*actor.ActorSystem, *slog.Logger) {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	as := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }))
	t.Cleanup(as.Shutdown)
	return as, quiet
}
