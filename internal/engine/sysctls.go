package engine

import "github.com/recipe-bottle/rbm/internal/config"

// SentrySysctls are the sentry's kernel settings, given by the runtime:
// /proc/sys is read-only in a container. Only "all" can be named before the
// interfaces exist; for these settings it is what counts. Reverse-path
// filtering is strict, or loose when the entry port's replies cross the
// sentry asymmetrically.
func SentrySysctls(cfg *config.Config) []string {
	rp := "1"
	if cfg.EntryEnabled {
		rp = "2"
	}
	return []string{
		"net.ipv4.ip_forward=1",
		"net.ipv4.conf.all.send_redirects=0",
		"net.ipv4.conf.all.accept_redirects=0",
		"net.ipv4.conf.all.rp_filter=" + rp,
	}
}
