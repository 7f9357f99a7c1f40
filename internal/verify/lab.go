package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
)

// LabBackend runs the battery against a lab: probes in the bottle
// namespace as the bottle's user, counters from the sentry namespace, and
// the stand-in's own count of foreign queries.
type LabBackend struct {
	Info    *lab.Info // Info.RBM is the binary run inside the bottle namespace
	Runner  runner.Runner
	Hostile bool // give the probes NET_RAW and NET_ADMIN
}

// LabTarget describes the lab's stand-ins as a Target.
func LabTarget(info *lab.Info, hostile bool) Target {
	return labTarget(info.Policy, info.Addresses, info.CAFile, hostile)
}

func labTarget(p policy.Policy, a lab.Addresses, ca string, hostile bool) Target {
	return Target{
		Policy: p, Foreign: a.Foreign, Allowed: a.Allowed, Forbidden: a.Forbidden, EchoPort: 22,
		AllowedName: lab.AllowedName(p), ForbiddenName: lab.ForbiddenName(p), BaitDomain: lab.BaitDomain(p),
		CAFile: ca, SentryUplink: a.SentryUplink, UplinkPrefix: a.LinkNet, Hostile: hostile,
		Learned: a.Learned, LearnName: lab.LearnName(p), HostAddr: a.Host, HostName: lab.HostName(p),
	}
}

// ExampleLabTarget is the built-in lab's Target, without bringing it up:
// what the README's case table shows.
func ExampleLabTarget() (Target, error) {
	c, _, err := config.Resolve(lab.Example()...)
	if err != nil {
		return Target{}, err
	}
	a, err := lab.PlanAddresses(c.Policy())
	if err != nil {
		return Target{}, err
	}
	if err := lab.WithHost(c, a); err != nil {
		return Target{}, err
	}
	return labTarget(c.Policy(), a, "", false), nil
}

// Probe runs one probe through `rbm probe batch` in the bottle namespace.
func (b LabBackend) Probe(ctx context.Context, s probe.Spec) (probe.Result, error) {
	argv := append([]string{"netns", "exec", b.Info.Namespaces[lab.Bottle]}, b.privileges()...)
	return batchOne(ctx, b.Runner, runner.Cmd{Name: "ip", Args: append(argv, b.Info.RBM, "probe", "batch")}, s)
}

func (b LabBackend) privileges() []string {
	if b.Hostile {
		return lab.BottlePrivileges(b.Info.BottleUID, "net_raw", "net_admin")
	}
	return lab.BottlePrivileges(b.Info.BottleUID)
}

// Counters reads the sentry namespace's counters.
func (b LabBackend) Counters(ctx context.Context) (firewall.Snapshot, error) {
	r := runner.InNetns{Name: b.Info.Namespaces[lab.Sentry], Inner: b.Runner}
	fw, err := labFirewall(ctx, b.Info, r)
	if err != nil {
		return firewall.Snapshot{}, err
	}
	return fw.Counters(ctx)
}

// ForeignQueries asks the stand-in internet.
func (b LabBackend) ForeignQueries(ctx context.Context) (int, bool, error) {
	st, err := standin.FetchStats(ctx, b.Info.Stats)
	if err != nil {
		return 0, false, err
	}
	return int(st.Foreign.Total), true, nil
}

// batchOne runs `rbm probe batch` with one spec and returns its result.
func batchOne(ctx context.Context, r runner.Runner, c runner.Cmd, s probe.Spec) (probe.Result, error) {
	in, err := json.Marshal([]probe.Spec{s})
	if err != nil {
		return probe.Result{}, err
	}
	c.Stdin = string(in)
	out, err := r.Run(ctx, c)
	if err != nil {
		return probe.Result{}, fmt.Errorf("run probe: %w", err)
	}
	var rs []probe.Result
	if err := json.Unmarshal(out, &rs); err != nil || len(rs) != 1 {
		return probe.Result{}, fmt.Errorf("probe output %q: %v", out, err)
	}
	return rs[0], nil
}

// labFirewall is the backend the lab's sentry was configured with; a lab
// saved before backends were named is asked what its namespace holds.
func labFirewall(ctx context.Context, info *lab.Info, r runner.Runner) (firewall.Backend, error) {
	return backends.ForMarker(ctx, info.Firewall, r)
}

// UpstreamQueries is the stand-in upstream resolver's own count for name.
func (b LabBackend) UpstreamQueries(ctx context.Context, name string) (int, error) {
	st, err := standin.FetchStats(ctx, b.Info.Stats)
	if err != nil {
		return 0, err
	}
	return int(st.Resolver[name]), nil
}

// ProbeFromSentry runs one probe in the sentry namespace, as root (the
// sentry's own privileges).
func (b LabBackend) ProbeFromSentry(ctx context.Context, s probe.Spec) (probe.Result, error) {
	return batchOne(ctx, b.Runner, runner.Cmd{Name: "ip", Args: []string{"netns", "exec", b.Info.Namespaces[lab.Sentry], b.Info.RBM, "probe", "batch"}}, s)
}

// SentryWay asks the sentry namespace's kernel for its way to a.
func (b LabBackend) SentryWay(ctx context.Context, a netip.Addr) (Way, error) {
	return sentryWay(ctx, b.Runner, func(args ...string) runner.Cmd {
		return runner.Cmd{Name: "ip", Args: append([]string{"-n", b.Info.Namespaces[lab.Sentry]}, args...)}
	}, a)
}
