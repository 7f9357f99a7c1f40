package engine

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/enginehost"
)

// defaultNets are the runtimes' default networks, named in the hint.
var defaultNets = map[netip.Prefix]string{
	netip.MustParsePrefix("10.88.0.0/16"):  "Podman's default network 10.88.0.0/16 (the request's example 10.88.0.0/24 lies inside it)",
	netip.MustParsePrefix("172.17.0.0/16"): "Docker's default bridge 172.17.0.0/16",
}

// checkSubnet: the enclave must overlap no existing network of the runtime.
// Our own enclave is reported by checkMoniker instead.
func (pf Preflight) checkSubnet(cfg *config.Config, nets []Network, rep *Report) {
	own := NamesFor(cfg.Moniker).Enclave
	for _, n := range nets {
		for _, p := range n.Prefixes() {
			if n.Name == own || !p.Overlaps(cfg.Subnet) {
				continue
			}
			msg := fmt.Sprintf("RBRR_POD_SUBNET=%s overlaps %s network %q (%s)", cfg.Subnet, pf.Runtime.Name(), n.Name, p)
			if d, ok := defaultNets[p]; ok {
				msg += ", " + d
			}
			rep.Problemf("%s; choose a free subnet such as 10.242.0.0/24", msg)
		}
	}
}

func (p Preflight) checkUplink(cfg *config.Config, nets []Network, rep *Report) {
	if nets == nil {
		return
	}
	for _, n := range nets {
		if n.Name == cfg.UplinkNetwork {
			return
		}
	}
	rep.Problemf("RBRR_UPLINK_NETWORK=%s: no such %s network; create it (%s network create %s) or name an existing one",
		cfg.UplinkNetwork, p.Runtime.Name(), p.Runtime.CLI(), cfg.UplinkNetwork)
}

type hostRoute struct {
	Dst string `json:"dst"`
	Dev string `json:"dev"`
}

// checkHostRoutes: a subnet the host already routes (its own LAN, a VPN)
// would make the bottle's traffic ambiguous; Podman refuses it too.
// The runtime's own bridges are judged by checkSubnet.
// With the engine in a VM these are the VM's routes, not this machine's.
func (p Preflight) checkHostRoutes(ctx context.Context, cfg *config.Config, nets []Network, h enginehost.Host, rep *Report) {
	routes, err := p.Site.Routes(ctx, cfg.SentryImage)
	if err != nil {
		rep.Infof("could not read the routes where the containers run (%v); skipped that check", err)
		return
	}
	for _, r := range routes {
		pfx, ok := parseDst(r.Dst)
		if ok && !isBridge(r.Dev, nets) && pfx.Overlaps(cfg.Subnet) {
			rep.Problemf("RBRR_POD_SUBNET=%s overlaps %s, routed by %s on %s; choose a subnet it does not use", cfg.Subnet, pfx, routedBy(h), r.Dev)
		}
	}
}

// where tells where the containers run, and says so.
func (p Preflight) where(ctx context.Context, rep *Report) enginehost.Host {
	h, err := p.Site.Host(ctx)
	if err != nil {
		rep.Infof("could not tell where %s runs its containers (%v); taking this machine", p.Runtime.Name(), err)
	} else {
		rep.Infof("%s", h)
	}
	return h
}

// checkVolumes warns of a bottle volume whose host path the engine's VM
// does not share by default: the bottle would get the VM's own directory
// there (usually empty), not this machine's.
func checkVolumes(cfg *config.Config, h enginehost.Host, home string, rep *Report) {
	var paths []string
	for _, v := range cfg.Bottle.Volumes {
		paths = append(paths, v.Host)
	}
	unshared, shared := h.Unshared(paths, home)
	for _, p := range unshared {
		rep.Infof("warning: volume %s: the %s VM shares only %s by default, so the bottle would not see this machine's %s; share it with the VM or use a path inside those", p, h.VM, strings.Join(shared, ", "), p)
	}
}

// routedBy names the machine whose routes were read.
func routedBy(h enginehost.Host) string {
	switch {
	case h.VM != "":
		return "the " + h.VM + " VM"
	case h.InVM():
		return "the machine that runs the containers"
	}
	return "this host"
}

func parseDst(dst string) (netip.Prefix, bool) {
	if dst == "default" {
		return netip.Prefix{}, false
	}
	if !strings.Contains(dst, "/") {
		dst += "/32"
	}
	p, err := netip.ParsePrefix(dst)
	return p, err == nil && p.Addr().Is4()
}

func isBridge(dev string, nets []Network) bool {
	return slices.ContainsFunc(nets, func(n Network) bool { return n.Interface == dev })
}
