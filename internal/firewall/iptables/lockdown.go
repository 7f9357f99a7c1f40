package iptables

import "github.com/recipe-bottle/rbm/internal/firewall"

// RenderIPv6 returns the ip6tables-restore document: the rule model's IPv6
// rules (firewall.Closed), which drop everything but loopback, each drop a
// rule of its own so its counter shows attempts.
func RenderIPv6() string {
	m := firewall.Model{
		Chains: []firewall.Chain{firewall.HookInput, firewall.HookForward, firewall.HookOutput},
		Rules:  firewall.Closed("v6", true),
	}
	return document{
		header: []string{"rbm IPv6 ruleset; load with ip6tables-restore: all IPv6 is dropped"},
		tables: []*table{filterTable(m, true)},
	}.String()
}

// Lockdown returns the fail-closed IPv4 ruleset the sentry loads when anything
// goes wrong (firewall.Lockdown): every policy DROP, loopback only, nat
// emptied (so no DNAT or masquerade of an older ruleset survives).
func Lockdown() string {
	m := firewall.Lockdown()
	return document{
		header: []string{"rbm IPv4 lockdown; load with iptables-restore: everything but loopback is dropped"},
		tables: []*table{filterTable(m, false), natTable(m)},
	}.String()
}
