package storage_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// TestTimeKeysSortOutsideTheirRange: a time the keys cannot hold in nanoseconds since 1970
// sorts before (1969) or after (2600) every time they can, in every time-ordered key, oldest or
// newest first: UnixNano wrapped, and a schedule for 2600 sorted as due in 2015.
func TestTimeKeysSortOutsideTheirRange(t *testing.T) {
	early, first, last, late := time.Date(1969, 12, 1, 0, 0, 0, 0, time.UTC), time.Unix(1, 0),
		time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2600, 1, 1, 9, 0, 0, 0, time.UTC)
	for name, key := range map[string]func(time.Time) []byte{
		"schedule due": func(at time.Time) []byte { return storage.ScheduleDueKey("o", at, "s") },
		"service":      func(at time.Time) []byte { return storage.ServiceKey("o", at, "s") },
		"pending tab":  func(at time.Time) []byte { return storage.IndexKey("o", balcao.TabPending, at, "5548999990001") },
	} {
		if !(bytes.Compare(key(early), key(first)) < 0 && bytes.Compare(key(first), key(last)) < 0 && bytes.Compare(key(last), key(late)) < 0) {
			t.Errorf("%s keys of 1969, 1970, 2262 and 2600 out of order", name)
		}
	}
	// Newest first.
	if k := func(at time.Time) []byte { return storage.JobIndexKey("o", balcao.JobWaiting, at, "j") }; !(bytes.Compare(k(late), k(last)) < 0 && bytes.Compare(k(first), k(early)) < 0) {
		t.Error("request-centre keys of 2600 and 1969 out of order")
	}
}
