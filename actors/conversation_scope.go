package actors

import (
	"slices"

	"github.com/balcao/balcao"
)

// scopeOf returns the conversation's scope as v shows it: a view holding only its id and what
// decides who may see it (balcao.CanSee: state, attendant, department, who served it, its
// companies). The events a turn publishes keep it for the hub's visibility filter, and the
// hub's windows keep the events (256 per office): with each turn's full views (and their
// previews) they were a quarter of the objects every collection marked with 2 000 sockets
// on 400 offices. The conversation keeps its last scope and returns it again while those
// fields hold, so that its events share one. nil gives nil.
func (c *conversation) scopeOf(v *balcao.ConversationView) *balcao.ConversationView {
	if v == nil {
		return nil
	}
	if s := c.scope; s != nil && sameScope(s, v) {
		return s
	}
	c.scope = &balcao.ConversationView{
		ID: v.ID, State: v.State, Attendant: v.Attendant, Department: v.Department, Served: v.Served,
		Companies: v.Companies,
	}
	return c.scope
}

// scopeNow returns the conversation's scope as it is now.
func (c *conversation) scopeNow() *balcao.ConversationView {
	v := c.conv.View()
	return c.scopeOf(&v)
}

// sameScope reports whether a and b are the same conversation with the same visibility.
func sameScope(a, b *balcao.ConversationView) bool {
	return a.ID == b.ID && a.State == b.State && a.Attendant == b.Attendant && a.Department == b.Department &&
		slices.Equal(a.Served, b.Served) &&
		slices.EqualFunc(a.Companies, b.Companies, func(x, y balcao.CompanyRef) bool { return x.ID == y.ID })
}
