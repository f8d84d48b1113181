// Package whatsapp is the real WhatsApp gateway: gateway.WhatsApp on go.mau.fi/whatsmeow, one
// linked device per office. It owns the device store (whatsmeow's sqlstore on a pure-Go SQLite,
// one file per office), pairing (QR codes and pairing codes), the translation of whatsmeow's
// events into gateway.Inbound, gateway.Receipt and gateway.Status, the building of outbound
// messages, per-office pacing, retry classification and reconnection.
//
// It knows the gateway contract and the domain types of the root package, and nothing of
// actors, storage, HTTP or the staff UI: the engine wires it like the simulated gateway.
//
// Everything that talks to the live whatsmeow client sits in client.go; the rest are pure
// functions and small types that the tests drive with whatsmeow's own event structs.
package whatsapp
