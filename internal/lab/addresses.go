// Package lab builds the whole rbm topology from plain network namespaces
// and veth pairs: a "wan" namespace standing in for the internet, a
// "sentry" namespace running the real sentry, and a "bottle" namespace
// routed through it. Nothing links to the host's network.
package lab

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// Addresses are the stand-in internet's addresses, all in documentation
// ranges (RFC 5737), chosen so they do not collide with the enclave and so
// that "allowed" and "forbidden" really are on either side of the policy.
type Addresses struct {
	LinkNet      netip.Prefix `json:"link_net"`      // sentry uplink <-> wan
	SentryUplink netip.Addr   `json:"sentry_uplink"` // the sentry's uplink address
	WanGateway   netip.Addr   `json:"wan_gateway"`   // the sentry's default gateway
	Upstream     netip.Addr   `json:"upstream"`      // the resolver the sentry forwards to
	Allowed      netip.Addr   `json:"allowed"`       // a web server the policy allows (invalid when nothing is allowed)
	Forbidden    netip.Addr   `json:"forbidden"`     // a web server outside every allowed CIDR
	Foreign      netip.Addr   `json:"foreign"`       // a "public resolver" that answers anything
	// Learned and Learned2 are web servers in no allowed CIDR that allowed
	// names resolve to: reachable only once the sentry learned them.
	Learned  netip.Addr `json:"learned"`
	Learned2 netip.Addr `json:"learned2"`
	// Host stands for one of the host's own addresses (RBRR_HOST_ADDRESSES):
	// a web server in no allowed CIDR that global egress and learned
	// answers must not open.
	Host netip.Addr `json:"host"`
}

var docNets = []netip.Prefix{
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
}

// stand-in host numbers within a documentation /24
const (
	hostForbidden = 99
	hostForeign   = 153
	hostAllowed   = 10
	hostUpstream  = 53
	hostLearned   = 77
	hostLearned2  = 78
	hostHost      = 20
)

// PlanAddresses picks the stand-in addresses for p. Pure.
func PlanAddresses(p policy.Policy) (Addresses, error) {
	var a Addresses
	// In global mode every address is allowed; "forbidden" then only
	// means "not the allowed server".
	taken := func(x netip.Addr) bool {
		return p.Subnet.Contains(x) || x == p.Upstream || p.Egress == policy.EgressAllowlist && allowed(p, x)
	}
	link, err := pickLink(p)
	if err != nil {
		return a, err
	}
	a.LinkNet = link
	a.WanGateway = link.Addr().Next()
	a.SentryUplink = a.WanGateway.Next()
	a.Upstream = p.Upstream
	if !a.Upstream.IsValid() {
		a.Upstream = pick(hostUpstream, func(x netip.Addr) bool { return taken(x) || link.Contains(x) })
	}
	a.Allowed = allowedHost(p)
	free := func(x netip.Addr) bool { return taken(x) || link.Contains(x) || x == a.Upstream || x == a.Allowed }
	a.Forbidden = pick(hostForbidden, free)
	a.Foreign = pick(hostForeign, func(x netip.Addr) bool { return free(x) || x == a.Forbidden })
	others := func(x netip.Addr) bool { return free(x) || x == a.Forbidden || x == a.Foreign }
	a.Learned = pick(hostLearned, others)
	a.Learned2 = pick(hostLearned2, func(x netip.Addr) bool { return others(x) || x == a.Learned })
	a.Host = pick(hostHost, func(x netip.Addr) bool { return others(x) || x == a.Learned || x == a.Learned2 })
	if !a.Forbidden.IsValid() || !a.Foreign.IsValid() || !a.Learned.IsValid() || !a.Learned2.IsValid() || !a.Host.IsValid() {
		return a, fmt.Errorf("no documentation address is left outside the allowed CIDRs for the lab's forbidden server")
	}
	return a, nil
}

// pickLink chooses a /30 for the sentry<->wan link that overlaps neither the
// enclave nor the allowed CIDRs.
func pickLink(p policy.Policy) (netip.Prefix, error) {
	for _, n := range docNets {
		link := netip.PrefixFrom(withHost(n, 252), 30)
		if !link.Overlaps(p.Subnet) && !overlapsAllowed(p, link) && !link.Contains(p.Upstream) {
			return link, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("no documentation /30 is free for the lab's uplink")
}

func pick(host byte, busy func(netip.Addr) bool) netip.Addr {
	for _, n := range docNets {
		if x := withHost(n, host); !busy(x) {
			return x
		}
	}
	return netip.Addr{}
}

func withHost(n netip.Prefix, host byte) netip.Addr {
	b := n.Addr().As4()
	b[3] = host
	return netip.AddrFrom4(b)
}

// allowed reports whether the policy lets the bottle reach x by address.
func allowed(p policy.Policy, x netip.Addr) bool { return p.Reaches(x) }

func overlapsAllowed(p policy.Policy, n netip.Prefix) bool {
	if p.Egress != policy.EgressAllowlist {
		return false
	}
	for _, c := range p.AllowedCIDRs {
		if c.Overlaps(n) {
			return true
		}
	}
	return false
}

// allowedHost is an address the policy lets the bottle reach: in the first
// allowed CIDR, or a documentation address in global mode.
func allowedHost(p policy.Policy) netip.Addr {
	switch p.Egress {
	case policy.EgressGlobal:
		return withHost(docNets[0], hostAllowed)
	case policy.EgressAllowlist:
		for _, c := range p.AllowedCIDRs {
			if c.Bits() == 32 {
				return c.Addr()
			}
			if x := c.Addr().Next(); c.Contains(x) {
				return x
			}
		}
	}
	return netip.Addr{}
}

// WithHost adds the lab's stand-in for the host's own addresses (a.Host)
// to cfg's RBRR_HOST_ADDRESSES, as rbm start adds the real ones.
func WithHost(cfg *config.Config, a Addresses) error {
	return cfg.SetHostAddrs(append(slices.Clone(cfg.HostAddrs), a.Host))
}
