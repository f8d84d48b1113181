package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/assistant"
	"github.com/balcao/balcao/storage"
)

// Scheduled messages (Agendamento) and broadcast lists (Listas de Transmissão): administrators
// and managers only. Writes go through the scheduler's lock, so that a save never races the
// loop starting an occurrence of the same schedule.

func canSchedule(by balcao.Staff) error {
	if !canManageClients(by) {
		return forbidden("Só administradores e gerentes usam agendamentos e listas de transmissão.")
	}
	return nil
}

func unknownList() error {
	return balcao.NewError(balcao.ErrNotFound, "unknown_list", "Lista de transmissão não encontrada.")
}

func unknownSchedule() error {
	return balcao.NewError(balcao.ErrNotFound, "unknown_schedule", "Agendamento não encontrado.")
}

func newScheduleID() string {
	var raw [6]byte
	_, _ = rand.Read(raw[:])
	return hex.EncodeToString(raw[:])
}

// BroadcastLists lists the office's broadcast lists.
func (e *Engine) BroadcastLists(_ context.Context, office string, by balcao.Staff) ([]balcao.BroadcastList, error) {
	if err := canSchedule(by); err != nil {
		return nil, err
	}
	return e.db.BroadcastLists(office)
}

// SaveBroadcastList creates (empty ID) or replaces a broadcast list. Its contacts must be
// registered contacts of the office and its companies must exist.
func (e *Engine) SaveBroadcastList(ctx context.Context, office string, by balcao.Staff, l balcao.BroadcastList) (balcao.BroadcastList, error) {
	if err := canSchedule(by); err != nil {
		return l, err
	}
	var old balcao.BroadcastList
	if l.ID != "" {
		var err error
		if old, err = e.db.BroadcastList(office, l.ID); errors.Is(err, balcao.ErrNotFound) {
			return l, unknownList()
		} else if err != nil {
			return l, err
		}
	}
	fields := map[string]string{}
	raw := l.Contacts
	l.Validate(fields)
	for i, p := range raw {
		if _, bad := fields[fmt.Sprintf("contacts.%d", i)]; bad {
			continue
		}
		n, _ := balcao.NormalizePhone(p)
		if _, err := e.db.Contact(office, n); errors.Is(err, balcao.ErrNotFound) {
			fields[fmt.Sprintf("contacts.%d", i)] = "Contato não cadastrado: " + p + "."
		} else if err != nil {
			return l, err
		}
	}
	for i, id := range l.Companies {
		if _, err := e.db.Company(office, id); errors.Is(err, balcao.ErrNotFound) {
			fields[fmt.Sprintf("companies.%d", i)] = "Empresa não encontrada."
		} else if err != nil {
			return l, err
		}
	}
	if len(fields) > 0 {
		return l, balcao.Invalid(fields)
	}
	if l.ID == "" {
		l.ID, l.CreatedBy, l.CreatedAt = newScheduleID(), by.User, e.sched.clock.Now()
	} else {
		l.CreatedBy, l.CreatedAt = old.CreatedBy, old.CreatedAt
	}
	b := &storage.Batch{}
	b.Put(storage.BroadcastListKey(office, l.ID), &l)
	return l, e.db.Writer.Commit(ctx, b)
}

// DeleteBroadcastList removes a list that no enabled schedule sends to.
func (e *Engine) DeleteBroadcastList(ctx context.Context, office string, by balcao.Staff, id string) error {
	if err := canSchedule(by); err != nil {
		return err
	}
	e.sched.mu.Lock()
	defer e.sched.mu.Unlock()
	if _, err := e.db.BroadcastList(office, id); errors.Is(err, balcao.ErrNotFound) {
		return unknownList()
	} else if err != nil {
		return err
	}
	all, err := e.db.Schedules(office)
	if err != nil {
		return err
	}
	for _, sc := range all {
		if sc.Target.Kind == balcao.TargetList && sc.Target.ID == id && !sc.Next.IsZero() {
			return balcao.NewError(balcao.ErrConflict, "list_in_use", "A lista é usada pelo agendamento \""+sc.Name+"\". Remova-o antes.")
		}
	}
	b := &storage.Batch{}
	b.Delete(storage.BroadcastListKey(office, id))
	return e.db.Writer.Commit(ctx, b)
}

