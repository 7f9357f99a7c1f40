package config

// fixedInPlace are the variables a running service cannot change: they
// shape the containers, networks and addresses Podman created, or the
// kernel ruleset's kind. Changing one takes a restart (rbm stop, rbm start).
var fixedInPlace = []string{
	"RBRR_POD_SUBNET", "RBRR_SENTRY_IP", "RBRR_BOTTLE_IP", "RBRR_BOTTLE_UID",
	"RBRR_SENTRY_IMAGE", "RBRR_FIREWALL_BACKEND", "RBRR_UPLINK_NETWORK",
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
	now, was := envMap(c.Environ()), envMap(live.Environ())
	for _, v := range Vars {
		if now[v.Name] == was[v.Name] {
			continue
		}
		ch := Change{Name: v.Name, From: was[v.Name], To: now[v.Name]}
		if isFixed(v.Name) {
			restart = append(restart, ch)
		} else {
			inPlace = append(inPlace, ch)
		}
	}
	return inPlace, restart
}

func isFixed(name string) bool {
	for _, f := range fixedInPlace {
		if f == name {
			return true
		}
	}
	return false
}

func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				m[kv[:i]] = kv[i+1:]
				break
			}
		}
	}
	return m
}
