package podman_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/engine/serviceverify"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// TestPodmanVerifyNoWayOut runs the battery on a sentry whose uplink is an
// --internal network with nothing behind it (no default route, no
// upstream resolver, no stand-in: the addresses on the link answer no ARP,
// those beyond it have no route), in both egress modes. Nothing may say
// BROKEN: the cases whose expected success needs the outside could not
// run, the expected drops hold.
func TestPodmanVerifyNoWayOut(t *testing.T) {
	needPodman(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	removeWorld(h)
	t.Cleanup(func() { removeWorld(h.detached()) })
	h.podman("network", "create", "--internal", "--disable-dns", "--subnet", upSubnet,
		"--gateway", upGateway, "--label", testLabel, upNet)
	for _, m := range []struct {
		name          string
		env           []string
		notRun, holds []string
	}{
		{name: "allowlist",
			notRun: []string{"sentry/own-egress-upstream", "request/sentry-dns-allowed", "dns/allowed-name-tcp"},
			holds:  []string{"request/http-forbidden-address", "sentry/own-egress-forbidden", "sentry/own-egress-foreign-resolver", "egress/host-address"}},
		{name: "global", env: []string{"RBRN_UPLINK_ACCESS_GLOBAL=true"},
			// The stand-in addresses sit on the uplink's subnet, which
			// global egress refuses (fwd-global-uplink): those drops hold.
			notRun: []string{"sentry/own-egress-upstream", "request/sentry-dns-allowed"},
			holds:  []string{"sentry/own-egress-forbidden", "egress/cloud-metadata", "request/http-forbidden-address", "egress/forbidden-tcp-443", "egress/host-address"}},
	} {
		t.Run(m.name, func(t *testing.T) {
			rs := noWayBattery(ctx, t, append(verifyConfig(t), m.env...))
			got := map[string]verify.Result{}
			for _, r := range rs {
				got[r.Case.Name] = r
				if r.Verdict == verify.Broken {
					t.Errorf("%s: BROKEN on a sentry with no way out (observed %s, moved %v, why %q)", r.Case.Name, verify.Observed(r.Observed), r.Moved, r.Why)
				}
			}
			for want, names := range map[verify.Verdict][]string{verify.NotRun: m.notRun, verify.Holds: m.holds} {
				for _, n := range names {
					if r, ok := got[n]; !ok || r.Verdict != want {
						t.Errorf("%s: %q (%s), want %s", n, r.Verdict, r.Why, want)
					}
				}
			}
		})
	}
}

// noWayBattery starts the service on the bare uplink and runs the battery
// through serviceverify.Start, naming the stand-ins that are not
// there.
func noWayBattery(ctx context.Context, t *testing.T, env []string) []verify.Result {
	h := host{t: t, ctx: ctx}
	// A run killed before its cleanup leaves the moniker's pod behind, and
	// preflight refuses to start over it.
	if err := engine.Stop(ctx, podman.Runtime{}, runner.Exec{}, moniker, testWriter{t}); err != nil {
		t.Fatalf("remove a leftover service %s: %v", moniker, err)
	}
	s := startService(h, resolve(t, env...))
	if out := s.podman("exec", s.names.Sentry, "ip", "route", "show", "default"); strings.TrimSpace(out) != "" {
		t.Fatalf("the sentry has a default route on an --internal uplink: %s", out)
	}
	cfg, err := serviceverify.Config(ctx, podman.Runtime{}, runner.Exec{}, s.names)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy()
	uplink, err := serviceverify.SentryUplink(ctx, podman.Runtime{}, runner.Exec{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	target := verify.Target{
		Policy:  p,
		Foreign: netip.MustParseAddr(foreignIP), Allowed: netip.MustParseAddr(allowedIP), Forbidden: netip.MustParseAddr(otherIP),
		EchoPort: echoPort, AllowedName: "allowed.test", ForbiddenName: "other.test", BaitDomain: baitDomain,
		Learned: netip.MustParseAddr(learnedIP), LearnName: "learn.allowed.test",
		HostAddr: hostAddr(uplink.Addr()), // no resolver: no HostName
		BridgeIP: engine.BridgeIP(p.Subnet), SentryUplink: uplink.Addr(), UplinkPrefix: uplink.Masked(),
	}
	b, err := serviceverify.Start(ctx, podman.Runtime{}, runner.Exec{}, cfg, serviceverify.ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			t.Errorf("remove the probe container: %v", err)
		}
	})
	if target.PingDenied, err = b.PingDenied(ctx); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	rs, err := verify.Run(ctx, b, verify.Cases(target), nil)
	var report strings.Builder
	verify.Print(&report, rs)
	t.Logf("rbm verify on a sentry with no way out, in %s:\n%s", time.Since(t0).Round(time.Second), report.String())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
