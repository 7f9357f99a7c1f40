package backends_test

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// oracleIfs are the sentry's links in the trio; its uplink subnet is
// 198.51.100.0/24, which the guard covers.
var oracleIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("198.51.100.0/24")}

// learnedAddrs are put into the learned set: one ordinary, one in the
// guard, one of the host's own addresses (an answer naming the host).
var learnedAddrs = []netip.Addr{netip.MustParseAddr("198.18.0.10"), netip.MustParseAddr("198.51.100.99"), oracleHost}

// oracleHost stands for one of the host's own (public) addresses; the
// other host address is in a listed private CIDR, which opens it.
var oracleHost = netip.MustParseAddr("198.18.0.20")

type set []netip.Addr

func (s set) Holds(a netip.Addr) bool {
	for _, x := range s {
		if x == a {
			return true
		}
	}
	return false
}

// TestDecideAgainstKernel: policy.Decide's oracle is the kernel. Policies
// are loaded into a real sentry namespace on both backends, every probe
// is sent from the bottle's namespace, and the rule whose counter moved
// must be the one Decide names (the gate's decisions: the redirect to it).
func TestDecideAgainstKernel(t *testing.T) {
	testns.NeedRoot(t, "sysctl", "iptables-restore", "ipset", "nft")
	for _, be := range backends.Names {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			for i, p := range oraclePolicies() {
				t.Run(strconv.Itoa(i), func(t *testing.T) { checkPolicy(t, be, p) })
			}
		})
	}
}

func checkPolicy(t *testing.T, be string, p policy.Policy) {
	bottle, sentry := oracleTrio(t)
	fw, err := backends.New(be, sentry)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := fw.Apply(ctx, fw.Render(p, oracleIfs)); err != nil {
		t.Fatal(err)
	}
	if p.Learns() {
		for _, a := range learnedAddrs {
			learn(t, be, sentry, a)
		}
	}
	env := policy.Env{UplinkPrefix: oracleIfs.UplinkPrefix, Learned: set(learnedAddrs)}
	for _, f := range oracleFlows() {
		want := p.Decide(f, env).Rule
		if strings.HasPrefix(want, "gate-") { // the kernel's part: the redirect to the gate
			want = "nat-name"
			if p.GatesCIDRs() && inAny(p.AllowedCIDRs, f.Dst) {
				want = "nat-name-cidrs"
			}
		}
		before, err := fw.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		send(bottle, f)
		after, err := fw.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := deciding(after.Delta(before)); len(got) != 1 || got[0] != want {
			t.Errorf("%s %s/%d (egress %s, DNS %s %s, gate %s): the kernel decided by %v, Decide says %s",
				f.Dst, f.Proto, f.Port, p.Egress, p.DNS, p.Intercept, p.Gate.Check, got, want)
		}
	}
}

// deciding lists the rules that moved and decide a packet's fate: not the
// jumps, the log twins, the set elements' counters, replies, the reject
// chain, the sentry's own traffic, or the sentry's INPUT that a DNATed
// query reaches after nat-dns decided.
func deciding(d firewall.Snapshot) []string {
	var out []string
	natDNS := d.Rules["rbm:nat-dns-udp"].Packets+d.Rules["rbm:nat-dns-tcp"].Packets > 0
	// nft counts a set element on every lookup that finds it, the nat
	// rule's too; iptables' lookups there leave counters alone.
	gatedCIDR := d.Rules["rbm:nat-name-cidrs"].Packets > 0
	for id, c := range d.Rules {
		id = strings.TrimPrefix(id, firewall.IDPrefix)
		switch {
		case c.Packets == 0, firewall.IsLogID(id), strings.HasSuffix(id, "-jump"), id == "fwd-allow-cidrs",
			strings.HasPrefix(id, "fwd-learned-"), id == "nat-masq", id == "in-gate" || id == "out-gate",
			natDNS && strings.HasPrefix(id, "in-dns-"), strings.HasPrefix(id, "v6-"),
			strings.HasSuffix(id, "-established"), strings.HasPrefix(id, "reject-"), // replies, and the reject chain a denial jumped to
			strings.HasPrefix(id, "out-"), id == "in-loopback", // the sentry's own traffic
			gatedCIDR && strings.HasPrefix(id, "fwd-allow-"):
			continue
		}
		out = append(out, id)
	}
	return out
}

