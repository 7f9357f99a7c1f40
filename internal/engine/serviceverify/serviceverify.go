// Package serviceverify runs verify's battery against a bottle service on
// a container runtime: the engine side implements verify.Backend, so
// verify knows no runtime.
package serviceverify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/enginehost"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// Backend runs the battery against a bottle service on a container
// runtime: probes in a throwaway container joined to the bottle's network
// namespace (same user, no capabilities unless hostile), counters from the
// sentry. It knows the runtime only through engine.Runtime.
type Backend struct {
	Runtime engine.Runtime
	Runner  runner.Runner
	Names   engine.Names
	probe   string // the probe container's name
	gid     int    // the probes' group
}

// A service answers what a real deployment can: verify finds the optional
// interfaces by type assertion, so a renamed method would go unnoticed.
var (
	_ verify.Backend      = (*Backend)(nil)
	_ verify.RouteChecker = (*Backend)(nil)
	_ verify.SentryProber = (*Backend)(nil)
)

// Config reads the configuration the running sentry applies (a
// reload's, or its environment's), so verify judges against what runs;
// with RBRR_DNS_SERVER unset, the runtime's resolver it forwards to, so
// the cases that need the upstream know it (and could not run, rather than
// BROKEN, when it is unreachable).
func Config(ctx context.Context, rt engine.Runtime, r runner.Runner, n engine.Names) (*config.Config, error) {
	c, _, err := engine.ResolvedConfig(ctx, rt, r, n)
	return c, err
}

// ProbeCAPath is where the probe container sees ProbeOptions.CAFile.
const ProbeCAPath = "/run/rbm-verify/ca.pem"

// ProbeOptions say how the probe container is started.
type ProbeOptions struct {
	// Hostile adds NET_RAW and NET_ADMIN. For a non-root --user, Podman
	// (4.3 checked) raises added capabilities as ambient ones, so the probe
	// process really holds them (CapEff), not only its bounding set; where
	// the runtime does not (Docker 20.10), the hostile probes run as uid 0
	// of the bottle's group with only those two capabilities.
	Hostile bool
	// CAFile, a file on this host, is mounted read-only at ProbeCAPath: the
	// probe container is a throwaway one, its own files cannot be chosen.
	CAFile string
}

// Start starts the probe container in the bottle's network
// namespace. Close removes it.
func Start(ctx context.Context, rt engine.Runtime, r runner.Runner, cfg *config.Config, o ProbeOptions) (*Backend, error) {
	n := engine.NamesFor(cfg.Moniker)
	b := &Backend{Runtime: rt, Runner: r, Names: n, probe: n.Moniker + "-verify", gid: cfg.BottleUID}
	gid := strconv.Itoa(cfg.BottleUID) // the bottle's user and group share the number
	uid := gid
	if o.Hostile && !rt.AmbientCaps() {
		uid = "0"
	}
	args := append([]string{"run", "-d", "--rm", "--pull", "never"}, rt.Join(n)...)
	args = append(args, "--name", b.probe, "--label", n.Label(),
		"--user", uid+":"+gid, "--cap-drop", "ALL", "--security-opt", "no-new-privileges")
	if o.Hostile {
		args = append(args, "--cap-add", "NET_RAW", "--cap-add", "NET_ADMIN")
	}
	if o.CAFile != "" {
		ca, err := filepath.Abs(o.CAFile) // a relative -v source would name a volume
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		if strings.ContainsAny(ca, ":,") {
			return nil, fmt.Errorf("CA file %q: a path with ':' or ',' cannot be mounted with -v", ca)
		}
		if _, err := os.Stat(ca); err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		args = append(args, "-v", ca+":"+ProbeCAPath+":ro")
	}
	// The sentry image holds rbm; the probes need nothing from the bottle's.
	args = append(args, "--entrypoint", "sleep", cfg.SentryImage, "600")
	if _, err := r.Run(ctx, engine.Cmd(rt, args...)); err != nil {
		return nil, fmt.Errorf("start the probe container: %w", err)
	}
	return b, nil
}

// Container is the probe container's name.
func (b *Backend) Container() string { return b.probe }

