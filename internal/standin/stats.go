package standin

import (
	"maps"
	"sync"
)

// Stats counts what reached the stand-in internet, so a verifier can tell
// that a blocked probe really did not leave the sentry.
type Stats struct {
	// Resolver counts queries by name (lower case, no trailing dot).
	Resolver map[string]int64 `json:"resolver"`
	Foreign  ForeignStats     `json:"foreign"`
	// Web counts requests by listening address.
	Web map[string]WebCount `json:"web"`
	// Echo counts datagrams and connections by "udp addr:port" or "tcp addr:port".
	Echo map[string]int64 `json:"echo"`
	// EchoSources counts them by source address: a forged source that
	// shows up here crossed the sentry.
	EchoSources map[string]int64 `json:"echo_sources"`
}

// ForeignStats counts what reached the foreign resolvers.
type ForeignStats struct {
	Total int64 `json:"total"`
	// ByTransport is keyed "udp/53", "tcp/53", "udp/5353", "tcp/5353",
	// "tcp/853" (connections).
	ByTransport map[string]int64 `json:"by_transport"`
}

// WebCount counts requests to one web address.
type WebCount struct {
	HTTP  int64 `json:"http"`
	HTTPS int64 `json:"https"`
}

// counters is the live, locked form of Stats.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func newCounters() *counters {
	return &counters{s: Stats{
		Resolver:    map[string]int64{},
		Foreign:     ForeignStats{ByTransport: map[string]int64{}},
		Web:         map[string]WebCount{},
		Echo:        map[string]int64{},
		EchoSources: map[string]int64{},
	}}
}

// update applies f under the lock.
func (c *counters) update(f func(s *Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.s)
}

// snapshot returns a copy that later updates do not change.
func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.Resolver = maps.Clone(s.Resolver)
	s.Foreign.ByTransport = maps.Clone(s.Foreign.ByTransport)
	s.Web = maps.Clone(s.Web)
	s.Echo = maps.Clone(s.Echo)
	s.EchoSources = maps.Clone(s.EchoSources)
	return s
}
