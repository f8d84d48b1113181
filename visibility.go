package balcao

import "slices"

// Who sees which conversation. Administrators and managers see everything. An attendant sees
// the conversations they attend, the pending and attending ones of their scope (their
// departments, and the companies the carteira gives them) and, in Contatos, every conversation
// the assistant is serving. When the office turns on message restriction, an attendant sees
// only the conversations they served, plus the pending ones of their scope. The server applies
// these rules to every list, detail, count and live event.

// CanSee says whether a staff member may see a conversation.
func CanSee(s *Settings, st *Staff, c *ConversationView) bool {
	if st.Role == RoleAdmin || st.Role == RoleManager || (c.Attendant != "" && c.Attendant == st.User) {
		return true
	}
	if s.Restrict {
		return slices.Contains(c.Served, st.User) || (c.State == StatePending && InScope(s, st, c))
	}
	return c.State == StateAssistant || InScope(s, st, c)
}

// InScope says whether a conversation waiting for a person (or being served) is one the staff
// member answers for. When the carteira names who answers for one of the conversation's
// companies in its department, only they do; otherwise the members of the department do (a
// staff member with no departments covers them all, and a conversation with no department is
// everyone's).
func InScope(s *Settings, st *Staff, c *ConversationView) bool {
	if owners, ok := s.owners(c); ok {
		return slices.Contains(owners, st.User)
	}
	return c.Department == "" || len(st.Departments) == 0 || slices.Contains(st.Departments, c.Department)
}

// owners lists the staff the carteira names for the conversation's companies in its department
// (any department when it has none); ok is false when the carteira names nobody.
func (s *Settings) owners(c *ConversationView) (owners []string, ok bool) {
	for _, p := range s.Portfolio {
		if c.Department != "" && p.Department != c.Department {
			continue
		}
		for _, co := range c.Companies {
			if co.ID == p.Company {
				owners = append(owners, p.Staff)
			}
		}
	}
	return owners, len(owners) > 0
}
