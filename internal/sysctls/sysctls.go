// Package sysctls lists the kernel settings the sentry needs: once, so the
// values the sentry writes and the `--sysctl` arguments the runtime gives
// it cannot drift apart.
package sysctls

// Setting is one kernel setting.
type Setting struct {
	Key, Value string
	Required   bool // the sentry cannot work without it
}

// String is "key=value", as `--sysctl` and `rbm render` show it.
func (s Setting) String() string { return s.Key + "=" + s.Value }

// Sentry lists the settings of a sentry whose enclave interface is
// enclave. Forwarding is last, so it is only turned on once everything
// before it holds. Reverse-path filtering is strict (spoofed sources drop
// early), or loose when an entry port's replies cross the sentry
// asymmetrically.
func Sentry(entry bool, enclave string) []Setting {
	rp := "1"
	if entry {
		rp = "2"
	}
	var out []Setting
	for _, dev := range []string{"all", enclave} {
		out = append(out,
			Setting{Key: "net.ipv4.conf." + dev + ".send_redirects", Value: "0"},
			Setting{Key: "net.ipv4.conf." + dev + ".accept_redirects", Value: "0"},
		)
	}
	return append(out,
		Setting{Key: "net.ipv4.conf." + enclave + ".rp_filter", Value: rp},
		Setting{Key: "net.ipv4.ip_forward", Value: "1", Required: true},
	)
}

// Runtime is the runtime's `--sysctl` values for the sentry: /proc/sys is
// read-only in a container, and before the interfaces exist only "all" can
// be named, which for these settings is what counts. They are Sentry's
// with "all" for the enclave, each once, forwarding first (the runtime sets
// them all before the sentry runs, so their order does not matter there).
func Runtime(entry bool) []string {
	var fwd string
	var rest []string
	seen := map[string]bool{}
	for _, s := range Sentry(entry, "all") {
		switch {
		case seen[s.Key]:
		case s.Required:
			fwd = s.String()
		default:
			rest = append(rest, s.String())
		}
		seen[s.Key] = true
	}
	return append([]string{fwd}, rest...)
}
