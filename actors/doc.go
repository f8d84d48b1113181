// Package actors owns Balcão's protoactor-go actors: one office actor per office (the tenant,
// routing WhatsApp events and staff commands to conversations), one conversation actor per
// office × contact (the assistant / pending / attending state machine) and one gateway actor
// per office's WhatsApp session (the outbound queue). Actors persist through storage.Writer and
// acknowledge only what is durable. It knows nothing of HTTP or websockets: live events leave
// through a balcao.Publisher.
package actors
