package sentry

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"
)

// gateCountsFile is where the sentry keeps the name gate's decisions by
// rule id: the gate is a process, not a ruleset, so rbm counters (run
// beside the sentry, not in it) cannot ask the kernel for them.
func gateCountsFile(dir string) string { return filepath.Join(dir, "gate.json") }

// gateCountsWriter writes the gate's counts to path, as learning.save
// writes the names: at most once per saveEvery, only when they changed.
type gateCountsWriter struct {
	path   string
	counts func() map[string]uint64 // the gate's, gate.Server.Counts
	logf   func(format string, args ...any)
	last   map[string]uint64 // what path holds (nil: nothing written yet)
}

// run saves every saveEvery until ctx ends.
func (w *gateCountsWriter) run(ctx context.Context) {
	t := time.NewTicker(saveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.save()
		}
	}
}

// save writes the counts if they changed since the last write. A gate that
// decided nothing writes nothing: the file exists once there is a count.
// Failures only warn (and are retried next time): the file is a courtesy.
func (w *gateCountsWriter) save() {
	m := w.counts()
	if len(m) == 0 || maps.Equal(m, w.last) {
		return
	}
	b, err := json.Marshal(m)
	if err == nil {
		err = writeAtomic(w.path, b, 0o644)
	}
	if err != nil {
		w.logf("warning: save the name gate's counts: %v", err)
		return
	}
	w.last = m
}

// writeAtomic replaces path with b (mode perm) so that a reader never
// sees half of it.
func writeAtomic(path string, b []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// ReadGateCounts reads the name gate's decisions by rule id (policy.GateRules,
// without firewall.IDPrefix), as the sentry using state directory dir saved
// them; a missing file (no gate, or nothing decided yet) is a nil map.
func ReadGateCounts(dir string) (map[string]uint64, error) {
	path := gateCountsFile(dir)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the name gate's counts: %w", err)
	}
	var m map[string]uint64
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the name gate's counts: %s: %w", path, err)
	}
	return m, nil
}
