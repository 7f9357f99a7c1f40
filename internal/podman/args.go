package podman

import (
	"fmt"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
)

// stopSeconds is how long Podman waits for a container to stop.
const stopSeconds = engine.StopSeconds

func enclaveStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Network: true,
		Desc:    fmt.Sprintf("enclave network %s (%s): internal, no DNS, no route off it", n.Enclave, cfg.Subnet),
		Cmd: podman("network", "create", "--internal", "--disable-dns",
			"--subnet", cfg.Subnet.String(), "--label", n.Label(), n.Enclave),
		Undo: podman("network", "rm", "-f", n.Enclave),
	}
}

// sentryStep: on the uplink and, with its fixed address and MAC, on the
// enclave; engine.SentryArgs says why each capability.
func sentryStep(cfg *config.Config, n engine.Names) engine.Step {
	args := []string{"run", "-d", "--pull", "never", "--name", n.Sentry, "--label", n.Label(),
		"--network", cfg.UplinkNetwork,
		"--network", n.Enclave + ":ip=" + cfg.SentryIP.String() + ",mac=" + engine.MAC(cfg.SentryIP),
	}
	args = append(args, engine.SentryArgs(cfg)...)
	return engine.Step{
		Desc: fmt.Sprintf("sentry %s: uplink %s, enclave address %s", n.Sentry, cfg.UplinkNetwork, cfg.SentryIP),
		Cmd:  podman(append(args, cfg.SentryImage)...),
		Undo: podman("rm", "-f", "--ignore", "-t", stopSeconds, n.Sentry),
	}
}

func healthStep(n engine.Names) engine.Step {
	return engine.Step{
		Desc:      "wait until the sentry is healthy (rules loaded, DNS answering)",
		Kind:      engine.Poll,
		Cmd:       podman("healthcheck", "run", n.Sentry),
		Container: n.Sentry,
	}
}

// podStep: under rootless Podman the pod gets a user namespace mapping the
// invoking user to the bottle's uid and gid (--userns is ignored on a
// container with --pod), so what the bottle writes in a mounted directory
// is that user's on the host, not one of its subordinate ids. The init and
// guard containers keep NET_ADMIN over the pod's network namespace: Podman
// creates it inside that user namespace.
func podStep(cfg *config.Config, n engine.Names, rootless bool) engine.Step {
	args := []string{"pod", "create", "--name", n.Pod, "--label", n.Label(),
		"--network", n.Enclave, "--ip", cfg.BottleIP.String(), "--mac-address", engine.MAC(cfg.BottleIP),
		"--dns", cfg.SentryIP.String(),
		"--sysctl", "net.ipv6.conf.all.disable_ipv6=1", "--sysctl", "net.ipv6.conf.default.disable_ipv6=1"}
	desc := fmt.Sprintf("pod %s: the bottle's address %s, resolver %s, no IPv6", n.Pod, cfg.BottleIP, cfg.SentryIP)
	if rootless {
		uid := strconv.Itoa(cfg.BottleUID)
		args = append(args, "--userns", "keep-id:uid="+uid+",gid="+uid)
		desc += ", you as its user " + uid
	}
	return engine.Step{
		Desc: desc,
		Cmd:  podman(args...),
		Undo: podman("pod", "rm", "-f", "--ignore", "-t", stopSeconds, n.Pod),
	}
}
