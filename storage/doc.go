// Package storage owns Balcão's Pebble database: the key layout (keys.go), msgpack codecs,
// the group-commit writer every actor persists through, and the read queries behind the staff
// API. It knows the domain types of package balcao and nothing of actors, gateways or HTTP.
package storage
