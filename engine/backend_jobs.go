package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/actors"
)

// Jobs lists a page of a request centre tab, newest first: the jobs of the conversations the
// staff member may see (a page may come back short, with a cursor to go on).
func (e *Engine) Jobs(_ context.Context, office string, by balcao.Staff, tab, cursor string, limit int) ([]balcao.Job, string, error) {
	state, ok := balcao.JobTab[tab]
	if !ok {
		return nil, "", balcao.NewError(balcao.ErrInvalid, "invalid_tab", "Aba inválida: use pendentes, aguardando, processando ou processados.")
	}
	jobs, next, err := e.db.Jobs(office, state, cursor, limit)
	if err != nil {
		return nil, "", cursorError(err)
	}
	visible, err := e.jobFilter(office, by)
	if err != nil || visible == nil {
		return jobs, next, err
	}
	return slices.DeleteFunc(jobs, func(j balcao.Job) bool { return !visible(&j) }), next, nil
}

// jobFilter returns whether the staff member may see a job: nil for administrators and
// managers, who see every job; for attendants, whether they may see the job's conversation,
// read once per phone.
func (e *Engine) jobFilter(office string, by balcao.Staff) (func(*balcao.Job) bool, error) {
	if by.Role != balcao.RoleAttendant {
		return nil, nil
	}
	keep, err := e.seer(office, by)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	return func(j *balcao.Job) bool {
		ok, known := seen[j.Phone]
		if !known {
			c, err := e.db.Conversation(office, j.Phone)
			ok = err == nil && keep(&c)
			seen[j.Phone] = ok
		}
		return ok
	}, nil
}

// job returns a job of a conversation the staff member may see.
func (e *Engine) job(office string, by balcao.Staff, id string) (balcao.Job, error) {
	j, err := e.db.Job(office, id)
	if err == nil {
		_, err = e.conversation(office, by, j.Phone) // ErrNotFound also when hidden from them
	}
	if errors.Is(err, balcao.ErrNotFound) {
		return j, balcao.NewError(balcao.ErrNotFound, "unknown_job", "Pedido não encontrado.")
	}
	if err != nil {
		return j, fmt.Errorf("load job %s: %w", id, err)
	}
	return j, nil
}

// Job returns a job and the delivery record of each of its documents.
func (e *Engine) Job(_ context.Context, office string, by balcao.Staff, id string) (balcao.Job, []balcao.Delivery, error) {
	j, err := e.job(office, by, id)
	if err != nil {
		return j, nil, err
	}
	var out []balcao.Delivery
	for _, docID := range j.Documents {
		d, err := e.db.Document(office, docID)
		if errors.Is(err, balcao.ErrNotFound) {
			continue
		} else if err != nil {
			return j, nil, fmt.Errorf("load document %s: %w", docID, err)
		}
		rec := balcao.Delivery{Document: d, Requested: j.CreatedAt, Generated: d.CreatedAt, Status: balcao.StatusQueued, Downloads: d.Downloads}
		if d.MessageSeq > 0 {
			m, err := e.db.Message(office, d.Phone, d.MessageSeq)
			if err != nil && !errors.Is(err, balcao.ErrNotFound) {
				return j, nil, fmt.Errorf("load message %d: %w", d.MessageSeq, err)
			}
			if err == nil {
				rec.Status, rec.StatusAt = m.Status, m.StatusAt
			}
		}
		out = append(out, rec)
	}
	return j, out, nil
}

// RetryJob is Confirmar/Repetir on a pending job.
func (e *Engine) RetryJob(ctx context.Context, office string, by balcao.Staff, id string) (balcao.Job, error) {
	if _, err := e.job(office, by, id); err != nil {
		return balcao.Job{}, err
	}
	r, err := e.actors.Request(ctx, office, &actors.RetryJob{ID: id})
	if err != nil {
		return balcao.Job{}, err
	}
	return *r.Job, nil
}

// ReplyToJob sends a message straight to the client who asked for a job.
func (e *Engine) ReplyToJob(ctx context.Context, office string, by balcao.Staff, id, text string) (balcao.Message, error) {
	if _, err := e.job(office, by, id); err != nil {
		return balcao.Message{}, err
	}
	r, err := e.actors.Request(ctx, office, &actors.ReplyToJob{ID: id, Staff: by.User, Text: text})
	if err != nil {
		return balcao.Message{}, err
	}
	return *r.Message, nil
}

// Agents says whether the office's documents can be served now.
func (e *Engine) Agents(_ context.Context, office string) (balcao.AgentsOnline, error) {
	return balcao.AgentsOnline{Remote: e.remote.Online(office), Embedded: e.source != nil}, nil
}
