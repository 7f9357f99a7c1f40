package suggest

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/safetext"
)

// neverWhy says, per rule, why its refusals are not suggested.
var neverWhy = map[string]string{
	"rbm:in-enclave-drop":    "the sentry's own ports: it offers only DNS to the bottle",
	"rbm:fwd-linklocal":      "link-local (cloud metadata): no setting opens it",
	"rbm:fwd-dns-reject-udp": "DNS to another resolver: use the sentry's (it answers every allowed name)",
	"rbm:fwd-dns-reject-tcp": "DNS to another resolver: use the sentry's (it answers every allowed name)",
	"rbm:fwd-spoof":          "packets from an address other than the bottle's",
	"rbm:fwd-hairpin":        "traffic back into the enclave",
	"rbm:gate-unlearned":     "an allowed name sent to an address its own answer did not carry (fronting, or it was not resolved through the sentry)",
	"rbm:gate-no-name":       "TLS without a name: the name gate cannot check it",
	"rbm:gate-ech":           "an encrypted ClientHello hides its name (RBRN_UPLINK_NAME_ECH)",
	"rbm:gate-unread":        "neither TLS nor HTTP, or malformed, on a port whose names are checked",
	"rbm:gate-busy":          "the name gate held its most connections",
}

// Current is the nameplate's present values, which the printed lines extend.
type Current struct {
	Domains []string
	Match   policy.Match // how Domains are read (RBRN_DNS_MATCH)
	CIDRs   []netip.Prefix
}

// Print writes the report as commented nameplate lines. Nothing is
// suggested for what no setting should open; it is listed, with why.
func (r Report) Print(w io.Writer, cur Current) {
	if len(r.Names)+len(r.Withheld)+len(r.Addresses)+len(r.Never)+len(r.Guarded) == 0 && r.NotKept == 0 {
		fmt.Fprintln(w, "# rbm suggest: nothing was refused in the sentry's history; nothing to add.")
		return
	}
	fmt.Fprintf(w, "# rbm suggest: refusals seen %s to %s. Review before adding; nothing is applied.\n", stamp(r.From), stamp(r.To))
	if len(r.Names) > 0 {
		fmt.Fprintln(w, "\n# Names the sentry refused (not in an allowed domain), asked or sent on a connection:")
		for _, it := range r.Names {
			fmt.Fprintf(w, "#   %-32s %s\n", safetext.Word(it.Value), seen(it, "time", "times"))
		}
		fmt.Fprintln(w, assign("RBRN_UPLINK_ALLOWED_DOMAINS", r.Domains(cur.Domains, cur.Match)))
	}
	printWithheld(w, r.Withheld)
	if len(r.Addresses) > 0 {
		printAddresses(w, "Addresses the bottle tried to reach (outside the allowed CIDRs and learned addresses)", r.Addresses)
		fmt.Fprintln(w, "# Prefer allowing the name where there is one: its addresses then open as it resolves.")
		fmt.Fprintln(w, assign("RBRN_UPLINK_ALLOWED_CIDRS", r.CIDRs(cur.CIDRs)))
	}
	if len(r.Guarded) > 0 {
		printAddresses(w, "Addresses in ranges no resolved name opens (here: the sentry's uplink network)", r.Guarded)
		fmt.Fprintln(w, "# Only an explicit RBRN_UPLINK_ALLOWED_CIDRS entry opens these; add one only if you mean it.")
	}
	if len(r.Never) > 0 {
		fmt.Fprintln(w, "\n# Refused and not to be allowed:")
		for _, it := range r.Never {
			fmt.Fprintf(w, "#   %-24s %s: %s\n", safetext.Word(it.Value), seen(it, "time", "times"), cmp.Or(neverWhy[it.Value], "no setting opens it"))
		}
	}
	if r.NotKept > 0 {
		fmt.Fprintf(w, "\n# and %d more refusals, counted only: the sentry's refusal tally was full (a flood of new names or addresses)\n", r.NotKept)
	}
}

// printAddresses lists refused addresses under a heading, one per line:
// address, ports, the name beside it, how often and when.
func printAddresses(w io.Writer, heading string, items []Item) {
	fmt.Fprintf(w, "\n# %s:\n", heading)
	for _, it := range items {
		fmt.Fprintf(w, "#   %-16s %-12s %-24s %s\n", safetext.Word(it.Value), safetext.Word(strings.Join(it.Ports, ",")), nameOf(it), seen(it, "attempt", "attempts"))
	}
}

// maxWithheld bounds the withheld names listed; the rest are counted.
const maxWithheld = 20

// printWithheld lists, escaped, the refused names never proposed and why:
// the operator sees them (a name that is not a host name may be a tunnel)
// without a line that would allow them.
func printWithheld(w io.Writer, items []Item) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n# %d refused names not proposed (not host names, special-use names or public suffixes), shown escaped:\n", len(items))
	for i, it := range items {
		if i == maxWithheld {
			fmt.Fprintf(w, "#   and %d more names\n", len(items)-maxWithheld)
			break
		}
		fmt.Fprintf(w, "#   %-32s %s: %s\n", safetext.Word(it.Value), seen(it, "time", "times"), it.Why)
	}
}

func nameOf(it Item) string {
	if it.Name == "" {
		return "(no name)"
	}
	return "(" + safetext.Word(it.Name) + ")"
}

func seen(it Item, one, many string) string {
	unit := many
	if it.Count == 1 {
		unit = one
	}
	return fmt.Sprintf("%d %s, first %s, last %s", it.Count, unit, stamp(it.First), stamp(it.Last))
}

func stamp(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }
