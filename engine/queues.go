package engine

import (
	"context"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// maxQueueScan bounds the conversations a live view reads per tab.
const maxQueueScan = 1000

// Queues returns the office's live queues.
func (e *Engine) Queues(ctx context.Context, office string) (balcao.Queues, error) {
	q := balcao.Queues{Jobs: map[string]int{}}
	pending, _, err := e.db.Conversations(office, balcao.TabPending, "", maxQueueScan)
	if err != nil {
		return q, err
	}
	q.Pending = len(pending)
	if len(pending) > 0 {
		q.OldestPending = pending[0].StateSince
	}
	attending, _, err := e.db.Conversations(office, balcao.TabAttending, "", maxQueueScan)
	if err != nil {
		return q, err
	}
	names := e.staffNames(office)
	for _, c := range attending {
		q.Attending = append(q.Attending, balcao.Attendance{Conversation: c.ID, Contact: c.ContactName, Staff: c.Attendant, StaffName: names[c.Attendant], Since: c.StateSince})
	}
	if q.Agents, err = e.Agents(ctx, office); err != nil {
		return q, err
	}
	for tab, state := range balcao.JobTab {
		if state == balcao.JobDone {
			continue
		}
		jobs, _, err := e.db.Jobs(office, state, "", maxQueueScan)
		if err != nil {
			return q, err
		}
		q.Jobs[tab] = len(jobs)
	}
	return q, nil
}

// staffNames maps the office's users to their names.
func (e *Engine) staffNames(office string) map[string]string {
	names := map[string]string{}
	list, _ := e.db.StaffList(office)
	for _, s := range list {
		names[s.User] = s.Name
	}
	return names
}

// Counts are the sizes of the pending and attending tabs (at most maxQueueScan each).
func (e *Engine) Counts(_ context.Context, office string) (map[balcao.Tab]int, error) {
	out := map[balcao.Tab]int{}
	for _, tab := range []balcao.Tab{balcao.TabPending, balcao.TabAttending} {
		n := 0
		err := e.db.Scan(storage.IndexPrefix(office, tab), nil, false, func(_, _ []byte) bool {
			n++
			return n < maxQueueScan
		})
		if err != nil {
			return nil, err
		}
		out[tab] = n
	}
	return out, nil
}
