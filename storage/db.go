package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/balcao/balcao"
)

// DB is Balcão's Pebble database. Reads go straight to Pebble; writes go through the Writer
// (group commit) so that every acknowledged change is synced.
type DB struct {
	pdb      *pebble.DB
	log      *slog.Logger
	Writer   *Writer
	settings decoded[balcao.Settings] // by office (see Settings)
	offices  decoded[balcao.Office]   // by office, which never changes once stored (see Office)
	staff    decoded[balcao.Staff]    // by StaffKey (see Staff)
	events   *pebbleEvents
	wal      *walPacer // Pebble asks it after each WAL sync
	gate     *compactionGate
	flushes  *flushYield
	readers  readers // Pebble reads in flight, which Close waits for
}

// schemaVersion is the newest migration. Migrations run in order at Open.
const schemaVersion = 4

// Options are Balcão's Pebble options (FIELD-NOTES: these removed the write stalls of the
// defaults), with bloom filters on every level. The caller unrefs opts.Cache after Open.
//
// L0CompactionThreshold is 8, not FIELD-NOTES' 2: Pebble compacts L0 once it holds half the
// threshold in sublevels, so four flushed tables instead of one. Every flush spans all
// conversations, so each compaction out of L0 rewrites the whole base level (most of the
// keys: values live in blob files), and merging four tables into it at once instead of one
// rewrites it a quarter as often. At 15 000 msg/s over 90 s: 128 compactions instead of 461,
// CPU per message −13 %, reply p99 16.8 → 13.5 ms (BENCHMARKS.md, twelfth round). 16 was
// worse again (every read looks in more tables); the restart does not wait for compactions
// (compactionGate), and L0StopWritesThreshold keeps writes from stalling on them.
func Options(log *slog.Logger) *pebble.Options {
	opts := &pebble.Options{
		Cache:                       pebble.NewCache(64 << 20),
		MemTableSize:                64 << 20,
		MemTableStopWritesThreshold: 4,
		L0CompactionThreshold:       8,
		L0StopWritesThreshold:       1000,
		LBaseMaxBytes:               64 << 20,
		FormatMajorVersion:          pebble.FormatValueSeparation,
		Logger:                      pebbleLogger{log},
	}
	// Bloom filters on every level: the redelivery check of each inbound message is a Get that
	// almost always misses, and must not read sstable blocks to find that out.
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	// Values of 256 bytes and more (replies, conversation and job records) go to blob files
	// at flush, and compactions move their references instead of rewriting them until an
	// sstable would refer to more than 10 overlapping blob files. Every turn writes keys across
	// all conversations, so each flush overlaps the whole next level: this made compactions a
	// third cheaper over a minute at 2 000 msg/s (BENCHMARKS.md, sixth round). Blob files whose
	// values are mostly overwritten (delivery statuses, records rewritten) are rewritten once
	// a fifth is garbage and they are five minutes old.
	opts.Experimental.ValueSeparationPolicy = func() pebble.ValueSeparationPolicy {
		return pebble.ValueSeparationPolicy{
			Enabled: true, MinimumSize: 256, MaxBlobReferenceDepth: 10,
			RewriteMinimumAge: 5 * time.Minute, TargetGarbageRatio: 0.2,
		}
	}
	return opts
}

// ErrInUse is returned by Open when another process holds the database's lock file.
var ErrInUse = errors.New("in use by another process (is another balcao serve running on this data dir?)")

