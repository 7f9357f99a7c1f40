package sentry

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/sysctls"
)

// planSysctls are the kernel settings of a plan: rp_filter follows the
// entry port, and the enclave is named.
func planSysctls(p policy.Policy, ifs firewall.Interfaces) []sysctls.Setting {
	return sysctls.Sentry(p.Entry != nil, ifs.Enclave)
}

// applySysctls sets each value unless it already holds. In a container
// /proc/sys is often read-only; there the needed values must come from
// `podman run --sysctl`, which the error says.
func applySysctls(s runner.Sysctls, list []sysctls.Setting, warn func(string)) error {
	for _, c := range list {
		if cur, err := s.Get(c.Key); err == nil && cur == c.Value {
			continue
		}
		if err := s.Set(c.Key, c.Value); err != nil {
			if c.Required {
				return fmt.Errorf("%w (in a container, pass --sysctl %s)", err, c)
			}
			warn(err.Error())
		}
	}
	return nil
}
