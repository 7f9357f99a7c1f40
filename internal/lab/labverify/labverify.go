// Package labverify runs verify's battery against a lab: the lab
// implements verify.Backend and describes its stand-ins as a verify.Target,
// so verify knows no lab.
package labverify

import (
	"context"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// Backend runs the battery against a lab: probes in the bottle
// namespace as the bottle's user, counters from the sentry namespace, and
// the stand-in's own count of foreign queries.
type Backend struct {
	Info    *lab.Info // Info.RBM is the binary run inside the bottle namespace
	Runner  runner.Runner
	Hostile bool // give the probes NET_RAW and NET_ADMIN
}

// The lab answers every question verify may ask: its optional interfaces
// are found by type assertion, so a renamed method would go unnoticed.
var (
	_ verify.Backend         = Backend{}
	_ verify.RouteChecker    = Backend{}
	_ verify.SentryProber    = Backend{}
	_ verify.UpstreamCounter = Backend{}
)

// Target describes the lab's stand-ins as a verify.Target.
func Target(info *lab.Info, hostile bool) verify.Target {
	return labTarget(info.Policy, info.Addresses, info.CAFile, hostile)
}

func labTarget(p policy.Policy, a lab.Addresses, ca string, hostile bool) verify.Target {
	return verify.Target{
		Policy: p, Foreign: a.Foreign, Allowed: a.Allowed, Forbidden: a.Forbidden, EchoPort: 22,
		AllowedName: lab.AllowedName(p), ForbiddenName: lab.ForbiddenName(p), BaitDomain: lab.BaitDomain(p),
		CAFile: ca, SentryUplink: a.SentryUplink, UplinkPrefix: a.LinkNet, Hostile: hostile,
		Learned: a.Learned, LearnName: lab.LearnName(p), HostAddr: a.Host, HostName: lab.HostName(p),
	}
}

// ExampleTarget is the built-in lab's Target, without bringing it up:
// what the README's case table shows.
func ExampleTarget() (verify.Target, error) {
	c, _, err := config.Resolve(lab.Example()...)
	if err != nil {
		return verify.Target{}, err
	}
	a, err := lab.PlanAddresses(c.Policy())
	if err != nil {
		return verify.Target{}, err
	}
	if err := lab.WithHost(c, a); err != nil {
		return verify.Target{}, err
	}
	return labTarget(c.Policy(), a, "", false), nil
}

// Probe runs one probe through `rbm probe batch` in the bottle namespace.
func (b Backend) Probe(ctx context.Context, s probe.Spec) (probe.Result, error) {
	argv := append([]string{"netns", "exec", b.Info.Namespaces[lab.Bottle]}, b.privileges()...)
	return verify.BatchOne(ctx, b.Runner, runner.Cmd{Name: "ip", Args: append(argv, b.Info.RBM, "probe", "batch")}, s)
}

func (b Backend) privileges() []string {
	if b.Hostile {
		return lab.BottlePrivileges(b.Info.BottleUID, "net_raw", "net_admin")
	}
	return lab.BottlePrivileges(b.Info.BottleUID)
}

// Counters reads the sentry namespace's counters.
func (b Backend) Counters(ctx context.Context) (firewall.Snapshot, error) {
	r := runner.InNetns{Name: b.Info.Namespaces[lab.Sentry], Inner: b.Runner}
	fw, err := labFirewall(ctx, b.Info, r)
	if err != nil {
		return firewall.Snapshot{}, err
	}
	return fw.Counters(ctx)
}

// ForeignQueries asks the stand-in internet.
func (b Backend) ForeignQueries(ctx context.Context) (int, bool, error) {
	st, err := standin.FetchStats(ctx, b.Info.Stats)
	if err != nil {
		return 0, false, err
	}
	return int(st.Foreign.Total), true, nil
}

// labFirewall is the backend the lab's sentry was configured with; a lab
// saved before backends were named is asked what its namespace holds.
func labFirewall(ctx context.Context, info *lab.Info, r runner.Runner) (firewall.Backend, error) {
	return backends.ForMarker(ctx, info.Firewall, r)
}

// UpstreamQueries is the stand-in upstream resolver's own count for name.
func (b Backend) UpstreamQueries(ctx context.Context, name string) (int, error) {
	st, err := standin.FetchStats(ctx, b.Info.Stats)
	if err != nil {
		return 0, err
	}
	return int(st.Resolver[name]), nil
}

// ProbeFromSentry runs one probe in the sentry namespace, as root (the
// sentry's own privileges).
func (b Backend) ProbeFromSentry(ctx context.Context, s probe.Spec) (probe.Result, error) {
	return verify.BatchOne(ctx, b.Runner, runner.Cmd{Name: "ip", Args: []string{"netns", "exec", b.Info.Namespaces[lab.Sentry], b.Info.RBM, "probe", "batch"}}, s)
}

// SentryWay asks the sentry namespace's kernel for its way to a.
func (b Backend) SentryWay(ctx context.Context, a netip.Addr) (verify.Way, error) {
	return verify.SentryWay(ctx, b.Runner, func(args ...string) runner.Cmd {
		return runner.Cmd{Name: "ip", Args: append([]string{"-n", b.Info.Namespaces[lab.Sentry]}, args...)}
	}, a)
}
