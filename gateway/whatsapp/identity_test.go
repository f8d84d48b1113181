package whatsapp

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	_ "modernc.org/sqlite"
)

// testLIDs returns whatsmeow's real LID map on a temporary database.
func testLIDs(t *testing.T) *sqlstore.CachedLIDMap {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "lids.db") + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)"
	c, err := sqlstore.New(context.Background(), "sqlite", dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LIDMap
}

func TestIdentitiesPhone(t *testing.T) {
	ctx := context.Background()
	lids := testLIDs(t)
	storedLID := types.JID{User: "987654321098765", Server: types.HiddenUserServer}
	oldBR := types.JID{User: "554899990002", Server: types.DefaultUserServer} // without the ninth digit
	if err := lids.PutLIDMapping(ctx, storedLID, oldBR); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		jid     types.JID
		alt     types.JID
		want    string
		wantErr error
		wantPN  types.JID // remembered for replies
		closing bool      // the session's context is cancelled: the store's query fails
	}{
		{name: "phone number", jid: clientPN, want: "5548999990001", wantPN: clientPN},
		{name: "phone number of one device", jid: types.JID{User: "5548999990001", Device: 3, Server: types.DefaultUserServer}, want: "5548999990001", wantPN: clientPN},
		{name: "lid with its phone alongside", jid: clientLID, alt: types.JID{User: "5548999990001", Device: 2, Server: types.DefaultUserServer}, want: "5548999990001", wantPN: clientPN},
		{name: "lid known to the store", jid: storedLID, want: "5548999990002", wantPN: oldBR},
		{name: "old brazilian number gets its ninth digit", jid: oldBR, want: "5548999990002", wantPN: oldBR},
		{name: "lid unknown", jid: types.JID{User: "111", Server: types.HiddenUserServer}, wantErr: errUnknownLID},
		{name: "group", jid: groupJID, wantErr: errNotPerson},
		{name: "phone-number jid that is no phone", jid: types.JID{User: "12", Server: types.DefaultUserServer}, wantErr: errNotPerson},
		{name: "lid look-up fails", jid: clientLID, closing: true, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := newIdentities(lids)
			ctx := ctx
			if tt.closing {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancel()
			}
			got, err := ids.phone(ctx, tt.jid, tt.alt)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || errors.Is(err, errNotPerson) != errors.Is(tt.wantErr, errNotPerson) {
					t.Fatalf("phone(%s) error = %v, want %v", tt.jid, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("phone(%s) = %q, %v, want %q", tt.jid, got, err, tt.want)
			}
			if pn, ok := ids.jid(got); !ok || pn != tt.wantPN {
				t.Errorf("jid(%s) = %s, %v, want %s", got, pn, ok, tt.wantPN)
			}
		})
	}
}

// Both identities of one person name one contact.
func TestIdentitiesOnePerson(t *testing.T) {
	ctx := context.Background()
	lids := testLIDs(t)
	if err := lids.PutLIDMapping(ctx, clientLID, clientPN); err != nil {
		t.Fatal(err)
	}
	ids := newIdentities(lids)
	byPN, err := ids.phone(ctx, clientPN, types.JID{})
	if err != nil {
		t.Fatal(err)
	}
	byLID, err := ids.phone(ctx, clientLID, types.JID{})
	if err != nil {
		t.Fatal(err)
	}
	if byPN != byLID {
		t.Errorf("phone by pn = %q, by lid = %q: want one contact", byPN, byLID)
	}
}

func TestIdentitiesBounded(t *testing.T) {
	ids := newIdentities(nil)
	for i := range maxKnownJIDs + 10 {
		ids.remember(string(rune('a'+i%26))+string(rune(i)), clientPN)
	}
	if n := len(ids.known); n > maxKnownJIDs {
		t.Errorf("known = %d entries, want at most %d", n, maxKnownJIDs)
	}
}
