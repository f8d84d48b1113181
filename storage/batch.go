package storage

import (
	"fmt"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// Batch is a set of changes committed atomically. Build it with Put, Set and Delete and hand it
// to Writer.Submit; it must not be touched until its callback ran (it is empty then, and may
// be filled again).
//
// Its change list and the records Put encodes live in memory the batch takes from a pool and
// the writer gives back once it copied them into its Pebble batch, so that a steady stream of
// turns allocates neither; nor do keys built with Key. Other keys and the values given to Set
// are the caller's and are only read.
type Batch struct {
	mem  *batchMem
	size int
}

type op struct {
	key, value []byte
	kind       opKind
	n          uint32 // its place in the writer's group, which a key changed twice keeps in the sort
}

type opKind uint8

const (
	opSet opKind = iota
	opDelete
	opDeleteSingle
)

// batchMem is the pooled memory of a Batch: the change list, and an arena holding the records
// encoded by Put (values point into it).
type batchMem struct {
	ops   []op
	arena []byte
}

const (
	batchOps   = 16   // a turn's usual number of changes
	batchArena = 2048 // a turn's usual encoded records (messages, transition, conversation)
	// Memory grown past these bounds (an import of 500 contacts) is left to the collector rather
	// than kept in the pool.
	maxPooledOps   = 256
	maxPooledArena = 64 << 10
)

var batchMems = sync.Pool{New: func() any {
	return &batchMem{ops: make([]op, 0, batchOps), arena: make([]byte, 0, batchArena)}
}}

func (b *Batch) memory() *batchMem {
	if b.mem == nil {
		b.mem = batchMems.Get().(*batchMem)
	}
	return b.mem
}

// release gives the batch's memory back to the pool and empties it. Called by the writer once
// the changes are copied into Pebble's batch: no value of b is read after it.
func (b *Batch) release() {
	if b == nil || b.mem == nil {
		return
	}
	m := b.mem
	b.mem, b.size = nil, 0
	if cap(m.ops) > maxPooledOps || cap(m.arena) > maxPooledArena {
		return
	}
	clear(m.ops) // drop the caller's keys and values
	m.ops, m.arena = m.ops[:0], m.arena[:0]
	batchMems.Put(m)
}

// Put stores a record encoded with msgpack (as Encode writes it).
func (b *Batch) Put(key []byte, record any) {
	m := b.memory()
	start := len(m.arena)
	m.arena = appendRecord(m.arena, record)
	// The full slice expression keeps later appends from writing past this value. When the
	// append above had to grow the arena, earlier values still point into the old one, which
	// stays valid.
	b.add(m, op{key: key, value: m.arena[start:len(m.arena):len(m.arena)]})
}

// Key returns the key build appends to an empty slice, built in the batch's memory: it lives
// as long as the batch's records (until the writer's callback) and takes no allocation of its
// own. The storage.Append…Key functions build the keys a turn writes this way (as their own
// allocations they were 6 % of the bytes a run at 15 000 msg/s allocated).
func (b *Batch) Key(build func(dst []byte) []byte) []byte {
	m := b.memory()
	start := len(m.arena)
	m.arena = build(m.arena)
	return m.arena[start:len(m.arena):len(m.arena)]
}

// Set stores raw bytes.
func (b *Batch) Set(key, value []byte) { b.add(b.memory(), op{key: key, value: value}) }

// Delete removes a key.
func (b *Batch) Delete(key []byte) { b.add(b.memory(), op{key: key, kind: opDelete}) }

// DeleteSingle removes a key that was set once since it was last deleted (or ever), such as
// an index entry that names a time or a sequence number: a key that is set when something
// enters it and deleted when it leaves. It is Pebble's SingleDelete: where the deletion meets
// the set in a flush or compaction, both vanish, instead of the tombstone going down every
// level as a Delete's does. An inbox index move, an outbox entry and a job's index entries
// are ~4 of a turn's ~17 changes, so this takes a quarter of the entries out of each flush
// (BENCHMARKS.md, twelfth round). On a key set twice, an older value may come back: Pebble
// reports that as possible misuse, which the DB logs as an error (StoreStats.SingleDeleteMisuse).
func (b *Batch) DeleteSingle(key []byte) { b.add(b.memory(), op{key: key, kind: opDeleteSingle}) }

func (b *Batch) add(m *batchMem, o op) {
	m.ops = append(m.ops, o)
	b.size += len(o.key) + len(o.value)
}

// Truncate drops the changes after the first n.
func (b *Batch) Truncate(n int) {
	if b.mem == nil {
		return
	}
	ops := b.mem.ops
	for _, o := range ops[n:] {
		b.size -= len(o.key) + len(o.value)
	}
	clear(ops[n:])
	b.mem.ops = ops[:n]
}

// Len is the number of changes in the batch.
func (b *Batch) Len() int {
	if b.mem == nil {
		return 0
	}
	return len(b.mem.ops)
}

// reprSize bounds the bytes the changes take in a Pebble batch: each is a kind byte, two
// varint lengths, the key and the value (and a 12-byte header per batch).
func (b *Batch) reprSize() int {
	if b == nil || b.mem == nil {
		return 0
	}
	return 12 + b.size + 11*len(b.mem.ops)
}

func (b *Batch) ops() []op {
	if b == nil || b.mem == nil {
		return nil
	}
	return b.mem.ops
}

// appendRecord appends the encoding of record to dst: the hand-written codecs, else msgpack's
// reflective encoder writing straight into dst (what msgpack.Marshal writes, without its copy).
func appendRecord(dst []byte, record any) []byte {
	if out, ok := appendFast(dst, record); ok {
		return out
	}
	return appendReflect(dst, record)
}

func appendReflect(dst []byte, record any) []byte {
	if cap(dst)-len(dst) < 128 {
		dst = grow(dst, 128) // as bytes.Buffer starts, without its many small steps
	}
	w := &appendWriter{b: dst}
	enc := msgpack.GetEncoder()
	enc.Reset(w) // as msgpack.Marshal does
	err := enc.Encode(record)
	msgpack.PutEncoder(enc)
	if err != nil {
		// Only our own record types are encoded; they always marshal.
		panic(fmt.Sprintf("encode %T: %v", record, err))
	}
	return w.b
}

// appendWriter is an io.Writer (and io.ByteWriter, which msgpack uses as it is) appending to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *appendWriter) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}
