package iptables

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// chainNames are the names of the model's chain roles; the hooks are the
// built-in chains of table filter or nat.
var chainNames = map[firewall.Chain]string{
	firewall.HookInput:       "INPUT",
	firewall.HookForward:     "FORWARD",
	firewall.HookOutput:      "OUTPUT",
	firewall.HookPrerouting:  "PREROUTING",
	firewall.HookPostrouting: "POSTROUTING",
	firewall.HookNATOutput:   "OUTPUT", // of table nat
	firewall.ChainIngress:    chainIngress,
	firewall.ChainForward:    chainForward,
	firewall.ChainEgress:     chainEgress,
	firewall.ChainReject:     chainReject,
}

// setNames are the ipsets of the model's set roles.
var setNames = map[firewall.Set]string{
	firewall.SetAllowed: setAllowed,
	firewall.SetLearned: setLearned,
	firewall.SetNever:   setNever,
	firewall.SetHost:    setHost,
}

// filterTable translates the model's filter rules of one family (iptables
// and ip6tables are separate documents) into table filter: the built-in
// chains drop by default.
func filterTable(m firewall.Model, ipv6 bool) *table {
	t := &table{name: "filter"}
	for _, c := range m.Chains {
		switch {
		case c.IsNAT():
		case c.IsHook():
			t.chains = append(t.chains, chain{chainNames[c], "DROP"})
		default:
			t.chains = append(t.chains, chain{chainNames[c], "-"})
		}
	}
	for _, r := range m.Rules {
		if !r.Chain.IsNAT() && r.IPv6 == ipv6 {
			t.rules = append(t.rules, translate(r))
		}
	}
	return t
}

// natTable translates the model's nat rules into table nat. It is always
// written, even empty, so loading a new ruleset also removes nat rules of
// an older one.
func natTable(m firewall.Model) *table {
	t := &table{name: "nat"}
	for _, c := range natBuiltins {
		t.chains = append(t.chains, chain{c, "ACCEPT"})
	}
	for _, r := range m.Rules {
		if r.Chain.IsNAT() && !r.IPv6 {
			t.rules = append(t.rules, translate(r))
		}
	}
	return t
}

// translate writes one rule of the model as an -A line's parts.
func translate(r firewall.Rule) rule {
	terms := make([]string, 0, len(r.Match))
	for _, t := range r.Match {
		terms = append(terms, term(t))
	}
	return rule{chain: chainNames[r.Chain], id: r.ID, match: strings.Join(terms, " "), target: target(r.Verdict)}
}

// term writes one match term in iptables syntax.
func term(t firewall.Term) string {
	neg := ""
	if t.Not {
		neg = "! "
	}
	switch t.Kind {
	case firewall.InIface:
		return "-i " + t.Iface
	case firewall.OutIface:
		return "-o " + t.Iface
	case firewall.Src:
		return neg + "-s " + t.Addr.String()
	case firewall.Dst:
		if t.Addr.IsValid() {
			return neg + "-d " + t.Addr.String()
		}
		return neg + "-d " + t.Prefix.String()
	case firewall.DstRanges:
		if len(t.Ranges) == 1 {
			return neg + "-d " + t.Ranges[0].String()
		}
		return fmt.Sprintf("-m set %s--match-set %s dst", neg, guardSet(t.Name))
	case firewall.DstSet:
		s := fmt.Sprintf("-m set %s--match-set %s dst", neg, setNames[t.Set])
		if t.NoCount {
			s += " ! --update-counters"
		}
		return s
	case firewall.Proto:
		return "-p " + t.Proto
	case firewall.Port:
		return fmt.Sprintf("-p %s -m %s --dport %d", t.Proto, t.Proto, t.Ports[0])
	case firewall.PortList:
		return fmt.Sprintf("-p %s -m multiport --dports %s", t.Proto, portList(t.Ports))
	case firewall.CtEstablished:
		return "-m conntrack --ctstate RELATED,ESTABLISHED"
	case firewall.CtInvalid:
		return "-m conntrack --ctstate INVALID"
	case firewall.CtDNAT:
		return "-m conntrack --ctstate DNAT"
	case firewall.Mark:
		return fmt.Sprintf("-m mark --mark %#x", t.Mark)
	case firewall.Limit:
		return fmt.Sprintf("-m limit --limit %d/sec --limit-burst %d", firewall.LogRate, firewall.LogBurst)
	}
	panic(fmt.Sprintf("iptables: match term kind %d has no translation", t.Kind))
}

// target writes a rule's verdict as an iptables target.
func target(v firewall.Verdict) string {
	switch v.Kind {
	case firewall.Accept:
		return "ACCEPT"
	case firewall.Drop:
		return "DROP"
	case firewall.Jump:
		return chainNames[v.Chain]
	case firewall.RejectPort:
		return "REJECT --reject-with icmp-port-unreachable"
	case firewall.RejectReset:
		return "REJECT --reject-with tcp-reset"
	case firewall.RejectAdmin:
		return "REJECT --reject-with icmp-admin-prohibited"
	case firewall.Log:
		return fmt.Sprintf("NFLOG --nflog-prefix %s%s --nflog-group %d --nflog-size %d", idPrefix, v.Of, firewall.LogGroup, firewall.LogSnap)
	case firewall.DNAT:
		return "DNAT --to-destination " + v.To.String()
	case firewall.Redirect:
		return fmt.Sprintf("REDIRECT --to-ports %d", v.Port)
	case firewall.Masquerade:
		return "MASQUERADE"
	}
	panic(fmt.Sprintf("iptables: verdict kind %d has no translation", v.Kind))
}

// portList is ports as multiport writes them: "80,443".
func portList(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

// guardSet names the ipset of a global guard with several ranges, from
// its rule id:
// "rbm-private4" for fwd-global-private.
func guardSet(rule string) string {
	return "rbm-" + strings.TrimPrefix(rule, "fwd-global-") + "4"
}
