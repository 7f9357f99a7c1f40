package engine

import (
	"strconv"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/sysctls"
)

// Health check of the sentry: `rbm sentry ready` exits 0 once the rules are
// loaded and DNS answers. The runtime runs it through /bin/sh (CMD-SHELL);
// the words are fixed, nothing from the configuration.
const (
	healthCmd      = "rbm sentry ready"
	healthInterval = "5s"
	healthTimeout  = "5s"
	// StopSeconds is how long a runtime waits for a container to stop.
	StopSeconds = "5"
)

// SentryArgs are the sentry container's options that do not depend on the
// runtime, in plan order: capabilities, sysctls, health check, stop
// timeout, the published entry port and the environment.
//
// NET_ADMIN/NET_RAW for the rules, NET_BIND_SERVICE for DNS on port 53,
// SETUID/SETGID so dnsmasq can drop to an unprivileged user, and KILL so the
// sentry can still signal dnsmasq once it runs as that user (without it
// SIGTERM fails and the runtime's stop ends in SIGKILL).
func SentryArgs(cfg *config.Config) []string {
	args := []string{"--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
		"--cap-add", "NET_BIND_SERVICE", "--cap-add", "SETUID", "--cap-add", "SETGID", "--cap-add", "KILL"}
	for _, s := range SentrySysctls(cfg) {
		args = append(args, "--sysctl", s)
	}
	args = append(args,
		"--health-cmd", healthCmd, "--health-interval", healthInterval,
		"--health-timeout", healthTimeout, "--health-retries", "3",
		"--stop-timeout", StopSeconds,
	)
	if cfg.EntryEnabled {
		ws := strconv.Itoa(int(cfg.EntryPortWorkstation))
		args = append(args, "-p", cfg.EntryBind.String()+":"+ws+":"+ws+"/tcp")
	}
	// Every rbm variable, in the table's order, each as its own "--env
	// NAME=VALUE" pair: the sentry sees exactly what was validated here.
	for _, kv := range cfg.Environ() {
		args = append(args, "--env", kv)
	}
	return args
}

// SentrySysctls are the sentry's kernel settings, given by the runtime
// (sysctls.Runtime: /proc/sys is read-only in a container).
func SentrySysctls(cfg *config.Config) []string { return sysctls.Runtime(cfg.EntryEnabled) }
