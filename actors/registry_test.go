package actors

import (
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TestShrunkRegistryKeepsAndFindsActors: after shrinkRegistry the system's own processes are
// still registered, and actors spawned later are found by id, answer, and leave it when
// stopped.
func TestShrunkRegistryKeepsAndFindsActors(t *testing.T) {
	as, _ := quietActors(t)
	shrinkRegistry(as)
	if n := len(as.ProcessRegistry.LocalPIDs.LocalPIDs); n != registryMaps {
		t.Fatalf("registry has %d maps, want %d", n, registryMaps)
	}
	for _, id := range []string{"deadletter", "eventstream"} {
		if _, ok := as.ProcessRegistry.GetLocal(id); !ok {
			t.Fatalf("%s is no longer registered", id)
		}
	}
	echo := actor.PropsFromFunc(func(c actor.Context) {
		if s, ok := c.Message().(string); ok {
			c.Respond(s)
		}
	})
	const n = 1000
	pids := make([]*actor.PID, n)
	for i := range pids {
		pid, err := as.Root.SpawnNamed(echo, "echo-"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		pids[i] = pid
	}
	for i, pid := range pids {
		if _, ok := as.ProcessRegistry.GetLocal(pid.Id); !ok {
			t.Fatalf("actor %s not found by id", pid.Id)
		}
		// A PID made from the id alone has no cached process: it goes through the registry.
		got, err := as.Root.RequestFuture(actor.NewPID(pid.Address, pid.Id), strconv.Itoa(i), 5*time.Second).Result()
		if err != nil || got != strconv.Itoa(i) {
			t.Fatalf("actor %s answered %v, %v", pid.Id, got, err)
		}
	}
	for _, pid := range pids {
		if err := as.Root.StopFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
		if _, ok := as.ProcessRegistry.GetLocal(pid.Id); ok {
			t.Fatalf("stopped actor %s is still registered", pid.Id)
		}
	}
}
