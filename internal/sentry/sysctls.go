package sentry

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

type sysctl struct {
	key, value string
	required   bool // the sentry cannot work without it
}

// sysctls lists the kernel settings the sentry needs. Forwarding is last so
// it is only turned on once the rules are in place.
func sysctls(p policy.Policy, ifs firewall.Interfaces) []sysctl {
	rp := "1" // strict reverse-path filtering drops spoofed sources early
	if p.Entry != nil {
		rp = "2" // loose: entry-port replies cross the sentry asymmetrically
	}
	var out []sysctl
	for _, dev := range []string{"all", ifs.Enclave} {
		out = append(out,
			sysctl{"net.ipv4.conf." + dev + ".send_redirects", "0", false},
			sysctl{"net.ipv4.conf." + dev + ".accept_redirects", "0", false},
		)
	}
	return append(out,
		sysctl{"net.ipv4.conf." + ifs.Enclave + ".rp_filter", rp, false},
		sysctl{"net.ipv4.ip_forward", "1", true},
	)
}

// applySysctls sets each value unless it already holds. In a container
// /proc/sys is often read-only; there the needed values must come from
// `podman run --sysctl`, which the error says.
func applySysctls(s runner.Sysctls, list []sysctl, warn func(string)) error {
	for _, c := range list {
		if cur, err := s.Get(c.key); err == nil && cur == c.value {
			continue
		}
		if err := s.Set(c.key, c.value); err != nil {
			if c.required {
				return fmt.Errorf("%w (in a container, pass --sysctl %s=%s)", err, c.key, c.value)
			}
			warn(err.Error())
		}
	}
	return nil
}
