package policy

import (
	"net/netip"
	"testing"
	"time"
)

type learnedSet []netip.Addr

func (l learnedSet) Holds(a netip.Addr) bool {
	for _, x := range l {
		if x == a {
			return true
		}
	}
	return false
}

func TestDecide(t *testing.T) {
	base := Policy{SentryIP: netip.MustParseAddr("192.0.2.2"), BottleIP: netip.MustParseAddr("192.0.2.3"), Subnet: netip.MustParsePrefix("192.0.2.0/24"),
		Egress: EgressAllowlist, AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		DNS: DNSAllowlist, AllowedDomains: []string{"allowed.test"}, Intercept: InterceptRedirect,
		Learn: Learn{Enabled: true, Lifetime: time.Minute, Max: 10},
		Gate:  Gate{Check: NameCheckLearned, Ports: []uint16{80, 443}, LearnPorts: []uint16{22, 80, 443}}}
	learned, uplink := netip.MustParseAddr("198.18.0.10"), netip.MustParsePrefix("198.51.100.0/24")
	env := Env{UplinkPrefix: uplink, Learned: learnedSet{learned, netip.MustParseAddr("198.51.100.99")},
		Answers: answers{"allowed.test": {learned}}}
	host := netip.MustParseAddr("198.18.0.20")
	base.HostAddrs = []netip.Addr{netip.MustParseAddr("10.1.2.3"), host}
	env.Learned = append(env.Learned.(learnedSet), host)
	env.Answers = answers{"allowed.test": {learned, host}}
	global, reject, off, all, globalLAN, noLearn := base, base, base, base, base, base
	noLearn.Learn.Enabled = false
	globalLAN.Egress, globalLAN.AllowedCIDRs = EgressGlobal, []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("198.51.100.7/32")}
	all.Gate.Check = NameCheckAll
	global.Egress, global.AllowedCIDRs = EgressGlobal, nil
	reject.Intercept = InterceptReject
	off.Gate.Check = NameCheckOff
	ip := netip.MustParseAddr
	cases := []struct {
		name string
		p    Policy
		f    Flow
		rule string
	}{
		{"dns anywhere, intercepted", base, Flow{Dst: ip("198.18.0.99"), Proto: "udp", Port: 53}, "nat-dns-udp"},
		{"dns anywhere, rejected", reject, Flow{Dst: ip("198.18.0.99"), Proto: "tcp", Port: 53}, "fwd-dns-reject-tcp"},
		{"dns to the sentry, reject mode", reject, Flow{Dst: ip("192.0.2.2"), Proto: "udp", Port: 53}, "in-dns-udp"},
		{"the sentry's other ports", base, Flow{Dst: ip("192.0.2.2"), Proto: "tcp", Port: 22}, "in-enclave-drop"},
		{"metadata", global, Flow{Dst: ip("169.254.169.254"), Proto: "tcp", Port: 80}, "fwd-linklocal"},
		{"global", global, Flow{Dst: ip("198.18.0.99"), Proto: "tcp", Port: 8443}, "fwd-allow-global"},
		{"global: a documentation address is the internet", global, Flow{Dst: ip("203.0.113.5"), Proto: "udp", Port: 443}, "fwd-allow-global"},
		{"global: RFC 1918", global, Flow{Dst: ip("10.88.0.1"), Proto: "tcp", Port: 22}, GlobalPrivate},
		{"global: RFC 1918, 172.16/12", global, Flow{Dst: ip("172.17.0.1"), Proto: "icmp"}, GlobalPrivate},
		{"global: RFC 1918, 192.168/16", global, Flow{Dst: ip("192.168.1.1"), Proto: "udp", Port: 161}, GlobalPrivate},
		{"global: CGNAT", global, Flow{Dst: ip("100.64.0.1"), Proto: "tcp", Port: 80}, GlobalPrivate},
		{"global: the uplink's subnet", global, Flow{Dst: ip("198.51.100.1"), Proto: "tcp", Port: 22}, GlobalUplink},
		{"global: loopback", global, Flow{Dst: ip("127.0.0.1"), Proto: "tcp", Port: 22}, GlobalReserved},
		{"global: multicast", global, Flow{Dst: ip("239.1.1.1"), Proto: "udp", Port: 5353}, GlobalReserved},
		{"global: a listed private CIDR", globalLAN, Flow{Dst: ip("10.1.2.3"), Proto: "tcp", Port: 22}, "fwd-allow-10.1.0.0/16"},
		{"global: a private address the listed CIDR leaves out", globalLAN, Flow{Dst: ip("10.2.0.1"), Proto: "tcp", Port: 22}, GlobalPrivate},
		{"global: a listed address on the uplink", globalLAN, Flow{Dst: ip("198.51.100.7"), Proto: "tcp", Port: 22}, "fwd-allow-198.51.100.7/32"},
		{"global: a listed CIDR never opens metadata", globalLAN, Flow{Dst: ip("169.254.169.254"), Proto: "tcp", Port: 80}, "fwd-linklocal"},
		{"global: the host's own address", global, Flow{Dst: host, Proto: "tcp", Port: 22}, HostRule},
		{"global: a host address in a listed CIDR", globalLAN, Flow{Dst: ip("10.1.2.3"), Proto: "tcp", Port: 22}, "fwd-allow-10.1.0.0/16"},
		{"learned: the host's own address, a checked port, its name", base, Flow{Dst: host, Proto: "tcp", Port: 443, Name: "allowed.test"}, HostRule},
		{"learned: the host's own address, gate off", off, Flow{Dst: host, Proto: "udp", Port: 443}, HostRule},
		{"not learning: a host address is simply not allowed", noLearn, Flow{Dst: host, Proto: "tcp", Port: 22}, "fwd-drop"},
		{"global never opens the enclave", global, Flow{Dst: ip("192.0.2.9"), Proto: "tcp", Port: 80}, "fwd-hairpin"},
		{"allowed cidr, any port", base, Flow{Dst: ip("203.0.113.5"), Proto: "udp", Port: 443}, "fwd-allow-203.0.113.0/24"},
		{"learned in the guard", base, Flow{Dst: ip("198.51.100.99"), Proto: "tcp", Port: 443}, "fwd-learn-guard"},
		{"learned, checked port, its name", base, Flow{Dst: learned, Proto: "tcp", Port: 443, Name: "allowed.test"}, GatePass},
		{"learned, checked port, another name", base, Flow{Dst: learned, Proto: "tcp", Port: 80, Name: "evil.test"}, GateName},
		{"learned, address-level port", base, Flow{Dst: learned, Proto: "tcp", Port: 22}, "fwd-learned"},
		{"learned, unlisted port", base, Flow{Dst: learned, Proto: "tcp", Port: 8443}, "fwd-drop"},
		{"learned, QUIC", base, Flow{Dst: learned, Proto: "udp", Port: 443}, "fwd-drop"},
		{"learned, gate off: every port", off, Flow{Dst: learned, Proto: "udp", Port: 443}, "fwd-learned"},
		{"all: an allowed CIDR on a checked port, an allowed name", all, Flow{Dst: ip("203.0.113.5"), Proto: "tcp", Port: 443, Name: "allowed.test"}, GatePass},
		{"all: an allowed CIDR on a checked port, another name", all, Flow{Dst: ip("203.0.113.5"), Proto: "tcp", Port: 80, Name: "evil.test"}, GateName},
		{"all: an allowed CIDR on another port", all, Flow{Dst: ip("203.0.113.5"), Proto: "tcp", Port: 22}, "fwd-allow-203.0.113.0/24"},
		{"learned: an allowed CIDR on a checked port, any name", base, Flow{Dst: ip("203.0.113.5"), Proto: "tcp", Port: 443, Name: "evil.test"}, "fwd-allow-203.0.113.0/24"},
		{"not learned", base, Flow{Dst: ip("198.18.0.11"), Proto: "tcp", Port: 443}, "fwd-drop"},
	}
	for _, c := range cases {
		d := c.p.Decide(c.f, env)
		if d.Rule != c.rule || d.Reason == "" {
			t.Errorf("%s: %+v, want rule %s", c.name, d, c.rule)
		}
	}
}
