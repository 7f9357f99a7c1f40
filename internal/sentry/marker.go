package sentry

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// Marker is written when the sentry is ready and removed when it stops;
// `rbm sentry ready` reads it.
type Marker struct {
	PID      int        `json:"pid"`
	SentryIP netip.Addr `json:"sentry_ip"`
	DNS      bool       `json:"dns"`
	Firewall string     `json:"firewall"` // the backend's name
	Since    time.Time  `json:"since"`
}

func markerPath(dir string) string { return filepath.Join(dir, "ready.json") }

func writeMarker(dir string, m Marker) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp := markerPath(dir) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write ready marker: %w", err)
	}
	return os.Rename(tmp, markerPath(dir))
}

// ReadMarker returns the marker of the sentry using state directory dir.
func ReadMarker(dir string) (Marker, error) {
	var m Marker
	b, err := os.ReadFile(markerPath(dir))
	if err != nil {
		return m, fmt.Errorf("sentry not ready: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("read ready marker: %w", err)
	}
	return m, nil
}
