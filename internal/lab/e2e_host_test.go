package lab_test

import (
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// hostListed is where the lab puts its stand-in for the host's own
// addresses in global mode (PlanAddresses is pure): a CIDR can list it.
const hostListed = "203.0.113.20"

// TestE2EHostAddress attacks global egress on both backends: the lab's
// stand-in for the host's own address (a web server, in
// RBRR_HOST_ADDRESSES), the wan's address on the uplink's subnet and a
// private address are refused, each by its own rule; an allowed CIDR that
// lists the host address opens it.
func TestE2EHostAddress(t *testing.T) {
	for _, be := range []string{"iptables", "nftables"} {
		for _, listed := range []bool{false, true} {
			name := be + map[bool]string{false: "", true: "-listed"}[listed]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				env := "RBRR_FIREWALL_BACKEND=" + be + "\n" + egressGlobal
				if listed {
					env += "RBRN_UPLINK_ALLOWED_CIDRS=" + hostListed + "/32\n"
				}
				tl := startLab(t, env)
				a, p := tl.info.Addresses, tl.info.Policy
				if p.Egress != policy.EgressGlobal || a.Host.String() != hostListed {
					t.Fatalf("lab runs egress %s with the host stand-in at %s; want global and %s", p.Egress, a.Host, hostListed)
				}
				host := a.Host.String() + ":22"
				if listed {
					r, d := tl.try(t, tcpSpec(host, passTimeout))
					wantConnected(t, r)
					wantMoved(t, d, describe(r), "fwd-allow-"+hostListed+"/32")
					return
				}
				r, d := tl.try(t, tcpSpec(host, dropTimeout))
				wantBlocked(t, r, probe.Timeout)
				wantMoved(t, d, describe(r), policy.HostRule)
				r, d = tl.try(t, tcpSpec(a.WanGateway.String()+":22", dropTimeout))
				wantBlocked(t, r, probe.Timeout)
				wantMoved(t, d, describe(r), policy.GlobalUplink)
				r, d = tl.try(t, tcpSpec("10.1.2.3:22", dropTimeout))
				wantBlocked(t, r, probe.Timeout)
				wantMoved(t, d, describe(r), policy.GlobalPrivate)
				// the internet still passes
				r, d = tl.try(t, tcpSpec(a.Forbidden.String()+":22", passTimeout))
				wantConnected(t, r)
				wantMoved(t, d, describe(r), "fwd-allow-global")
			})
		}
	}
}
