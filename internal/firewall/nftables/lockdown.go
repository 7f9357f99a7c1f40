package nftables

import "github.com/recipe-bottle/rbm/internal/firewall"

// LockdownDoc returns the fail-closed transaction the sentry loads when
// anything goes wrong: table inet rbm replaced by one whose filter chains
// drop everything but loopback (both families) and whose nat chains are
// empty, so no DNAT or masquerade of an older ruleset survives. Its rules
// are the model's (firewall.Lockdown), as the iptables lockdown's are.
func LockdownDoc() string {
	return lockdown().String()
}

// LockdownIDs lists the lockdown's rule ids, prefixed, in document order.
func LockdownIDs() []string { return firewall.Lockdown().IDs() }

func lockdown() document {
	chains, rules := translate(firewall.Lockdown())
	return document{
		header:  []string{"rbm lockdown; load with nft -f: replaces table inet rbm, everything but loopback is dropped"},
		replace: true,
		chains:  chains,
		rules:   rules,
	}
}