// oraclePolicies are generated from the modes that change decisions.
func oraclePolicies() []policy.Policy {
	base := policy.Policy{SentryIP: netip.MustParseAddr("192.0.2.2"), BottleIP: netip.MustParseAddr("192.0.2.3"),
		Subnet: netip.MustParsePrefix("192.0.2.0/24"), Upstream: netip.MustParseAddr("198.51.100.53"),
		AllowedCIDRs:   []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("198.51.100.80/32"), netip.MustParsePrefix("203.0.113.0/24")},
		AllowedDomains: []string{"allowed.test"}, Deny: policy.DenyReject, HostAddrs: []netip.Addr{netip.MustParseAddr("10.1.2.3"), oracleHost},
		Learn: policy.Learn{Enabled: true, Lifetime: 600 * time.Second, Max: 1024},
		Gate:  policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{80, 443}, LearnPorts: []uint16{22, 80, 443}}}
	var out []policy.Policy
	for _, eg := range []policy.Egress{policy.EgressNone, policy.EgressGlobal, policy.EgressAllowlist} {
		for _, dns := range []policy.DNS{policy.DNSOff, policy.DNSAllowlist} {
			for _, ic := range []policy.Intercept{policy.InterceptRedirect, policy.InterceptReject} {
				p := base
				p.Egress, p.DNS, p.Intercept = eg, dns, ic
				if eg == policy.EgressAllowlist && dns == policy.DNSAllowlist && ic == policy.InterceptReject {
					p.Gate.Check = policy.NameCheckOff // learning without the gate too
				}
				out = append(out, p)
			}
		}
	}
	all := base // allowed CIDRs on the checked ports through the gate too
	all.Egress, all.DNS, all.Intercept, all.Gate.Check = policy.EgressAllowlist, policy.DNSAllowlist, policy.InterceptRedirect, policy.NameCheckAll
	return append(out, all)
}

// oracleFlows are the destinations and ports every policy is probed with:
// the sentry, allowed CIDRs (one private), learned and unlearned addresses,
// the uplink's subnet, metadata, the host's addresses, and private ranges global egress refuses
// (all routed to the wan namespace the test made).
func oracleFlows() []policy.Flow {
	var out []policy.Flow
	dsts := []string{"192.0.2.2", "198.51.100.80", "203.0.113.10", "198.18.0.10", "198.18.0.11", "198.51.100.99", "169.254.169.254",
		"10.1.2.3", "10.2.0.1", "100.64.0.1", "192.168.1.1", oracleHost.String()}
	for _, d := range dsts {
		for _, pp := range []struct {
			proto string
			port  uint16
		}{{"tcp", 22}, {"tcp", 443}, {"tcp", 8443}, {"tcp", 53}, {"udp", 53}, {"udp", 443}} {
			out = append(out, policy.Flow{Dst: netip.MustParseAddr(d), Proto: pp.proto, Port: pp.port})
		}
	}
	return out
}

// send makes f's first packet leave the bottle; what comes back does not
// matter, the counters say who decided.
func send(bottle testns.Runner, f policy.Flow) {
	addr := netip.AddrPortFrom(f.Dst, f.Port).String()
	_ = testns.Do(bottle.Name, func() error {
		c, err := net.DialTimeout(f.Proto, addr, 150*time.Millisecond)
		if err == nil {
			if f.Proto == "udp" {
				c.Write([]byte("x"))
				time.Sleep(20 * time.Millisecond)
			}
			c.Close()
		}
		return nil
	})
}

func learn(t *testing.T, be string, sentry testns.Runner, a netip.Addr) {
	t.Helper()
	if be == "nftables" {
		sentry.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ "+a.String()+" }")
		return
	}
	sentry.Must(t, "ipset", "add", "rbm-learn4", a.String())
}

// oracleTrio: the bottle (192.0.2.3) routes via the sentry (192.0.2.2 on
// rbm-enc, 198.51.100.1/24 on rbm-up), which routes everything to the wan
// (198.51.100.254); nothing touches the host's namespace.
func oracleTrio(t *testing.T) (bottle, sentry testns.Runner) {
	b, s, w := testns.NewRunner(t, "rbmt-or"), testns.NewRunner(t, "rbmt-or"), testns.NewRunner(t, "rbmt-or")
	steps := []struct {
		ns   testns.Runner
		args []string
	}{
		{b, []string{"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "rbm-enc", "netns", s.Name}},
		{s, []string{"ip", "link", "add", "rbm-up", "type", "veth", "peer", "name", "eth0", "netns", w.Name}},
		{b, []string{"ip", "addr", "add", "192.0.2.3/24", "dev", "eth0"}},
		{b, []string{"ip", "link", "set", "eth0", "up"}},
		{b, []string{"ip", "route", "add", "default", "via", "192.0.2.2"}},
		{s, []string{"ip", "addr", "add", "192.0.2.2/24", "dev", "rbm-enc"}},
		{s, []string{"ip", "addr", "add", "198.51.100.1/24", "dev", "rbm-up"}},
		{s, []string{"ip", "link", "set", "rbm-enc", "up"}},
		{s, []string{"ip", "link", "set", "rbm-up", "up"}},
		{s, []string{"ip", "route", "add", "default", "via", "198.51.100.254"}},
		{s, []string{"sysctl", "-qw", "net.ipv4.ip_forward=1"}},
		{w, []string{"ip", "addr", "add", "198.51.100.254/24", "dev", "eth0"}},
		{w, []string{"ip", "link", "set", "eth0", "up"}},
	}
	for _, st := range steps {
		st.ns.Must(t, st.args[0], st.args[1:]...)
	}
	return b, s
}

func inAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