// Open opens (creating if needed) the database in dir and starts its writer. It fails with
// ErrInUse when another process has the database open.
func Open(dir string, log *slog.Logger) (*DB, error) {
	opts := Options(log)
	defer opts.Cache.Unref()
	ev := &pebbleEvents{log: log}
	opts.EventListener = ev.listener()
	gate := newCompactionGate() // no compaction before Open returns (see compactionGate)
	opts.Experimental.CompactionScheduler = gate
	flushes := &flushYield{stalled: ev.stalled}
	opts.FS = gentleFS{FS: vfs.Default, flushes: flushes}
	pacer := &walPacer{now: time.Now}
	opts.WALMinSyncInterval = pacer.minSyncInterval
	pdb, err := pebble.Open(dir, opts)
	if errors.Is(err, syscall.EAGAIN) {
		err = ErrInUse // Pebble's fcntl(F_SETLK) on its LOCK file, held by another process
	}
	if err != nil {
		return nil, fmt.Errorf("open pebble %s: %w", dir, err)
	}
	gate.open(func() int { return int(pdb.Metrics().Levels[0].Sublevels) })
	flushes.open(pdb)
	ev.fsync = pdb.Metrics().LogWriter.FsyncLatency
	db := &DB{pdb: pdb, log: log, events: ev, wal: pacer, gate: gate, flushes: flushes, readers: newReaders()}
	if err := db.migrate(); err != nil {
		pdb.Close()
		return nil, err
	}
	db.Writer = newWriter(pdb, log)
	pacer.commits.Store(&db.Writer.groups)
	return db, nil
}

// Close refuses reads from now on (they return balcao.ErrClosed) and waits for those in
// flight, stops the writer, after everything submitted is committed, flushes the memtable (so
// that the next start has no log to replay) and closes Pebble. A write submitted while the
// reads drain still lands; one submitted after is refused (Writer.Submit). Called again, it
// returns balcao.ErrClosed.
//
// Every read is bounded by the data it goes over: a Scan's callback must not wait on anything
// outside the process (a client's connection), or Close waits with it.
func (db *DB) Close() error {
	if !db.readers.close() {
		return balcao.ErrClosed
	}
	db.Writer.close()
	db.flushes.closing.Store(true)
	ferr := db.pdb.Flush()
	return errors.Join(ferr, db.pdb.Close())
}

// Settle flushes the memtable and waits, until ctx ends, for the compactions that follow to
// finish: the storage is then as after a quiet spell. For measurements that must not inherit
// the background work of the ones before (the bench harness between its ramp and its run).
//
// A compaction that ends often lets Pebble pick the next one a moment later (an L0 file
// compacted into Lbase can leave Lbase over its size), so Settle returns only once no
// compaction has run and none has started over settleQuiet. Pebble's estimated debt is not
// asked: it counts every byte in L0 as due for compaction, and L0 keeps up to three flushed
// tables until a fourth makes it compact them together (L0CompactionThreshold 8), as after
// any quiet spell.
func (db *DB) Settle(ctx context.Context) error {
	if err := db.Writer.Commit(ctx, nil); err != nil {
		return err
	}
	if err := db.flush(); err != nil {
		return err
	}
	var quietSince time.Time
	last := int64(-1)
	for {
		m := db.pdb.Metrics()
		now := time.Now()
		switch {
		case m.Compact.NumInProgress > 0 || m.Compact.Count != last:
			quietSince, last = now, m.Compact.Count
		case now.Sub(quietSince) >= settleQuiet:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(settlePoll):
		}
	}
}

// flush flushes the memtable; balcao.ErrClosed once Close began.
func (db *DB) flush() error {
	if !db.readers.enter() {
		return balcao.ErrClosed
	}
	defer db.readers.leave()
	return db.pdb.Flush()
}

const (
	settlePoll  = 50 * time.Millisecond
	settleQuiet = 500 * time.Millisecond
)

func (db *DB) migrate() error {
	var v uint64
	if raw, err := db.getRaw([]byte(keyVersion)); err == nil && len(raw) == 8 {
		v = beUint64(raw)
	} else if err != nil && !errors.Is(err, balcao.ErrNotFound) {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this binary's %d", v, schemaVersion)
	}
	// Version 1 is the first layout. Later migrations go here, in order.
	if v == 1 {
		if err := db.dropOpenJobMarkers(); err != nil {
			return fmt.Errorf("migrate to version 2: %w", err)
		}
	}
	if v == 1 || v == 2 {
		if err := db.queueSpentLogins(time.Now()); err != nil {
			return fmt.Errorf("migrate to version 3: %w", err)
		}
	}
	if v >= 1 && v <= 3 {
		if err := db.queueSessions(time.Now()); err != nil {
			return fmt.Errorf("migrate to version 4: %w", err)
		}
	}
	if v < schemaVersion {
		if err := db.pdb.Set([]byte(keyVersion), beBytes(schemaVersion), pebble.Sync); err != nil {
			return fmt.Errorf("write schema version: %w", err)
		}
	}
	return nil
}

