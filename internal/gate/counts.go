package gate

import "sync"

// counts are the gate's decisions by rule id, read by rbm counters.
type counts struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (c *counts) add(rule string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	c.m[rule]++
	c.mu.Unlock()
}

func (c *counts) snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}