// PingDenied reports whether the probes' group is outside the pod's
// net.ipv4.ping_group_range (Podman sets "0 0" by default), for
// Target.PingDenied.
func (b *Backend) PingDenied(ctx context.Context) (bool, error) {
	out, err := b.Runner.Run(ctx, engine.Exec(b.Runtime, b.probe, false, "cat", "/proc/sys/net/ipv4/ping_group_range"))
	if err != nil {
		return false, fmt.Errorf("read the pod's net.ipv4.ping_group_range: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return false, fmt.Errorf("net.ipv4.ping_group_range %q: expected two numbers", out)
	}
	lo, err1 := strconv.ParseInt(f[0], 10, 64)
	hi, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("net.ipv4.ping_group_range %q: expected two numbers", out)
	}
	return int64(b.gid) < lo || int64(b.gid) > hi, nil
}

// SentryUplink is the sentry's address on the uplink network with the
// network's prefix length, for Target.SentryUplink and Target.UplinkPrefix.
func SentryUplink(ctx context.Context, rt engine.Runtime, r runner.Runner, cfg *config.Config) (netip.Prefix, error) {
	n := engine.NamesFor(cfg.Moniker)
	c, err := engine.InspectOne(ctx, rt, r, n.Sentry)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("the sentry: %w", err)
	}
	up, ok := c.Networks[cfg.UplinkNetwork]
	if !ok {
		return netip.Prefix{}, fmt.Errorf("the sentry %s has no address on %s", n.Sentry, cfg.UplinkNetwork)
	}
	return up, nil
}

// Close removes the probe container.
func (b *Backend) Close(ctx context.Context) error {
	_, err := b.Runner.Run(ctx, b.Runtime.RemoveNow(b.probe))
	return err
}

// Probe runs one probe in the probe container.
func (b *Backend) Probe(ctx context.Context, s probe.Spec) (probe.Result, error) {
	return verify.BatchOne(ctx, b.Runner, engine.Exec(b.Runtime, b.probe, true, "rbm", "probe", "batch"), s)
}

// Counters reads the sentry's counters through `rbm counters --json`.
func (b *Backend) Counters(ctx context.Context) (firewall.Snapshot, error) {
	out, err := b.Runner.Run(ctx, engine.Exec(b.Runtime, b.Names.Sentry, false, "rbm", "counters", "--json"))
	if err != nil {
		return firewall.Snapshot{}, fmt.Errorf("read the sentry's counters: %w", err)
	}
	var s firewall.Snapshot
	if err := json.Unmarshal(out, &s); err != nil {
		return s, fmt.Errorf("parse the sentry's counters: %w", err)
	}
	return s, nil
}

// ForeignQueries cannot be observed on a real deployment.
func (b *Backend) ForeignQueries(context.Context) (int, bool, error) { return 0, false, nil }

// ProbeFromSentry runs one probe in the sentry container.
func (b *Backend) ProbeFromSentry(ctx context.Context, s probe.Spec) (probe.Result, error) {
	return verify.BatchOne(ctx, b.Runner, engine.Exec(b.Runtime, b.Names.Sentry, true, "rbm", "probe", "batch"), s)
}

// SentryWay asks the sentry container's kernel for its way to a.
func (b *Backend) SentryWay(ctx context.Context, a netip.Addr) (verify.Way, error) {
	return verify.SentryWay(ctx, b.Runner, func(args ...string) runner.Cmd {
		return engine.Exec(b.Runtime, b.Names.Sentry, false, append([]string{"ip"}, args...)...)
	}, a)
}

// CAFileWarning is a line to show when caFile (on this machine) lies
// outside what the engine's VM shares by default: the probe container
// would mount the VM's own path there, not this file. "" when it is
// shared, or the engine runs here.
func CAFileWarning(h enginehost.Host, caFile, home string) string {
	ca, err := filepath.Abs(caFile)
	if err != nil {
		return ""
	}
	unshared, shared := h.Unshared([]string{ca}, home)
	if len(unshared) == 0 {
		return ""
	}
	return fmt.Sprintf("warning: --ca-file %s: the %s VM shares only %s by default, so the probe container would not see this file; put it under one of those", ca, h.VM, strings.Join(shared, ", "))
}
