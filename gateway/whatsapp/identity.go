package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.mau.fi/whatsmeow/types"

	"github.com/balcao/balcao"
)

// errUnknownLID is returned when a LID has no known phone number yet.
var errUnknownLID = errors.New("lid without a known phone number")

// errNotPerson is returned for a JID that is not one person's account (a group, a newsletter,
// a user that is no phone number): nothing to wait for, the event can be dropped. Any other
// error from identities.phone but errUnknownLID is a failed look-up (the store busy, an I/O
// error, the session closing) that may succeed on another delivery.
var errNotPerson = errors.New("not a person's jid")

// lidStore is the part of whatsmeow's store.LIDStore identities need.
type lidStore interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// maxKnownJIDs bounds the phone → JID memory; when full it is emptied and refilled as
// messages arrive (a miss costs one IsOnWhatsApp query).
const maxKnownJIDs = 10000

// identities maps WhatsApp's two identities of a person (phone number JID and LID) to one
// Balcão phone, and remembers the exact phone-number JID each phone writes from so that the
// reply goes to the same account (old Brazilian numbers are registered without the ninth digit).
type identities struct {
	lids lidStore

	mu    sync.Mutex
	known map[string]types.JID // normalized phone → phone-number JID; mu guards it
}

func newIdentities(lids lidStore) *identities {
	return &identities{lids: lids, known: map[string]types.JID{}}
}

// phone returns the E.164 digits of the person behind jid; alt is the other identity whatsmeow
// may carry with it (MessageSource.SenderAlt), empty when none.
func (ids *identities) phone(ctx context.Context, jid, alt types.JID) (string, error) {
	pn, err := ids.pnJID(ctx, jid.ToNonAD(), alt.ToNonAD())
	if err != nil {
		return "", err
	}
	phone, err := balcao.NormalizePhone(pn.User)
	if err != nil {
		return "", fmt.Errorf("jid user: %w: %w", errNotPerson, err)
	}
	ids.remember(phone, pn)
	return phone, nil
}

func (ids *identities) pnJID(ctx context.Context, jid, alt types.JID) (types.JID, error) {
	switch jid.Server {
	case types.DefaultUserServer, types.LegacyUserServer:
		return types.NewJID(jid.User, types.DefaultUserServer), nil
	case types.HiddenUserServer:
		if alt.Server == types.DefaultUserServer && alt.User != "" {
			return alt, nil
		}
		if ids.lids == nil {
			return types.JID{}, errUnknownLID
		}
		pn, err := ids.lids.GetPNForLID(ctx, jid)
		if err != nil {
			return types.JID{}, fmt.Errorf("look up lid: %w", err)
		}
		if pn.IsEmpty() || pn.User == "" {
			return types.JID{}, errUnknownLID
		}
		return pn.ToNonAD(), nil
	}
	return types.JID{}, fmt.Errorf("%s: %w", jid.Server, errNotPerson)
}

func (ids *identities) remember(phone string, pn types.JID) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if _, ok := ids.known[phone]; !ok && len(ids.known) >= maxKnownJIDs {
		clear(ids.known)
	}
	ids.known[phone] = pn
}

// jid returns the phone-number JID a phone last wrote from, if it wrote since start.
func (ids *identities) jid(phone string) (types.JID, bool) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	j, ok := ids.known[phone]
	return j, ok
}
