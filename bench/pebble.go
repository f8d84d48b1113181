package bench

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao/storage"
)

// PebbleResult is the raw synced-commit limit of the disk.
type PebbleResult struct {
	Dir           string  `json:"dir"`
	Writers       int     `json:"writers"`
	Seconds       float64 `json:"seconds"`
	Commits       int64   `json:"commits"`
	CommitsPerSec float64 `json:"commits_per_sec"`
	CommitP99Ms   float64 `json:"commit_p99_ms"`
}

// pebbleLimit opens a separate Pebble in a temp dir under parent, with the options of
// storage.Open, and has `writers` goroutines commit
// small batches (one 16-byte key, 100-byte value) with pebble.Sync for d, nothing else running.
// This is the naive design, one fsync-waiting commit per message, that Pebble's own group
// commit helps as writers are added.
func pebbleLimit(parent string, writers int, d time.Duration) (PebbleResult, error) {
	dir, err := os.MkdirTemp(parent, "balcao-pebble-limit-")
	if err != nil {
		return PebbleResult{}, err
	}
	defer os.RemoveAll(dir)
	opts := storage.Options(slog.New(slog.DiscardHandler))
	defer opts.Cache.Unref()
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return PebbleResult{}, fmt.Errorf("open pebble: %w", err)
	}
	defer db.Close()
	var (
		commits atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		firstEr error
		rec     = newRecorder()
	)
	value := make([]byte, 100)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			key := make([]byte, 16)
			binary.BigEndian.PutUint64(key, uint64(w))
			for i := uint64(0); time.Now().Before(deadline); i++ {
				binary.BigEndian.PutUint64(key[8:], i)
				b := db.NewBatch()
				_ = b.Set(key, value, nil)
				t := time.Now()
				err := b.Commit(pebble.Sync)
				rec.record(w, time.Since(t))
				b.Close()
				if err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
					return
				}
				commits.Add(1)
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	r := PebbleResult{Dir: dir, Writers: writers, Seconds: el.Seconds(), Commits: commits.Load()}
	r.CommitsPerSec = float64(r.Commits) / el.Seconds()
	r.CommitP99Ms = ms(rec.merged().ValueAtQuantile(99))
	return r, firstEr
}

// PebbleLimit is pebbleLimit for tools that compare other designs with it (tools/floor).
func PebbleLimit(parent string, writers int, d time.Duration) (PebbleResult, error) {
	return pebbleLimit(parent, writers, d)
}
