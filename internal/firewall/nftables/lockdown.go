package nftables

// LockdownDoc returns the fail-closed transaction the sentry loads when
// anything goes wrong: table inet rbm replaced by one whose filter chains
// drop everything but loopback (both families) and whose nat chains are
// empty, so no DNAT or masquerade of an older ruleset survives. Its ids are
// those of the iptables lockdown.
func LockdownDoc() string {
	return lockdown().String()
}

// LockdownIDs lists the lockdown's rule ids, prefixed, in document order.
func LockdownIDs() []string { return lockdown().ids() }

func lockdown() document {
	d := document{
		header:  []string{"rbm lockdown; load with nft -f: replaces table inet rbm, everything but loopback is dropped"},
		replace: true,
		chains:  baseChains(),
	}
	d.add(chainInput, "lock-in-loopback", `iifname "lo"`, "accept")
	d.add(chainInput, "lock-in-drop", "", "drop")
	d.add(chainForwardBase, "lock-fwd-drop", "", "drop")
	d.add(chainOutput, "lock-out-loopback", `oifname "lo"`, "accept")
	d.add(chainOutput, "lock-out-drop", "", "drop")
	return d
}
