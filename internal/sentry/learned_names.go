package sentry

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
)

// LearnedName is what the names file says of one learned address.
type LearnedName struct {
	Name   string `json:"name"`   // what the bottle asked for
	Domain string `json:"domain"` // the allowed domain it matched
}

// learnedNamesFile is where the sentry keeps the names of learned addresses.
func learnedNamesFile(dir string) string { return filepath.Join(dir, "learned.json") }

// save writes the names file if it changed (atomically: a reader never
// sees half of it). Failures only warn: the names are a courtesy.
func (l *learning) save() {
	l.mu.Lock()
	if !l.dirty || l.path == "" {
		l.mu.Unlock()
		return
	}
	out := make(map[string]LearnedName, len(l.names))
	for a, d := range l.names {
		out[a.String()] = LearnedName{Name: d.Name, Domain: d.Domain}
	}
	l.dirty = false
	l.mu.Unlock()
	b, err := json.Marshal(out)
	if err == nil {
		err = writeAtomic(l.path, b, 0o644)
	}
	if err != nil {
		l.logf("warning: save the names of learned addresses: %v", err)
	}
}

// ReadLearnedNames reads the names file of the sentry using state
// directory dir; a missing file is an empty map.
func ReadLearnedNames(dir string) (map[netip.Addr]LearnedName, error) {
	b, err := os.ReadFile(learnedNamesFile(dir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var raw map[string]LearnedName
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", learnedNamesFile(dir), err)
	}
	out := make(map[netip.Addr]LearnedName, len(raw))
	for k, v := range raw {
		if a, err := netip.ParseAddr(k); err == nil {
			out[a] = v
		}
	}
	return out, nil
}
