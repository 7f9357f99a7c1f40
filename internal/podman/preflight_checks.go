package podman

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
)

// podmanDefault is the subnet of Podman's default network "podman".
var podmanDefault = netip.MustParsePrefix("10.88.0.0/16")

// checkSubnet: the enclave must overlap no existing Podman network. Our own
// enclave is reported by checkMoniker instead.
func checkSubnet(cfg *config.Config, nets []Network, rep *Report) {
	own := NamesFor(cfg.Moniker).Enclave
	for _, n := range nets {
		for _, p := range n.Prefixes() {
			if n.Name == own || !p.Overlaps(cfg.Subnet) {
				continue
			}
			msg := fmt.Sprintf("RBRR_POD_SUBNET=%s overlaps Podman network %q (%s)", cfg.Subnet, n.Name, p)
			if p == podmanDefault {
				msg += ", Podman's default network 10.88.0.0/16 (the request's example 10.88.0.0/24 lies inside it)"
			}
			rep.problem("%s; choose a free subnet such as 10.242.0.0/24", msg)
		}
	}
}

func checkUplink(cfg *config.Config, nets []Network, rep *Report) {
	if nets == nil {
		return
	}
	for _, n := range nets {
		if n.Name == cfg.UplinkNetwork {
			return
		}
	}
	rep.problem("RBRR_UPLINK_NETWORK=%s: no such Podman network; create it (podman network create %s) or name an existing one",
		cfg.UplinkNetwork, cfg.UplinkNetwork)
}

type hostRoute struct {
	Dst string `json:"dst"`
	Dev string `json:"dev"`
}

// checkHostRoutes: a subnet the host already routes (its own LAN, a VPN)
// would make the bottle's traffic ambiguous; Podman refuses it too.
func (p Preflight) checkHostRoutes(ctx context.Context, cfg *config.Config, nets []Network, rep *Report) {
	out, err := p.Runner.Run(ctx, cmdIP("-j", "-4", "route", "show"))
	if err != nil {
		rep.info("could not read the host's routes (%v); skipped that check", err)
		return
	}
	var routes []hostRoute
	if json.Unmarshal(out, &routes) != nil {
		return
	}
	for _, r := range routes {
		pfx, ok := parseDst(r.Dst)
		if ok && !isPodmanBridge(r.Dev, nets) && pfx.Overlaps(cfg.Subnet) {
			rep.problem("RBRR_POD_SUBNET=%s overlaps %s, routed by this host on %s; choose a subnet the host does not use", cfg.Subnet, pfx, r.Dev)
		}
	}
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

func isPodmanBridge(dev string, nets []Network) bool {
	return slices.ContainsFunc(nets, func(n Network) bool { return n.Interface == dev })
}

func (p Preflight) checkImages(ctx context.Context, cfg *config.Config, rep *Report) {
	for _, img := range []struct{ name, value, hint string }{
		{"RBRR_SENTRY_IMAGE", cfg.SentryImage, "build it: rbm image build --tag " + cfg.SentryImage},
		{"RBRN_BOTTLE_IMAGE", cfg.BottleImage, bottleHint(cfg.BottleImage)},
	} {
		ok, err := exists(ctx, p.Runner, "image", "exists", img.value)
		switch {
		case err != nil:
			rep.problem("%v", err)
		case !ok:
			rep.problem("%s=%s: image not found; %s", img.name, img.value, img.hint)
		}
	}
}

func bottleHint(image string) string {
	if strings.HasPrefix(image, "localhost/") {
		return "build it (scripts/build-images.sh builds localhost/rbm-bottle:dev)"
	}
	return "pull it: podman pull " + image
}
