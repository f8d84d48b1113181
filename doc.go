// Package balcao holds the domain types every layer of Balcão shares: offices, companies,
// contacts, staff, conversations, messages and the events pushed to staff. It owns no I/O
// and imports no other package of this module; storage, actors, gateway and ui build on it.
package balcao
