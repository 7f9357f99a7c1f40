package main

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/engine/serviceverify"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/verify"
	"github.com/spf13/cobra"
)

// serviceTargetFlags name what a real deployment probes. The defaults are
// real public hosts: on a real deployment that is the point. Tests pass
// documentation addresses on --internal networks instead.
type serviceTargetFlags struct {
	foreign, allowed, forbidden string
	allowedName, forbiddenName  string
	baitDomain, caFile          string
	echoPort                    uint16
}

func (f *serviceTargetFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.foreign, "foreign", "8.8.8.8", "with --moniker: a public resolver the bottle must not reach directly")
	fl.StringVar(&f.forbidden, "forbidden", "1.1.1.1", "with --moniker: an address outside every allowed CIDR")
	fl.StringVar(&f.allowed, "allowed", "", "with --moniker: an address inside an allowed CIDR serving HTTPS (default: skip those cases)")
	fl.StringVar(&f.allowedName, "allowed-name", "", "with --moniker: an allowed name served over HTTPS (default: the first allowed domain)")
	fl.StringVar(&f.forbiddenName, "forbidden-name", "example.com", "with --moniker: a name outside every allowed domain")
	fl.StringVar(&f.baitDomain, "bait-domain", "", "with --moniker: an allowed domain with private.<d>, metadata.<d>, cname-private.<d> and cname-metadata.<d> rebinding names")
	fl.StringVar(&f.caFile, "ca-file", "", "with --moniker: CA file (on this host) for --allowed-name's HTTPS; mounted into the probe container")
	fl.Uint16Var(&f.echoPort, "echo-port", 0, "with --moniker: another open TCP port on --allowed")
}

// target builds the Target for a running service from its policy and flags.
func (f *serviceTargetFlags) target(base verify.Target) (verify.Target, error) {
	t := base
	for _, a := range []struct {
		flag, value string
		dst         *netip.Addr
	}{{"--foreign", f.foreign, &t.Foreign}, {"--forbidden", f.forbidden, &t.Forbidden}, {"--allowed", f.allowed, &t.Allowed}} {
		if a.value == "" {
			continue
		}
		x, err := netip.ParseAddr(a.value)
		if err != nil || !x.Is4() {
			return t, &exitError{code: 2, err: fmt.Errorf("%s %q: expected an IPv4 address", a.flag, a.value)}
		}
		*a.dst = x
	}
	t.AllowedName, t.ForbiddenName, t.BaitDomain, t.EchoPort = f.allowedName, f.forbiddenName, f.baitDomain, f.echoPort
	if f.caFile != "" {
		t.CAFile = serviceverify.ProbeCAPath // where serviceverify.Start mounts it
	}
	if t.AllowedName == "" && len(t.Policy.AllowedDomains) > 0 {
		t.AllowedName = policy.ExampleName(t.Policy.AllowedDomains[0])
	}
	if t.AllowedName == "" {
		t.AllowedName = t.ForbiddenName
	}
	return t, nil
}

func runVerifyService(cmd *cobra.Command, o verifyOpts) error {
	ctx := cmd.Context()
	r := runner.Exec{}
	rt, err := serviceRuntime(ctx, o.moniker)
	if err != nil {
		return err
	}
	cfg, err := serviceverify.Config(ctx, rt, r, engine.NamesFor(o.moniker))
	if err != nil {
		return err
	}
	p := cfg.Policy()
	t, err := o.service.target(verify.Target{Policy: p, BridgeIP: engine.BridgeIP(p.Subnet), Hostile: o.hostile})
	if err != nil {
		return err
	}
	uplink, err := serviceverify.SentryUplink(ctx, rt, r, cfg)
	if err != nil {
		return err
	}
	t.SentryUplink, t.UplinkPrefix = uplink.Addr(), uplink.Masked()
	if o.service.caFile != "" {
		if h, err := engine.Where(ctx, rt, r); err == nil {
			home, _ := os.UserHomeDir()
			if w := serviceverify.CAFileWarning(h, o.service.caFile, home); w != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), w)
			}
		}
	}
	b, err := serviceverify.Start(ctx, rt, r, cfg, serviceverify.ProbeOptions{Hostile: o.hostile, CAFile: o.service.caFile})
	if err != nil {
		return err
	}
	defer b.Close(context.WithoutCancel(ctx))
	if t.PingDenied, err = b.PingDenied(ctx); err != nil {
		return err
	}
	return runBattery(cmd, b, verify.Cases(t), o)
}
