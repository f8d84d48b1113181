package storage

import (
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/balcao/balcao"
)

// legacyLoginLinkTTL is how long the portal login links that versions 1 and 2 marked as spent
// lasted at most (the engine's loginLinkTTL when they were written).
const legacyLoginLinkTTL = 24 * time.Hour

// queueSpentLogins gives each spent login link marker of versions 1 and 2 (used/{nonce}, kept
// forever) an entry in the queue of their links' expiries (usedx/), as if its link expired
// legacyLoginLinkTTL after now: its real expiry is not stored, and is no later than that. From
// version 3 a marker is written with its entry, and both go once the link has expired.
func (db *DB) queueSpentLogins(now time.Time) error {
	offices, err := db.Offices()
	if err != nil {
		return err
	}
	expires := now.Add(legacyLoginLinkTTL)
	b := db.pdb.NewBatch()
	defer b.Close()
	for _, o := range offices {
		prefix := SpentLoginsPrefix(o.ID)
		err := db.Scan(prefix, nil, false, func(k, _ []byte) bool {
			_ = b.Set(SpentLoginExpiryKey(o.ID, expires, string(k[len(prefix):])), nil, nil)
			return true
		})
		if err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}

// queueSessions gives each staff session of versions 1 to 3 (sess/{hash}, kept forever) an
// entry in the queue of sessions' expiries (sessx/) by its expiry, so that the scheduler drops
// it once expired, as it does those written since. A record that does not decode lets no one
// in (Session answers an error): it is queued as expired now.
func (db *DB) queueSessions(now time.Time) error {
	b := db.pdb.NewBatch()
	defer b.Close()
	prefix := SessionsPrefix()
	err := db.Scan(prefix, nil, false, func(k, v []byte) bool {
		var s balcao.Session
		expires := now
		if Decode(v, &s) == nil {
			expires = s.Expires
		}
		_ = b.Set(SessionExpiryKey(expires, string(k[len(prefix):])), nil, nil)
		return true
	})
	if err != nil {
		return err
	}
	return b.Commit(pebble.Sync)
}
