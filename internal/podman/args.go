package podman

import (
	"fmt"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
)

// Health check of the sentry: `rbm sentry ready` exits 0 once the rules are
// loaded and DNS answers. Podman runs it through /bin/sh (CMD-SHELL); the
// words are fixed, nothing from the configuration.
const (
	healthCmd      = "rbm sentry ready"
	healthInterval = "5s"
	healthTimeout  = "5s"
	stopSeconds    = "5"
)

func enclaveStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Desc: fmt.Sprintf("enclave network %s (%s): internal, no DNS, no route off it", n.Enclave, cfg.Subnet),
		Cmd: podman("network", "create", "--internal", "--disable-dns",
			"--subnet", cfg.Subnet.String(), "--label", n.Label(), n.Enclave),
		Undo: podman("network", "rm", "-f", n.Enclave),
	}
}

// sentryStep: NET_ADMIN/NET_RAW for the rules, NET_BIND_SERVICE for DNS on
// port 53, SETUID/SETGID so dnsmasq can drop to an unprivileged user, and
// KILL so the sentry can still signal dnsmasq once it runs as that user
// (without it SIGTERM fails and `podman stop` ends in SIGKILL).
func sentryStep(cfg *config.Config, n engine.Names) engine.Step {
	args := []string{"run", "-d", "--pull", "never", "--name", n.Sentry, "--label", n.Label(),
		"--network", cfg.UplinkNetwork,
		"--network", n.Enclave + ":ip=" + cfg.SentryIP.String() + ",mac=" + engine.MAC(cfg.SentryIP),
		"--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
		"--cap-add", "NET_BIND_SERVICE", "--cap-add", "SETUID", "--cap-add", "SETGID", "--cap-add", "KILL",
	}
	args = append(args, sentrySysctls(cfg)...)
	args = append(args,
		"--health-cmd", healthCmd, "--health-interval", healthInterval,
		"--health-timeout", healthTimeout, "--health-retries", "3",
		"--stop-timeout", stopSeconds,
	)
	if cfg.EntryEnabled {
		ws := strconv.Itoa(int(cfg.EntryPortWorkstation))
		args = append(args, "-p", cfg.EntryBind.String()+":"+ws+":"+ws+"/tcp")
	}
	args = append(args, envArgs(cfg)...)
	return engine.Step{
		Desc: fmt.Sprintf("sentry %s: uplink %s, enclave address %s", n.Sentry, cfg.UplinkNetwork, cfg.SentryIP),
		Cmd:  podman(append(args, cfg.SentryImage)...),
		Undo: podman("rm", "-f", "--ignore", "-t", stopSeconds, n.Sentry),
	}
}

func sentrySysctls(cfg *config.Config) []string {
	var out []string
	for _, s := range engine.SentrySysctls(cfg) {
		out = append(out, "--sysctl", s)
	}
	return out
}

// envArgs passes every rbm variable, in the table's order, each as its own
// "--env NAME=VALUE" pair: the sentry sees exactly what was validated here.
func envArgs(cfg *config.Config) []string {
	var out []string
	for _, kv := range cfg.Environ() {
		out = append(out, "--env", kv)
	}
	return out
}

func healthStep(n engine.Names) engine.Step {
	return engine.Step{
		Desc:      "wait until the sentry is healthy (rules loaded, DNS answering)",
		Kind:      engine.Poll,
		Cmd:       podman("healthcheck", "run", n.Sentry),
		Container: n.Sentry,
	}
}

func podStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Desc: fmt.Sprintf("pod %s: the bottle's address %s, resolver %s, no IPv6", n.Pod, cfg.BottleIP, cfg.SentryIP),
		Cmd: podman("pod", "create", "--name", n.Pod, "--label", n.Label(),
			"--network", n.Enclave, "--ip", cfg.BottleIP.String(), "--mac-address", engine.MAC(cfg.BottleIP),
			"--dns", cfg.SentryIP.String(),
			"--sysctl", "net.ipv6.conf.all.disable_ipv6=1", "--sysctl", "net.ipv6.conf.default.disable_ipv6=1"),
		Undo: podman("pod", "rm", "-f", "--ignore", "-t", stopSeconds, n.Pod),
	}
}
