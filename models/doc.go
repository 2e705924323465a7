// Package models holds gridbot's domain vocabulary: places, people, the 5433 catalogue,
// cases and their state machine, notification intents, and the error type every layer shares.
// It imports no other package of gridbot.
package models
