package run

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
)

// monikerPrefix starts every automatic moniker, so `rbm status` tells
// run's services apart.
const monikerPrefix = "run-"

// NewMoniker returns "run-" and 8 random hex digits not among taken (the
// runtime's present monikers): valid for the moniker rule (lowercase,
// digits, hyphens, at most 31).
func NewMoniker(taken []string) (string, error) {
	for range 8 {
		b := make([]byte, 4)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("moniker: %w", err)
		}
		m := monikerPrefix + hex.EncodeToString(b)
		if !slices.Contains(taken, m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("moniker: no free name after 8 tries")
}
