package engine

import (
	"context"
	"slices"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/storage"
)

// maxQueueScan bounds the conversations a live view reads per tab.
const maxQueueScan = 1000

// Queues returns the office's live queues, as the staff member may see them.
func (e *Engine) Queues(ctx context.Context, office string, by balcao.Staff) (balcao.Queues, error) {
	q := balcao.Queues{Jobs: map[string]int{}}
	keep, err := e.seer(office, by)
	if err != nil {
		return q, err
	}
	pending, _, err := e.db.ConversationsWhere(office, balcao.TabPending, "", maxQueueScan, maxQueueScan, keep)
	if err != nil {
		return q, err
	}
	q.Pending = len(pending)
	if len(pending) > 0 {
		q.OldestPending = pending[0].StateSince
	}
	attending, _, err := e.db.ConversationsWhere(office, balcao.TabAttending, "", maxQueueScan, maxQueueScan, keep)
	if err != nil {
		return q, err
	}
	names := e.staffNames(office)
	for _, c := range attending {
		q.Attending = append(q.Attending, balcao.Attendance{Conversation: c.ID, Contact: c.ContactName, Staff: c.Attendant, StaffName: names[c.Attendant], Since: c.StateSince})
	}
	settings, err := e.db.Settings(office)
	if err != nil {
		return q, err
	}
	q.Departments = departmentQueues(settings, pending, attending)
	if q.Agents, err = e.Agents(ctx, office); err != nil {
		return q, err
	}
	visible, err := e.jobFilter(office, by)
	if err != nil {
		return q, err
	}
	for tab, state := range balcao.JobTab {
		if state == balcao.JobDone {
			continue
		}
		// The newest maxQueueScan jobs of the tab, as for conversations: an attendant's count is
		// of the visible ones among them (one conversation read per phone).
		jobs, _, err := e.db.Jobs(office, state, "", maxQueueScan)
		if err != nil {
			return q, err
		}
		if visible != nil {
			jobs = slices.DeleteFunc(jobs, func(j balcao.Job) bool { return !visible(&j) })
		}
		q.Jobs[tab] = len(jobs)
	}
	return q, nil
}

// departmentQueues splits the pending (oldest first) and attending conversations by department.
func departmentQueues(settings balcao.Settings, pending, attending []balcao.Conversation) []balcao.DepartmentQueue {
	out := []balcao.DepartmentQueue{{}}
	at := map[string]int{"": 0}
	for _, d := range settings.Departments {
		at[d.ID] = len(out)
		out = append(out, balcao.DepartmentQueue{ID: d.ID, Name: d.Name})
	}
	queue := func(id string) *balcao.DepartmentQueue {
		i, ok := at[id]
		if !ok { // a department removed since: its conversations are counted apart
			i, at[id] = len(out), len(out)
			out = append(out, balcao.DepartmentQueue{ID: id, Name: id})
		}
		return &out[i]
	}
	for _, c := range pending {
		d := queue(c.Department)
		if d.Pending == 0 {
			d.OldestPending = c.StateSince
		}
		d.Pending++
	}
	for _, c := range attending {
		queue(c.Department).Attending++
	}
	return out
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

// Counts are the sizes of the pending and attending tabs as the staff member sees them (at most
// maxQueueScan each).
func (e *Engine) Counts(_ context.Context, office string, by balcao.Staff) (map[balcao.Tab]int, error) {
	out := map[balcao.Tab]int{}
	for _, tab := range []balcao.Tab{balcao.TabPending, balcao.TabAttending} {
		if by.Role != balcao.RoleAttendant { // managers see every entry: count the index alone
			n := 0
			err := e.db.Scan(storage.IndexPrefix(office, tab), nil, false, func(_, _ []byte) bool {
				n++
				return n < maxQueueScan
			})
			if err != nil {
				return nil, err
			}
			out[tab] = n
			continue
		}
		keep, err := e.seer(office, by)
		if err != nil {
			return nil, err
		}
		list, _, err := e.db.ConversationsWhere(office, tab, "", maxQueueScan, maxQueueScan, keep)
		if err != nil {
			return nil, err
		}
		out[tab] = len(list)
	}
	return out, nil
}
