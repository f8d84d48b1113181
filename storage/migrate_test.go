package storage

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// TestMigrationDropsOpenJobMarkers: a version 1 store, whose open jobs each had an office-wide
// marker (open/{job}) beside their contact's, opens as version 2 without those markers, and its
// open jobs are still listed, from the contacts' markers.
func TestMigrationDropsOpenJobMarkers(t *testing.T) {
	dir := t.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	db, err := Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	// The store as version 1 left it: two offices, an open job each, a delivered one without
	// markers; and a key of another kind whose name starts the same.
	b := db.pdb.NewBatch()
	for _, office := range []string{"o1", "o2"} {
		rec := Encode(&balcao.Office{ID: office, Name: office})
		_ = b.Set(OfficeKey(office), rec, nil)
		_ = b.Set(officeKey(office, "open", "job-"+office), nil, nil)
		_ = b.Set(ContactJobKey(office, "5548999990001", "job-"+office), nil, nil)
	}
	_ = b.Set(officeKey("o1", "openings", "x"), []byte("kept"), nil)
	_ = b.Set([]byte(keyVersion), beBytes(1), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if raw, err := db.getRaw([]byte(keyVersion)); err != nil || beUint64(raw) != schemaVersion {
		t.Fatalf("version after the migration = %x, %v; want %d", raw, err, schemaVersion)
	}
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
