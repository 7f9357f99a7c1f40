package policy

import (
	"net/netip"
	"strings"
	"testing"
)

// answers is a fixed learned state: name -> addresses its answers carried.
type answers map[string][]netip.Addr

func (a answers) Carried(name string, addr netip.Addr) bool {
	for _, x := range a[name] {
		if x == addr {
			return true
		}
	}
	return false
}

func gatePolicy() Policy {
	return Policy{Egress: EgressAllowlist, DNS: DNSAllowlist, AllowedDomains: []string{"allowed.test", "*.wild.test"}, Match: MatchExact,
		Learn: Learn{Enabled: true}, Gate: Gate{Check: NameCheckLearned, Ports: []uint16{80, 443}, LearnPorts: []uint16{22}}}
}

func TestDecideName(t *testing.T) {
	a1, a2 := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("198.51.100.8")
	learned := answers{"allowed.test": {a1}, "www.wild.test": {a2}, "other.test": {a2}}
	cases := []struct {
		name, sni  string
		dst        netip.Addr
		port       uint16
		ech, echOK bool
		rule       string
	}{
		{"allowed name, its own address", "allowed.test", a1, 443, false, false, GatePass},
		{"allowed name over http", "allowed.test", a1, 80, false, false, GatePass},
		{"forbidden name on an allowed address (fronting)", "other.test", a1, 443, false, false, GateName},
		{"allowed name, an address learned for another name", "allowed.test", a2, 443, false, false, GateUnlearned},
		{"under an exact entry", "x.allowed.test", a1, 443, false, false, GateName},
		{"wildcard entry", "www.wild.test", a2, 443, false, false, GatePass},
		{"no SNI", "", a1, 443, false, false, GateNoName},
		{"ECH refused by default", "allowed.test", a1, 443, true, false, GateECH},
		{"ECH allowed", "allowed.test", a1, 443, true, true, GatePass},
		{"unchecked port", "allowed.test", a1, 8443, false, false, GateUnread},
	}
	for _, c := range cases {
		p := gatePolicy()
		p.Gate.AllowECH = c.echOK
		d := p.DecideName(netip.AddrPortFrom(c.dst, c.port), c.sni, c.ech, learned)
		if d.Rule != c.rule || d.Allowed() != (c.rule == GatePass) || d.Reason == "" {
			t.Errorf("%s: got %+v, want rule %s", c.name, d, c.rule)
		}
	}
}

func TestAddressPorts(t *testing.T) {
	p := gatePolicy()
	p.Gate.LearnPorts = []uint16{443, 8022, 22, 80}
	if got := p.AddressPorts(); len(got) != 2 || got[0] != 22 || got[1] != 8022 {
		t.Errorf("AddressPorts = %v, want [22 8022]: never a checked port", got)
	}
	p.Gate.Check = NameCheckOff
	if p.GateChecks() {
		t.Error("GateChecks with the gate off")
	}
	p = gatePolicy()
	p.DNS = DNSGlobal
	if p.GateChecks() {
		t.Error("the gate checks with global DNS, where nothing is learned")
	}
}

func TestGateText(t *testing.T) {
	p := gatePolicy()
	if got := p.GateText(); !strings.Contains(got, "names checked on learned addresses, TCP [80 443]") || !strings.Contains(got, "[22], no UDP") {
		t.Errorf("learned: %q", got)
	}
	p.Gate.Check = NameCheckOff
	if got := p.GateText(); !strings.Contains(got, "names unchecked") {
		t.Errorf("off: %q", got)
	}
}
