package engine

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// Client portal links are signed with the node's secret (HMAC-SHA256) and expire. A document
// link names the office, the contact's phone and the document; a login link is one-time; the
// portal session cookie names the office and the phone. Every access checks again that the
// contact still speaks for the document's company, so a link never opens another company's
// document, whatever id it is edited to.
const (
	docLinkTTL       = 30 * 24 * time.Hour
	loginLinkTTL     = 24 * time.Hour
	portalSessionTTL = 12 * time.Hour
)

func loadSecret(ctx context.Context, db *storage.DB) ([]byte, error) {
	v, err := db.Value(storage.SecretKey())
	if err == nil && len(v) == 32 {
		return v, nil
	}
	if err != nil && !errors.Is(err, balcao.ErrNotFound) {
		return nil, err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	b := &storage.Batch{}
	b.Set(storage.SecretKey(), secret)
	return secret, db.Writer.Commit(ctx, b)
}

// sign returns "payload.mac" with the fields joined by '|'.
func (e *Engine) sign(fields ...string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "|")))
	mac := hmac.New(sha256.New, e.secret)
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:20])
}

// verify checks a token's signature, kind and expiry and returns its fields after the kind,
// and its expiry.
func (e *Engine) verify(token, kind string) ([]string, int64, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return nil, 0, balcao.ErrUnauthorized
	}
	mac := hmac.New(sha256.New, e.secret)
	mac.Write([]byte(payload))
	want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:20])
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return nil, 0, balcao.ErrUnauthorized
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, 0, balcao.ErrUnauthorized
	}
	f := strings.Split(string(raw), "|")
	if len(f) < 3 || f[0] != kind {
		return nil, 0, balcao.ErrUnauthorized
	}
	exp, err := strconv.ParseInt(f[len(f)-1], 10, 64)
	if err != nil || e.expired(exp) {
		return nil, 0, balcao.ErrUnauthorized
	}
	return f[1 : len(f)-1], exp, nil
}

// expired reports whether a link that expires at exp (unix seconds) has expired. Links are
// timed by the engine's clock, as is the dropping of spent login links' markers.
func (e *Engine) expired(exp int64) bool { return e.clock.Now().Unix() > exp }

// expiry is the expiry (unix seconds) of a link made now that lasts d.
func (e *Engine) expiry(d time.Duration) string {
	return strconv.FormatInt(e.clock.Now().Add(d).Unix(), 10)
}

// portalLink is the signed link of a document for a contact, sent with the document.
func (e *Engine) portalLink(office, phone, doc string) string {
	return e.publicURL + "/portal/d/" + url.PathEscape(doc) + "?t=" + e.sign("d", office, phone, doc, e.expiry(docLinkTTL))
}

// portalLogin is a one-time login link to a contact's portal.
func (e *Engine) portalLogin(office, phone string) string {
	var nonce [9]byte
	_, _ = rand.Read(nonce[:])
	n := base64.RawURLEncoding.EncodeToString(nonce[:])
	return e.publicURL + "/portal/entrar?t=" + e.sign("l", office, phone, n, e.expiry(loginLinkTTL))
}

// PortalLogin spends a one-time login link and returns the portal session token.
func (e *Engine) PortalLogin(ctx context.Context, token string) (string, time.Time, error) {
	f, linkExp, err := e.verify(token, "l")
	if err != nil || len(f) != 3 {
		return "", time.Time{}, balcao.ErrUnauthorized
	}
	office, phone, nonce := f[0], f[1], f[2]
	// The link is claimed from before its used/ key is read until that key is durable, so that
	// of requests opening it at once one spends it and the others are refused.
	claim := office + "/" + nonce
	if !e.spending.claim(claim) {
		return "", time.Time{}, balcao.ErrUnauthorized
	}
	defer e.spending.release(claim)
	used := storage.SpentLoginKey(office, nonce)
	if seen, err := e.db.Has(used); err != nil {
		return "", time.Time{}, fmt.Errorf("read spent login marker: %w", err)
	} else if seen {
		return "", time.Time{}, balcao.ErrUnauthorized
	}
	// A spent link's marker goes once the link has expired (dropSpentLogins): one that expired
	// since it was verified may have lost it already.
	if e.expired(linkExp) {
		return "", time.Time{}, balcao.ErrUnauthorized
	}
	b := &storage.Batch{}
	b.Set(used, nil)
	b.Set(storage.SpentLoginExpiryKey(office, time.Unix(linkExp, 0), nonce), nil)
	// Settled even when the request ends first: the claim must outlast a write in flight.
	if err := e.db.Writer.CommitSettled(b); err != nil {
		return "", time.Time{}, err
	}
	exp := e.clock.Now().Add(portalSessionTTL)
	return e.sign("s", office, phone, strconv.FormatInt(exp.Unix(), 10)), exp, nil
}

// dropSpentLogins deletes the markers of an office's spent login links that have expired (at
// now, by the engine's clock, to the second links are timed by): the scheduler calls it on
// each pass, at least hourly.
func (e *Engine) dropSpentLogins(office string, now time.Time) error {
	_, err := e.db.DropSpentLogins(office, time.Unix(now.Unix(), 0))
	return err
}

// nonceClaims holds the portal login links being spent (by office/nonce). Its size is the
// number of PortalLogin calls under way.
type nonceClaims struct {
	mu     sync.Mutex
	claims map[string]struct{} // mu guards it
}

