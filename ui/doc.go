// Package ui owns Balcão's HTTP surface: the staff REST API (session cookie), the staff
// websocket with its event hub, health checks and the embedded staff web client. It talks to
// the engine through the Backend interface and knows nothing of actors or Pebble.
package ui
