package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
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
func (p Preflight) checkHostRoutes(ctx context.Context, cfg *config.Config, nets []Network, rep *Report) {
	routes, err := hostRoutes(ctx, p.Runner)
	if err != nil {
		rep.Infof("could not read the host's routes (%v); skipped that check", err)
		return
	}
	for _, r := range routes {
		pfx, ok := parseDst(r.Dst)
		if ok && !isBridge(r.Dev, nets) && pfx.Overlaps(cfg.Subnet) {
			rep.Problemf("RBRR_POD_SUBNET=%s overlaps %s, routed by this host on %s; choose a subnet the host does not use", cfg.Subnet, pfx, r.Dev)
		}
	}
}

// hostRoutes reads the host's IPv4 routes; unparsable output is no routes
// (the runtime's own overlap check still stands behind).
func hostRoutes(ctx context.Context, r runner.Runner) ([]hostRoute, error) {
	out, err := r.Run(ctx, cmdIP("-j", "-4", "route", "show"))
	if err != nil {
		return nil, err
	}
	var routes []hostRoute
	if json.Unmarshal(out, &routes) != nil {
		return nil, nil
	}
	return routes, nil
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