// Schedules lists the office's schedules.
func (e *Engine) Schedules(_ context.Context, office string, by balcao.Staff) ([]balcao.Schedule, error) {
	if err := canSchedule(by); err != nil {
		return nil, err
	}
	return e.db.Schedules(office)
}

// ScheduleDetail returns a schedule and its last ten runs, newest first.
func (e *Engine) ScheduleDetail(_ context.Context, office string, by balcao.Staff, id string) (balcao.Schedule, []balcao.ScheduleRun, error) {
	if err := canSchedule(by); err != nil {
		return balcao.Schedule{}, nil, err
	}
	sc, err := e.db.Schedule(office, id)
	if errors.Is(err, balcao.ErrNotFound) {
		return sc, nil, unknownSchedule()
	} else if err != nil {
		return sc, nil, err
	}
	runs, err := e.db.Runs(office, id, 10)
	return sc, runs, err
}

// SaveSchedule validates and stores a schedule (empty ID: a new one) and computes its next
// occurrence.
func (e *Engine) SaveSchedule(ctx context.Context, office string, by balcao.Staff, sc balcao.Schedule) (balcao.Schedule, error) {
	if err := canSchedule(by); err != nil {
		return sc, err
	}
	now := e.sched.clock.Now()
	fields := map[string]string{}
	sc.Validate(fields)
	if err := e.checkTarget(office, &sc.Target, fields); err != nil {
		return sc, err
	}
	if q := sc.Request; q != nil && !assistant.Intent(q.Intent).IsDocument() {
		fields["request.intent"] = "Tipo de documento desconhecido."
	}
	if at := sc.Recurrence.At; sc.Recurrence.Kind == balcao.RepeatOnce && !at.IsZero() {
		if !at.After(now) {
			fields["recurrence.at"] = "Escolha um momento no futuro."
		} else if at.After(now.AddDate(balcao.MaxScheduleYears, 0, 0)) {
			fields["recurrence.at"] = fmt.Sprintf("Escolha uma data nos próximos %d anos.", balcao.MaxScheduleYears)
		}
	}
	if sc.Recurrence.Kind != balcao.RepeatOnce {
		sc.Recurrence.At = time.Time{}
	}
	if len(fields) > 0 {
		return sc, balcao.Invalid(fields)
	}
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &storage.Batch{}
	if sc.ID == "" {
		sc.ID, sc.CreatedBy, sc.CreatedAt = newScheduleID(), by.User, now
	} else {
		old, err := e.db.Schedule(office, sc.ID)
		if errors.Is(err, balcao.ErrNotFound) {
			return sc, unknownSchedule()
		} else if err != nil {
			return sc, err
		}
		sc.CreatedBy, sc.CreatedAt, sc.Broadcast = old.CreatedBy, old.CreatedAt, old.Broadcast
		if !old.Next.IsZero() {
			b.Delete(storage.ScheduleDueKey(office, old.Next, old.ID))
		}
	}
	sc.Next = time.Time{}
	if sc.Enabled {
		settings, err := e.db.Settings(office)
		if err != nil {
			return sc, err
		}
		sc.Next = sc.Recurrence.Next(now, assistant.Location(), settings)
	}
	if !sc.Next.IsZero() {
		b.Set(storage.ScheduleDueKey(office, sc.Next, sc.ID), nil)
	}
	b.Put(storage.ScheduleKey(office, sc.ID), &sc)
	if err := e.db.Writer.Commit(ctx, b); err != nil {
		return sc, err
	}
	s.poke()
	return sc, nil
}

// checkTarget checks that a schedule's target exists, normalizing a contact's phone.
func (e *Engine) checkTarget(office string, t *balcao.Target, fields map[string]string) error {
	if _, bad := fields["target.kind"]; bad || t.ID == "" {
		return nil
	}
	var err error
	switch t.Kind {
	case balcao.TargetContact:
		phone, perr := balcao.NormalizePhone(t.ID)
		if perr != nil {
			fields["target.id"] = "Telefone inválido."
			return nil
		}
		t.ID = phone
		if _, err = e.db.Contact(office, phone); errors.Is(err, balcao.ErrNotFound) {
			fields["target.id"] = "Contato não cadastrado."
			return nil
		}
	case balcao.TargetCompany:
		if _, err = e.db.Company(office, t.ID); errors.Is(err, balcao.ErrNotFound) {
			fields["target.id"] = "Empresa não encontrada."
			return nil
		}
	case balcao.TargetList:
		if _, err = e.db.BroadcastList(office, t.ID); errors.Is(err, balcao.ErrNotFound) {
			fields["target.id"] = "Lista de transmissão não encontrada."
			return nil
		}
	}
	return err
}