// claim reports whether key was free, and takes it.
func (c *nonceClaims) claim(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.claims[key]; taken {
		return false
	}
	if c.claims == nil {
		c.claims = map[string]struct{}{}
	}
	c.claims[key] = struct{}{}
	return true
}

// release gives a claimed key back.
func (c *nonceClaims) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.claims, key)
}

// PortalSession returns the office and phone of a portal session token.
func (e *Engine) PortalSession(_ context.Context, token string) (string, string, error) {
	f, _, err := e.verify(token, "s")
	if err != nil || len(f) != 2 {
		return "", "", balcao.ErrUnauthorized
	}
	return f[0], f[1], nil
}

// PortalDocuments lists the documents of the companies a contact speaks for, newest first. A
// phone that is no longer a contact (removed since its session began) is ErrUnauthorized.
func (e *Engine) PortalDocuments(_ context.Context, office, phone string) ([]balcao.PortalCompany, error) {
	contact, err := e.db.Contact(office, phone)
	if errors.Is(err, balcao.ErrNotFound) {
		return nil, balcao.ErrUnauthorized
	} else if err != nil {
		return nil, fmt.Errorf("load contact: %w", err)
	}
	var out []balcao.PortalCompany
	for _, id := range contact.Companies {
		co, err := e.db.Company(office, id)
		if err != nil && !errors.Is(err, balcao.ErrNotFound) {
			return nil, fmt.Errorf("load company %s: %w", id, err)
		}
		if err != nil || !co.Enabled {
			continue
		}
		docs, _, err := e.db.PortalDocuments(office, id, "", 200)
		if err != nil {
			return nil, err
		}
		out = append(out, balcao.PortalCompany{Company: co, Documents: docs})
	}
	return out, nil
}

// PortalFile opens a document for a contact who may see it: by a document link (linkToken) or
// a portal session (office and phone from the session, linkToken empty). It records the
// download.
func (e *Engine) PortalFile(ctx context.Context, office, phone, doc, linkToken string) (balcao.StoredDocument, *os.File, error) {
	if linkToken != "" {
		f, _, err := e.verify(linkToken, "d")
		if err != nil || len(f) != 3 || f[2] != doc {
			return balcao.StoredDocument{}, nil, balcao.ErrUnauthorized
		}
		office, phone = f[0], f[1]
	}
	// Only a record that is not there is "not found": any other error reading one is the
	// server's (500), not a document that does not exist.
	d, err := e.db.Document(office, doc)
	if errors.Is(err, balcao.ErrNotFound) {
		return d, nil, balcao.ErrNotFound
	} else if err != nil {
		return d, nil, fmt.Errorf("load document %s: %w", doc, err)
	}
	contact, err := e.db.Contact(office, phone)
	if err != nil && !errors.Is(err, balcao.ErrNotFound) {
		return d, nil, fmt.Errorf("load contact: %w", err)
	}
	if err != nil || !slices.Contains(contact.Companies, d.Company) {
		return d, nil, balcao.ErrNotFound // never say that the document exists
	}
	co, err := e.db.Company(office, d.Company)
	if err != nil && !errors.Is(err, balcao.ErrNotFound) {
		return d, nil, fmt.Errorf("load company %s: %w", d.Company, err)
	}
	if err != nil || !co.Enabled {
		return d, nil, balcao.ErrNotFound
	}
	fh, err := e.files.Open(d.SHA256)
	if err != nil {
		return d, nil, fmt.Errorf("open document %s: %w", doc, err)
	}
	if d, err = e.recordDownload(office, doc); err != nil {
		fh.Close()
		return d, nil, err
	}
	e.publishDownload(office, &d)
	return d, fh, nil
}

// publishDownload tells the staff who may see a document's job (its client's conversation)
// that the document was downloaded, so that an open delivery record shows it at once. Without
// the conversation only managers are told.
func (e *Engine) publishDownload(office string, d *balcao.StoredDocument) {
	ev := balcao.DocumentDownloaded{Document: d.ID, Job: d.Job, Conversation: d.Phone}
	if n := len(d.Downloads); n > 0 {
		ev.At = d.Downloads[n-1]
	}
	if conv, err := e.db.Conversation(office, d.Phone); err == nil {
		v := conv.View()
		ev.View = &v
	}
	e.hub.Publish(office, balcao.EventDocumentDownloaded, ev)
}

// recordDownload adds a download to a document's record (its last 50 kept) and returns the
// record. Downloads of a document are recorded one at a time, each from reading the record
// until its write is durable, so that two at once do not write over each other's.
func (e *Engine) recordDownload(office, doc string) (balcao.StoredDocument, error) {
	mu := e.docLocks.of(office + "/" + doc)
	mu.Lock()
	defer mu.Unlock()
	d, err := e.db.Document(office, doc)
	if err != nil {
		return d, fmt.Errorf("load document %s: %w", doc, err)
	}
	d.Downloads = append(d.Downloads, time.Now())
	if len(d.Downloads) > 50 {
		d.Downloads = d.Downloads[len(d.Downloads)-50:]
	}
	b := &storage.Batch{}
	b.Put(storage.DocumentKey(office, doc), &d)
	// Settled even when the request ends first: the lock must outlast a write in flight.
	if err := e.db.Writer.CommitSettled(b); err != nil {
		return d, fmt.Errorf("record download of %s: %w", doc, err)
	}
	return d, nil
}

// keyLocks are 64 mutexes shared by keys by hash: a lock per key without a map that grows
// with the keys.
type keyLocks [64]sync.Mutex

// of returns key's mutex.
func (l *keyLocks) of(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &l[h.Sum32()%uint32(len(l))]
}
