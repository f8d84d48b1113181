package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	cmap "github.com/orcaman/concurrent-map"
)

// registryMaps is how many concurrent maps the process registry spreads the actors over
// (each is 32 locked shards): 256 shards in all.
const registryMaps = 8

// shrinkRegistry replaces protoactor's process registry, 1 024 concurrent maps of 32 shards
// each (32 768 locked maps, ~65 000 heap objects before the first actor), with registryMaps
// of them, keeping what the system registered at its creation (dead letters, event stream).
// The garbage collector marks every live object on each cycle: those made an eighth of the
// live heap's objects with 10 000 conversation actors, and the mark phase of each cycle took
// a fifth less CPU without them (BENCHMARKS.md, tenth round). 256 shards are plenty: a PID
// caches its process, so the registry is read only to spawn, stop and resolve a PID not yet
// used, and it is the office actors and futures that do that.
//
// It must run right after actor.NewActorSystem, before anything is spawned.
func shrinkRegistry(as *actor.ActorSystem) {
	maps := make([]cmap.ConcurrentMap, registryMaps)
	for i := range maps {
		maps[i] = cmap.New()
	}
	small := &actor.SliceMap{LocalPIDs: maps}
	for _, m := range as.ProcessRegistry.LocalPIDs.LocalPIDs {
		// IterCb, not Items: Items runs a goroutine per shard (32 768 of them, ~45 ms at every
		// start to copy two entries).
		m.IterCb(func(id string, p any) { small.GetBucket(id).Set(id, p) })
	}
	as.ProcessRegistry.LocalPIDs = small
}