// DeleteSchedule removes a schedule; a send of it under way stops (its run is kept, canceled).
func (e *Engine) DeleteSchedule(ctx context.Context, office string, by balcao.Staff, id string) error {
	if err := canSchedule(by); err != nil {
		return err
	}
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, err := e.db.Schedule(office, id)
	if errors.Is(err, balcao.ErrNotFound) {
		return unknownSchedule()
	} else if err != nil {
		return err
	}
	b := &storage.Batch{}
	b.Delete(storage.ScheduleKey(office, id))
	if !sc.Next.IsZero() {
		b.Delete(storage.ScheduleDueKey(office, sc.Next, id))
	}
	canceled, err := s.cancelRuns(office, id, b, s.clock.Now())
	if err != nil {
		return err
	}
	if err := e.db.Writer.Commit(ctx, b); err != nil {
		return err
	}
	for i := range canceled {
		e.hub.Publish(office, balcao.EventScheduleProgress, &canceled[i])
	}
	return nil
}

// Broadcast sends a text to a broadcast list now: a one-off schedule due at once, paced like
// any other.
func (e *Engine) Broadcast(ctx context.Context, office string, by balcao.Staff, list, text string) (balcao.Schedule, error) {
	if err := canSchedule(by); err != nil {
		return balcao.Schedule{}, err
	}
	fields := map[string]string{}
	l, err := e.db.BroadcastList(office, list)
	if errors.Is(err, balcao.ErrNotFound) {
		fields["list"] = "Escolha uma lista de transmissão."
	} else if err != nil {
		return balcao.Schedule{}, err
	}
	now := e.sched.clock.Now()
	sc := balcao.Schedule{
		Name: broadcastName(l.Name), Text: text, Target: balcao.Target{Kind: balcao.TargetList, ID: list},
		Recurrence: balcao.Recurrence{Kind: balcao.RepeatOnce, At: now}, Enabled: true, Broadcast: true,
	}
	sc.Validate(fields)
	delete(fields, "target.id") // said as "list"
	if strings.TrimSpace(l.Name) == "" && fields["list"] == "" {
		fields["list"] = "Escolha uma lista de transmissão."
	}
	if len(fields) > 0 {
		return sc, balcao.Invalid(fields)
	}
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	sc.ID, sc.CreatedBy, sc.CreatedAt, sc.Next = newScheduleID(), by.User, now, now
	b := &storage.Batch{}
	b.Put(storage.ScheduleKey(office, sc.ID), &sc)
	b.Set(storage.ScheduleDueKey(office, sc.Next, sc.ID), nil)
	if err := e.db.Writer.Commit(ctx, b); err != nil {
		return sc, err
	}
	s.poke()
	return sc, nil
}

// broadcastName names the schedule of a broadcast after its list, cut to the 100 runes a
// schedule's name may have: a list's own name may have 100, and the user typed neither.
func broadcastName(list string) string {
	name := []rune("Transmissão: " + list)
	if len(name) > 100 {
		return string(name[:99]) + "…"
	}
	return string(name)
}

// Sends are the runs under way (oldest first), then the latest finished run of each schedule
// (newest first).
func (e *Engine) Sends(_ context.Context, office string, by balcao.Staff) ([]balcao.ScheduleRun, error) {
	if err := canSchedule(by); err != nil {
		return nil, err
	}
	out, err := e.db.OpenRuns(office)
	if err != nil {
		return nil, err
	}
	all, err := e.db.Schedules(office)
	if err != nil {
		return nil, err
	}
	var done []balcao.ScheduleRun
	for _, sc := range all {
		runs, err := e.db.Runs(office, sc.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) == 1 && runs[0].Done {
			done = append(done, runs[0])
		}
	}
	slices.SortFunc(done, func(a, b balcao.ScheduleRun) int { return b.At.Compare(a.At) })
	return append(out, done...), nil
}
