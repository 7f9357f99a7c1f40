package iptables

// RenderIPv6 returns the ip6tables-restore document: IPv6 is dropped
// entirely, since no policy allows it and an open IPv6 path is the most common
// escape from home-made egress filters. Only loopback is accepted; the drops
// are explicit rules so their counters show attempts.
func RenderIPv6() string {
	return document{
		header: []string{"rbm IPv6 ruleset; load with ip6tables-restore: all IPv6 is dropped"},
		tables: []*table{closedFilter("v6")},
	}.String()
}

// Lockdown returns the fail-closed IPv4 ruleset the sentry loads when anything
// goes wrong: every policy DROP, loopback only, nat emptied (so no DNAT or
// masquerade of an older ruleset survives).
func Lockdown() string {
	return document{
		header: []string{"rbm IPv4 lockdown; load with iptables-restore: everything but loopback is dropped"},
		tables: []*table{closedFilter("lock"), newTable("nat", "ACCEPT", natBuiltins)},
	}.String()
}

// closedFilter is a filter table that lets only loopback through; its ids
// start with prefix.
func closedFilter(prefix string) *table {
	t := newTable("filter", "DROP", filterBuiltins)
	t.add("INPUT", prefix+"-in-loopback", "-i lo", "ACCEPT")
	t.add("INPUT", prefix+"-in-drop", "", "DROP")
	t.add("FORWARD", prefix+"-fwd-drop", "", "DROP")
	t.add("OUTPUT", prefix+"-out-loopback", "-o lo", "ACCEPT")
	t.add("OUTPUT", prefix+"-out-drop", "", "DROP")
	return t
}
