package storage

import "sync"

// decoded keeps records decoded after their first read: the few read on every turn or request
// (an office, its settings, its staff accounts), whose keys sit in sstables whose cached blocks
// each compaction invalidates. A record changes only through write, which holds the lock
// across the durable write, so that a read that missed cannot store the value it replaced (a
// miss waits for a write under way; hits never wait).
type decoded[T any] struct {
	m  sync.Map // key → T
	mu sync.Mutex
}

// get returns the record of key, reading it with read the first time; errors are not kept.
func (d *decoded[T]) get(key string, read func() (T, error)) (T, error) {
	if v, ok := d.m.Load(key); ok {
		return v.(T), nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.m.Load(key); ok {
		return v.(T), nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	d.m.Store(key, v)
	return v, nil
}

// write runs the durable write w of key's record; once it succeeded, v is the record (or
// there is none, when gone). When it fails the record is read again next time: it may or may
// not have been written. w must not return before its write is settled (Writer.CommitSettled:
// a batch still in the writer would land after a read that missed cached the record it
// replaces, and the cache would keep that).
func (d *decoded[T]) write(key string, v T, gone bool, w func() error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := w()
	if err != nil || gone {
		d.m.Delete(key)
		return err
	}
	d.m.Store(key, v)
	return nil
}
