package config

import (
	"fmt"
	"slices"
	"strings"
)

// fixedInPlace are the variables a running service cannot change: they
// shape the containers, networks and addresses Podman created, or the
// kernel ruleset's kind. Changing one takes a restart (rbm stop, rbm start).
var fixedInPlace = []string{
	"RBRR_POD_SUBNET", "RBRR_SENTRY_IP", "RBRR_BOTTLE_IP", "RBRR_BOTTLE_UID",
	"RBRR_SENTRY_IMAGE", "RBRR_FIREWALL_BACKEND", "RBRR_UPLINK_NETWORK", "RBRR_RUNTIME",
	"RBRN_MONIKER", "RBRN_BOTTLE_IMAGE",
	"RBRN_ENTRY_ENABLED", "RBRN_ENTRY_PORT_WORKSTATION", "RBRN_ENTRY_PORT_ENCLAVE", "RBRN_ENTRY_BIND_ADDRESS",
}

// Change is one variable whose value differs between two configurations.
type Change struct {
	Name, From, To string
}

// Changes lists, in the table's order, the variables whose normalised
// values differ from live's, split into those a reload applies and those
// that need a restart.
func (c *Config) Changes(live *Config) (inPlace, restart []Change) {
	now, was := c.Layer(""), live.Layer("")
	for _, v := range Vars {
		if now[v.Name].Value == was[v.Name].Value {
			continue
		}
		ch := Change{Name: v.Name, From: was[v.Name].Value, To: now[v.Name].Value}
		if slices.Contains(fixedInPlace, v.Name) {
			restart = append(restart, ch)
		} else {
			inPlace = append(inPlace, ch)
		}
	}
	return inPlace, restart
}

// RestartError says which changes a reload cannot apply, one per line.
func RestartError(restart []Change) error {
	var b strings.Builder
	for _, ch := range restart {
		fmt.Fprintf(&b, "\n  %s: %q -> %q", ch.Name, ch.From, ch.To)
	}
	return fmt.Errorf("these cannot change in place; restart the service (rbm stop, then rbm start) to apply them:%s", b.String())
}

// Layer is c's normalised values (Environ) as a layer for Resolve, each
// from origin: the bottom layer a reload adds its files to.
func (c *Config) Layer(origin string) map[string]Setting {
	l := make(map[string]Setting, len(Vars))
	for _, kv := range c.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			l[k] = Setting{Value: v, Origin: origin}
		}
	}
	return l
}