// dropOpenJobMarkers deletes the o/{office}/open/{job} markers of version 1: each open job had
// one beside its contact's (cj/{phone}/{job}), set and deleted in the same batches, and the
// office's open jobs are now read from those (OpenJobsPrefix).
func (db *DB) dropOpenJobMarkers() error {
	offices, err := db.Offices()
	if err != nil {
		return err
	}
	b := db.pdb.NewBatch()
	defer b.Close()
	for _, o := range offices {
		err := db.Scan(officeKey(o.ID, "open", ""), nil, false, func(k, _ []byte) bool {
			_ = b.Delete(k, nil) // copied into the batch
			return true
		})
		if err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}

// getRaw returns a copy of the value at key, or balcao.ErrNotFound.
func (db *DB) getRaw(key []byte) ([]byte, error) {
	var out []byte
	err := db.view(key, func(v []byte) error {
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// view calls fn with the value at key, valid only during the call; balcao.ErrNotFound when
// there is none, balcao.ErrClosed once Close began.
func (db *DB) view(key []byte, fn func(v []byte) error) error {
	if !db.readers.enter() {
		return balcao.ErrClosed
	}
	defer db.readers.leave()
	v, closer, err := db.pdb.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return balcao.ErrNotFound
	}
	if err != nil {
		return err
	}
	err = fn(v)
	closer.Close()
	return err
}

// Get decodes the record at key into v; balcao.ErrNotFound when there is none.
func (db *DB) Get(key []byte, v any) error {
	// Decoded straight from Pebble's value: msgpack reads through an io.Reader and copies
	// every string and byte slice it returns, so nothing decoded points into v.
	return db.view(key, func(raw []byte) error {
		if err := Decode(raw, v); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
		return nil
	})
}

// Value returns a copy of the raw value at key, or balcao.ErrNotFound.
func (db *DB) Value(key []byte) ([]byte, error) { return db.getRaw(key) }

// Has reports whether key exists.
func (db *DB) Has(key []byte) (bool, error) {
	err := db.view(key, func([]byte) error { return nil })
	if errors.Is(err, balcao.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Scan calls fn for each key under prefix in order, starting after the key `after` (if not nil)
// and in reverse when reverse is set; fn returns false to stop. It returns balcao.ErrClosed
// once Close began; Close waits for a Scan under way (fn must not block: see Close).
func (db *DB) Scan(prefix, after []byte, reverse bool, fn func(key, value []byte) bool) error {
	if !db.readers.enter() {
		return balcao.ErrClosed
	}
	defer db.readers.leave()
	opts := &pebble.IterOptions{LowerBound: prefix, UpperBound: PrefixEnd(prefix)}
	if after != nil {
		if reverse {
			opts.UpperBound = after
		} else {
			opts.LowerBound = append(bytes.Clone(after), 0)
		}
	}
	it, err := db.pdb.NewIter(opts)
	if err != nil {
		return fmt.Errorf("scan %s: %w", prefix, err)
	}
	var ok bool
	if reverse {
		ok = it.Last()
	} else {
		ok = it.First()
	}
	for ; ok; ok = next(it, reverse) {
		if !fn(it.Key(), it.Value()) {
			break
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("scan %s: %w", prefix, err)
	}
	return nil
}

func next(it *pebble.Iterator, reverse bool) bool {
	if reverse {
		return it.Prev()
	}
	return it.Next()
}

// Encode marshals a record for storage (hand-written codecs for the hottest records, see
// codec.go; msgpack's reflective encoder for the others).
func Encode(v any) []byte { return appendRecord(nil, v) }

// Decode unmarshals a stored record.
func Decode(b []byte, v any) error {
	if ok, err := decodeFast(b, v); ok {
		return err
	}
	return msgpack.Unmarshal(b, v)
}

func beBytes(n uint64) []byte {
	return []byte{byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func beUint64(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

// pebbleLogger sends Pebble's messages to slog.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("pebble", "msg", fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("pebble", "msg", fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	l.log.Error("pebble fatal", "msg", fmt.Sprintf(format, args...))
	panic(fmt.Sprintf(format, args...))
}
