package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
	"github.com/balcao/balcao/storage"
)

// dummyHash is compared against when the user does not exist, so that a wrong user name takes
// as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("balcao-dummy-password"), bcrypt.DefaultCost)

// maxLoginName bounds the office and user of a login: longer names (no account can have one)
// are refused as a wrong password before the throttle or the store sees them.
const maxLoginName = 128

// Login checks a staff member's password and stores a new session.
func (e *Engine) Login(ctx context.Context, office, user, password string) (string, balcao.Session, error) {
	if len(office) > maxLoginName || len(user) > maxLoginName {
		return "", balcao.Session{}, balcao.ErrUnauthorized
	}
	key := accountKey(office, user)
	if !e.throttle.begin(key, time.Now) { // counted before the check: concurrent guesses too
		return "", balcao.Session{}, balcao.NewError(balcao.ErrOverloaded, "too_many_attempts", "Muitas tentativas erradas. Aguarde alguns minutos e tente de novo.")
	}
	staff, err := e.db.Staff(office, user)
	hash := staff.PasswordHash
	if err != nil {
		if !errors.Is(err, balcao.ErrNotFound) {
			e.throttle.end(key, checkUndecided)
			return "", balcao.Session{}, err
		}
		hash = dummyHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil {
		e.throttle.end(key, checkWrong)
		return "", balcao.Session{}, balcao.ErrUnauthorized
	}
	e.throttle.end(key, checkRight)
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	sess := balcao.Session{Office: office, User: user, Expires: e.now().Add(e.cfg.SessionTTL), Stamp: sessionStamp(&staff)}
	th := tokenHash(token)
	b := &storage.Batch{}
	b.Put(storage.SessionKey(th), &sess)
	b.Set(storage.SessionExpiryKey(sess.Expires, th), nil) // dropSessions deletes both after it
	if err := e.db.Writer.Commit(ctx, b); err != nil {
		return "", balcao.Session{}, fmt.Errorf("store session: %w", err)
	}
	return token, sess, nil
}

// Session returns the live session of a token.
func (e *Engine) Session(_ context.Context, token string) (balcao.Session, balcao.Staff, error) {
	var sess balcao.Session
	if len(token) > 128 {
		return sess, balcao.Staff{}, balcao.ErrUnauthorized
	}
	err := e.db.Get(storage.SessionKey(tokenHash(token)), &sess)
	if errors.Is(err, balcao.ErrNotFound) || (err == nil && !e.now().Before(sess.Expires)) {
		return sess, balcao.Staff{}, balcao.ErrUnauthorized
	}
	if err != nil {
		return sess, balcao.Staff{}, err
	}
	staff, err := e.db.Staff(sess.Office, sess.User)
	if errors.Is(err, balcao.ErrNotFound) {
		return sess, staff, balcao.ErrUnauthorized // the account was removed
	}
	if err != nil {
		return sess, staff, err
	}
	if sess.Stamp == "" || sess.Stamp != sessionStamp(&staff) {
		// The account was removed and its user name given again, or its password changed,
		// since the session began (or the session is from before stamps).
		return sess, balcao.Staff{}, balcao.ErrUnauthorized
	}
	return sess, staff, nil
}

// newStamp returns a new random account stamp (balcao.Staff.Stamp).
func newStamp() string {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// sessionStamp is the stamp a session of the account must carry: its Stamp, or for an account
// stored before stamps existed, its creation time (a new account of the same user name has
// another; its first password change gives it a Stamp).
func sessionStamp(s *balcao.Staff) string {
	if s.Stamp != "" {
		return s.Stamp
	}
	return "created:" + strconv.FormatInt(s.CreatedAt.UnixNano(), 10)
}

// Logout deletes a session and its entry in the queue of expiries (left to dropSessions when
// the record cannot be read).
func (e *Engine) Logout(ctx context.Context, token string) error {
	hash := tokenHash(token)
	b := &storage.Batch{}
	var sess balcao.Session
	if err := e.db.Get(storage.SessionKey(hash), &sess); err == nil {
		b.Delete(storage.SessionExpiryKey(sess.Expires, hash))
	} else if errors.Is(err, balcao.ErrNotFound) {
		return nil
	}
	b.Delete(storage.SessionKey(hash))
	return e.db.Writer.Commit(ctx, b)
}

// dropSessions deletes the staff sessions that have expired, and their queue entries: the
// scheduler calls it on each pass, at least hourly. Sessions are timed by the real time
// (e.now), not the scheduler's clock: their cookie and a socket's end are.
func (e *Engine) dropSessions() error {
	_, err := e.db.DropSessions(e.now())
	return err
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (e *Engine) now() time.Time { return time.Now() }

// conversation turns the {id} of a URL (the contact's phone) into a stored conversation that
// the staff member may see; any other id is not found, so that nothing tells them it exists.
func (e *Engine) conversation(office string, by balcao.Staff, id string) (balcao.Conversation, error) {
	c, err := e.db.Conversation(office, id) // already the stored E.164 digits (foreign numbers have no other form)
	if errors.Is(err, balcao.ErrNotFound) || len(id) > 15 {
		phone, perr := balcao.NormalizePhone(id)
		if perr != nil {
			return c, conversationNotFound()
		}
		c, err = e.db.Conversation(office, phone)
	}
	if errors.Is(err, balcao.ErrNotFound) {
		return c, conversationNotFound()
	}
	if err != nil {
		return c, err
	}
	keep, err := e.seer(office, by)
	if err != nil {
		return c, err
	}
	if !keep(&c) {
		return c, conversationNotFound()
	}
	return c, nil
}

// seer returns whether a staff member may see a conversation, under the office's settings.
func (e *Engine) seer(office string, by balcao.Staff) (func(*balcao.Conversation) bool, error) {
	if by.Role == balcao.RoleAdmin || by.Role == balcao.RoleManager {
		return func(*balcao.Conversation) bool { return true }, nil // as CanSee, without a view per record
	}
	settings, err := e.db.Settings(office)
	if err != nil {
		return nil, err
	}
	return func(c *balcao.Conversation) bool {
		v := c.View()
		return balcao.CanSee(&settings, &by, &v)
	}, nil
}

// CanSee returns whether a staff member may see a conversation now (the settings are read at
// each call, so a change applies at once); the websocket filters live events with it.
func (e *Engine) CanSee(office string, by balcao.Staff) func(*balcao.ConversationView) bool {
	return func(v *balcao.ConversationView) bool {
		settings, err := e.db.Settings(office)
		return err == nil && balcao.CanSee(&settings, &by, v)
	}
}

// maxVisibleScan bounds the index entries one page of an inbox tab examines for an attendant.
const maxVisibleScan = 5000

// Conversations lists a page of an inbox tab, as the staff member may see it.
func (e *Engine) Conversations(_ context.Context, office string, by balcao.Staff, tab balcao.Tab, cursor string, limit int) ([]balcao.ConversationView, string, error) {
	keep, err := e.seer(office, by)
	if err != nil {
		return nil, "", err
	}
	list, next, err := e.db.ConversationsWhere(office, tab, cursor, limit, maxVisibleScan, keep)
	if err != nil {
		return nil, "", cursorError(err)
	}
	views := make([]balcao.ConversationView, len(list))
	for i := range list {
		views[i] = list[i].View()
	}
	return views, next, nil
}

// Conversation returns one conversation.
func (e *Engine) Conversation(_ context.Context, office string, by balcao.Staff, id string) (balcao.ConversationView, error) {
	c, err := e.conversation(office, by, id)
	return c.View(), err
}

// Messages returns a page of a conversation's messages, oldest first.
func (e *Engine) Messages(_ context.Context, office string, by balcao.Staff, id string, before uint64, limit int) ([]balcao.Message, bool, error) {
	c, err := e.conversation(office, by, id)
	if err != nil {
		return nil, false, err
	}
	return e.db.Messages(office, c.ID, before, limit)
}

// Companies lists the office's companies.
func (e *Engine) Companies(_ context.Context, office string) ([]balcao.Company, error) {
	return e.db.Companies(office)
}

// StartService makes staff the attendant of a conversation.
func (e *Engine) StartService(ctx context.Context, office, id string, staff balcao.Staff) (balcao.ConversationView, error) {
	c, err := e.conversation(office, staff, id)
	if err != nil {
		return balcao.ConversationView{}, err
	}
	phone := c.ID
	r, err := e.actors.Request(ctx, office, &actors.StartService{Phone: phone, Staff: staff.User})
	if err != nil {
		return balcao.ConversationView{}, e.nameAttendant(office, phone, err)
	}
	return *r.Conversation, nil
}

// nameAttendant names who has a conversation, as the staff know them (not by login), in the
// refusal of a staff member who tried to take or end someone else's service.
func (e *Engine) nameAttendant(office, phone string, err error) error {
	var taken *balcao.Error
	if !errors.As(err, &taken) {
		return err
	}
	var text string
	switch taken.Code {
	case "already_attending":
		text = "Esta conversa já está em atendimento com %s."
	case "not_your_service":
		text = "Esta conversa está em atendimento com %s."
	default:
		return err
	}
	c, cerr := e.db.Conversation(office, phone)
	if cerr != nil {
		return err
	}
	if name := e.staffNames(office)[c.Attendant]; name != "" {
		return balcao.NewError(taken.Kind, taken.Code, fmt.Sprintf(text, name))
	}
	return err
}

// FinishService ends the service of a conversation; managers may end anyone's.
func (e *Engine) FinishService(ctx context.Context, office, id string, staff balcao.Staff) (balcao.ConversationView, error) {
	c, err := e.conversation(office, staff, id)
	if err != nil {
		return balcao.ConversationView{}, err
	}
	phone := c.ID
	override := staff.Role == balcao.RoleAdmin || staff.Role == balcao.RoleManager
	r, err := e.actors.Request(ctx, office, &actors.FinishService{Phone: phone, Staff: staff.User, Override: override})
	if err != nil {
		return balcao.ConversationView{}, e.nameAttendant(office, phone, err)
	}
	return *r.Conversation, nil
}

// SendMessage sends a staff member's answer to the client of a conversation they attend.
func (e *Engine) SendMessage(ctx context.Context, office, id string, staff balcao.Staff, text string) (balcao.Message, error) {
	c, err := e.conversation(office, staff, id)
	if err != nil {
		return balcao.Message{}, err
	}
	phone := c.ID
	r, err := e.actors.Request(ctx, office, &actors.SendStaffMessage{Phone: phone, Staff: staff.User, Name: staff.Name, Text: text})
	if err != nil {
		return balcao.Message{}, err
	}
	return *r.Message, nil
}

// LinkContact makes a phone a contact of a company, from its conversation: staff link the
// unlinked phones of conversations they may see; administrators and managers any phone, and
// may add a company to a phone that already has one (as Habilitação de Clientes does). A name
// names the contact: administrators and managers rename it, as in Gerenciar contatos; other
// staff only name a contact that has no name (an empty name keeps the contact's).
func (e *Engine) LinkContact(ctx context.Context, office string, by balcao.Staff, phone, company, name string) (balcao.Contact, balcao.ConversationView, error) {
	p, err := balcao.NormalizePhone(phone)
	if err != nil {
		return balcao.Contact{}, balcao.ConversationView{}, balcao.NewError(balcao.ErrInvalid, "invalid_phone", "Número de telefone inválido.")
	}
	manager := canManageClients(by)
	if !manager {
		if _, err := e.conversation(office, by, p); err != nil {
			return balcao.Contact{}, balcao.ConversationView{}, err
		}
	}
	r, err := e.actors.Request(ctx, office, &actors.AddContact{Phone: p, Companies: []string{company}, Name: name, Unlinked: !manager})
	if err != nil {
		return balcao.Contact{}, balcao.ConversationView{}, err
	}
	return *r.Contact, *r.Conversation, nil
}

// MaxAttachment is the largest file a staff member may send.
const MaxAttachment = 20 << 20

// SendAttachment sends a file (with an optional caption) from a staff member to the client of
// a conversation they attend.
func (e *Engine) SendAttachment(ctx context.Context, office, id string, staff balcao.Staff, name, mime string, data []byte, caption string) (balcao.Message, error) {
	c, err := e.conversation(office, staff, id)
	if err != nil {
		return balcao.Message{}, err
	}
	phone := c.ID
	if len(data) == 0 || len(data) > MaxAttachment {
		return balcao.Message{}, balcao.NewError(balcao.ErrInvalid, "invalid_attachment", "O arquivo deve ter entre 1 byte e 20 MB.")
	}
	sha, err := e.files.Put(data)
	if err != nil {
		return balcao.Message{}, fmt.Errorf("store attachment: %w", err)
	}
	doc := &balcao.Document{Name: name, MIME: mime, Size: int64(len(data)), SHA: sha}
	r, err := e.actors.Request(ctx, office, &actors.SendStaffMessage{Phone: phone, Staff: staff.User, Name: staff.Name, Text: caption, Document: doc})
	if err != nil {
		return balcao.Message{}, err
	}
	return *r.Message, nil
}

// cursorError is a page's error as the API answers it: a cursor the store could not read
// (balcao.ErrInvalid) is 400 invalid_cursor, saying so; any other error as it is.
func cursorError(err error) error {
	if errors.Is(err, balcao.ErrInvalid) {
		return balcao.NewError(balcao.ErrInvalid, "invalid_cursor", "Cursor de página inválido.")
	}
	return err
}
