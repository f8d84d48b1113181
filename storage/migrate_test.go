package storage

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// TestMigrationDropsOpenJobMarkers: a version 1 store, whose open jobs each had an office-wide
// marker (open/{job}) beside their contact's, opens as version 2 without those markers, and its
// open jobs are still listed, from the contacts' markers.
func TestMigrationDropsOpenJobMarkers(t *testing.T) {
	// The store as version 1 left it: two offices, an open job each, a delivered one without
	// markers; and a key of another kind whose name starts the same.
	db := migrateFrom(t, 1, func(b *pebble.Batch) {
		for _, office := range []string{"o1", "o2"} {
			rec := Encode(&balcao.Office{ID: office, Name: office})
			_ = b.Set(OfficeKey(office), rec, nil)
			_ = b.Set(officeKey(office, "open", "job-"+office), nil, nil)
			_ = b.Set(ContactJobKey(office, "5548999990001", "job-"+office), nil, nil)
		}
		_ = b.Set(officeKey("o1", "openings", "x"), []byte("kept"), nil)
	})
	for _, office := range []string{"o1", "o2"} {
		left := 0
		if err := db.Scan(officeKey(office, "open", ""), nil, false, func([]byte, []byte) bool { left++; return true }); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%s: %d open/ markers left", office, left)
		}
		if ids, err := db.OpenJobs(office); err != nil || !slices.Equal(ids, []string{"job-" + office}) {
			t.Errorf("%s: open jobs %v, %v; want [job-%s]", office, ids, err, office)
		}
	}
	if v, err := db.getRaw(officeKey("o1", "openings", "x")); err != nil || string(v) != "kept" {
		t.Errorf("a key outside open/ = %q, %v", v, err)
	}
}

// TestMigrationQueuesSpentLogins: a version 2 store's spent login link markers (used/{nonce},
// kept forever) open as version 3 each queued to go a login link's life after the upgrade (their
// links' expiries were not stored, and are no later): still there, and still refusing their
// links, until then; gone after.
func TestMigrationQueuesSpentLogins(t *testing.T) {
	upgraded := time.Now()
	db := migrateFrom(t, 2, func(b *pebble.Batch) {
		for _, office := range []string{"o1", "o2"} {
			_ = b.Set(OfficeKey(office), Encode(&balcao.Office{ID: office, Name: office}), nil)
			_ = b.Set(SpentLoginKey(office, "nonce-a-"+office), nil, nil)
			_ = b.Set(SpentLoginKey(office, "nonce-b-"+office), nil, nil)
		}
	})
	for _, office := range []string{"o1", "o2"} {
		if n, err := db.DropSpentLogins(office, upgraded.Add(legacyLoginLinkTTL-time.Minute)); err != nil || n != 0 {
			t.Errorf("%s: dropping the markers of links expired before a login link's life after the upgrade = %d, %v; want none", office, n, err)
		}
		for _, nonce := range []string{"nonce-a-" + office, "nonce-b-" + office} {
			if seen, err := db.Has(SpentLoginKey(office, nonce)); err != nil || !seen {
				t.Errorf("%s: marker %s before its queue time = %v, %v; want kept", office, nonce, seen, err)
			}
		}
		if n, err := db.DropSpentLogins(office, upgraded.Add(legacyLoginLinkTTL+time.Minute)); err != nil || n != 2 {
			t.Errorf("%s: dropping the markers a login link's life after the upgrade = %d, %v; want 2", office, n, err)
		}
		left := 0
		for _, p := range [][]byte{SpentLoginsPrefix(office), SpentLoginExpiriesPrefix(office)} {
			if err := db.Scan(p, nil, false, func([]byte, []byte) bool { left++; return true }); err != nil {
				t.Fatal(err)
			}
		}
		if left != 0 {
			t.Errorf("%s: %d spent login keys left after their time", office, left)
		}
	}
}

