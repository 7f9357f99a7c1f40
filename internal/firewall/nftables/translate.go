package nftables

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// chainNames are the names of the model's chain roles in table inet rbm.
var chainNames = map[firewall.Chain]string{
	firewall.HookInput:       chainInput,
	firewall.HookForward:     chainForwardBase,
	firewall.HookOutput:      chainOutput,
	firewall.HookPrerouting:  chainPrerouting,
	firewall.HookPostrouting: chainPostrouting,
	firewall.HookNATOutput:   chainNATOutput,
	firewall.ChainIngress:    chainIngress,
	firewall.ChainForward:    chainForward,
	firewall.ChainEgress:     chainEgress,
	firewall.ChainReject:     chainReject,
}

// hookSpecs declare the base chains: filter ones drop by default, nat ones
// accept (they only translate).
var hookSpecs = map[firewall.Chain]string{
	firewall.HookInput:       "type filter hook input priority filter; policy drop;",
	firewall.HookForward:     "type filter hook forward priority filter; policy drop;",
	firewall.HookOutput:      "type filter hook output priority filter; policy drop;",
	firewall.HookPrerouting:  "type nat hook prerouting priority dstnat; policy accept;",
	firewall.HookPostrouting: "type nat hook postrouting priority srcnat; policy accept;",
	// nft 1.0.6 knows the name "dstnat" only on prerouting: -100 is its value.
	firewall.HookNATOutput: "type nat hook output priority -100; policy accept;",
}

// setNames are the names of the model's set roles in table inet rbm.
var setNames = map[firewall.Set]string{
	firewall.SetAllowed: setAllowed,
	firewall.SetLearned: setLearned,
	firewall.SetNever:   setNever,
	firewall.SetHost:    setHost,
}

// translate writes the model's chains and rules as table inet rbm's. The
// table has both families: a rule for IPv6 says so, the others are IPv4's
// by their address matches or, matching no address, apply to both.
func translate(m firewall.Model) ([]chain, []rule) {
	chains := make([]chain, 0, len(m.Chains))
	for _, c := range m.Chains {
		chains = append(chains, chain{name: chainNames[c], spec: hookSpecs[c]})
	}
	rules := make([]rule, 0, len(m.Rules))
	for _, r := range m.Rules {
		terms := make([]string, 0, len(r.Match)+1)
		if r.IPv6 {
			terms = append(terms, "meta nfproto ipv6")
		}
		for _, t := range r.Match {
			terms = append(terms, term(t))
		}
		rules = append(rules, rule{chain: chainNames[r.Chain], id: r.ID, match: strings.Join(terms, " "), verdict: verdict(r.Verdict)})
	}
	return chains, rules
}

// term writes one match term in nft syntax.
func term(t firewall.Term) string {
	neg := ""
	if t.Not {
		neg = "!= "
	}
	switch t.Kind {
	case firewall.InIface:
		return fmt.Sprintf("iifname %q", t.Iface)
	case firewall.OutIface:
		return fmt.Sprintf("oifname %q", t.Iface)
	case firewall.Src:
		return "ip saddr " + neg + t.Addr.String()
	case firewall.Dst:
		if t.Addr.IsValid() {
			return "ip daddr " + neg + t.Addr.String()
		}
		return "ip daddr " + neg + t.Prefix.String()
	case firewall.DstRanges:
		return "ip daddr " + neg + "{ " + strings.Join(elements(t.Ranges), ", ") + " }"
	case firewall.DstSet:
		return "ip daddr " + neg + "@" + setNames[t.Set]
	case firewall.Proto:
		return "meta l4proto " + t.Proto
	case firewall.Port:
		return fmt.Sprintf("%s dport %d", t.Proto, t.Ports[0])
	case firewall.PortList:
		return fmt.Sprintf("%s dport { %s }", t.Proto, portSet(t.Ports))
	case firewall.CtEstablished:
		return "ct state established,related"
	case firewall.CtInvalid:
		return "ct state invalid"
	case firewall.CtDNAT:
		return "ct status dnat"
	case firewall.Mark:
		return fmt.Sprintf("meta mark %#x", t.Mark)
	case firewall.Limit:
		return fmt.Sprintf("limit rate %d/second burst %d packets", firewall.LogRate, firewall.LogBurst)
	}
	panic(fmt.Sprintf("nftables: match term kind %d has no translation", t.Kind))
}

// verdict writes a rule's verdict in nft syntax.
func verdict(v firewall.Verdict) string {
	switch v.Kind {
	case firewall.Accept:
		return "accept"
	case firewall.Drop:
		return "drop"
	case firewall.Jump:
		return "jump " + chainNames[v.Chain]
	case firewall.RejectPort:
		return "reject with icmp port-unreachable"
	case firewall.RejectReset:
		return "reject with tcp reset"
	case firewall.RejectAdmin:
		return "reject with icmpx type admin-prohibited"
	case firewall.Log:
		return fmt.Sprintf("log prefix %q group %d snaplen %d", firewall.IDPrefix+v.Of, firewall.LogGroup, firewall.LogSnap)
	case firewall.DNAT:
		return "dnat ip to " + v.To.String()
	case firewall.Redirect:
		return fmt.Sprintf("redirect to :%d", v.Port)
	case firewall.Masquerade:
		return "masquerade"
	}
	panic(fmt.Sprintf("nftables: verdict kind %d has no translation", v.Kind))
}

// portSet is ports as the inside of an anonymous nft set: "80, 443".
func portSet(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}
