// Package engine is Balcão's composition root: it opens storage, seeds the demo office, starts
// the actors, the WhatsApp gateway and the HTTP server, and stops them in order. It implements
// ui.Backend on top of the actors (commands) and storage (reads). The domain types live in the
// root package balcao, which every layer imports; engine itself is imported only by cmd.
package engine