// TestMigrationQueuesSessions: a version 3 store's staff sessions (sess/{hash}, kept forever)
// open as version 4 each queued by its own expiry, as sessions written since are: an expired one
// goes at the next drop, a live one stays until it expires, and a record that does not decode
// (it lets no one in) goes at once.
func TestMigrationQueuesSessions(t *testing.T) {
	now := time.Now()
	db := migrateFrom(t, 3, func(b *pebble.Batch) {
		_ = b.Set(SessionKey("expired"), Encode(&balcao.Session{Office: "o1", User: "a", Expires: now.Add(-time.Hour)}), nil)
		_ = b.Set(SessionKey("live"), Encode(&balcao.Session{Office: "o1", User: "b", Expires: now.Add(12 * time.Hour)}), nil)
		_ = b.Set(SessionKey("corrupt"), []byte{0xc1}, nil)
	})
	left := func() (hashes []string) {
		t.Helper()
		for _, p := range [][]byte{SessionsPrefix(), SessionExpiriesPrefix()} {
			err := db.Scan(p, nil, false, func(k, _ []byte) bool {
				if _, hash, ok := ParseSessionExpiryKey(k); ok {
					hashes = append(hashes, "queued "+hash)
				} else {
					hashes = append(hashes, string(k[len(p):]))
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return hashes
	}
	if n, err := db.DropSessions(time.Now().Add(time.Minute)); err != nil || n != 2 {
		t.Errorf("dropping the expired sessions after the upgrade = %d, %v; want 2 (the expired and the corrupt one)", n, err)
	}
	if got := left(); !slices.Equal(got, []string{"live", "queued live"}) {
		t.Errorf("left after the expired ones went: %q; want the live session and its entry", got)
	}
	if n, err := db.DropSessions(now.Add(12*time.Hour + time.Minute)); err != nil || n != 1 {
		t.Errorf("dropping the sessions once the live one expired = %d, %v; want 1", n, err)
	}
	if got := left(); len(got) != 0 {
		t.Errorf("left after every session expired: %q", got)
	}
}

// migrateFrom opens a store written as schema version from left it (fill adds its keys), and
// checks that it opens migrated to schemaVersion; the store is closed after the test.
func migrateFrom(t *testing.T, from int, fill func(b *pebble.Batch)) *DB {
	t.Helper()
	dir := t.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	db, err := Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	b := db.pdb.NewBatch()
	fill(b)
	_ = b.Set([]byte(keyVersion), beBytes(uint64(from)), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, quiet); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if raw, err := db.getRaw([]byte(keyVersion)); err != nil || beUint64(raw) != schemaVersion {
		t.Fatalf("version after the migration = %x, %v; want %d", raw, err, schemaVersion)
	}
	return db
}

// TestExpiryQueueDropsBeyondOneBatch: an expiry queue longer than a batch is emptied of all its
// expired entries, and their records, in one call; what has not expired stays.
func TestExpiryQueueDropsBeyondOneBatch(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	const expired = 2*expiredPerBatch + 7
	b := &Batch{}
	for i := range expired + 1 {
		at := now.Add(-time.Hour + time.Duration(i)*time.Millisecond)
		if i == expired {
			at = now.Add(time.Hour)
		}
		hash := fmt.Sprintf("h%05d", i)
		b.Put(SessionKey(hash), &balcao.Session{Office: "o1", User: "u", Expires: at})
		b.Set(SessionExpiryKey(at, hash), nil)
	}
	if err := db.Writer.CommitSettled(b); err != nil {
		t.Fatal(err)
	}
	if n, err := db.DropSessions(now); err != nil || n != expired {
		t.Fatalf("DropSessions = %d, %v; want %d", n, err, expired)
	}
	left := 0
	for _, prefix := range [][]byte{SessionsPrefix(), SessionExpiriesPrefix()} {
		if err := db.Scan(prefix, nil, false, func(_, _ []byte) bool { left++; return true }); err != nil {
			t.Fatal(err)
		}
	}
	if left != 2 {
		t.Errorf("%d keys left, want the live session and its entry", left)
	}
}
