// Package suggest turns what the sentry refused into the nameplate lines
// that would allow it, for a person to review: names the resolver refused,
// addresses reached without a name, each with counts and first and last
// seen. It never applies anything. Pure: events in, text out.
package suggest

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// Item is one thing that was refused, seen Count times.
type Item struct {
	Value       string    // a name, or an address
	Count       int       // refusals
	First, Last time.Time // seen
	Ports       []string  // for addresses: "tcp/443", ...
	Name        string    // for addresses: the name that resolved to it, if any
	Why         string    // for withheld names: why it is not proposed
}

// Report is what was refused, grouped.
type Report struct {
	Names []Item // DNS queries answered "not allowed", fit to propose
	// Withheld: refused names never proposed (not host names, special-use
	// names, public suffixes), each with why.
	Withheld  []Item
	Addresses []Item // connections refused by the default drop: candidates for a CIDR
	// Never: refusals no nameplate line should open (the sentry's own
	// ports, cloud metadata, other resolvers, spoofed sources), by rule.
	Never []Item
	// Guarded: addresses of allowed names that learning never opens (the
	// uplink's own network): only an explicit CIDR would.
	Guarded []Item
	// NotKept: refusals the sentry counted but no longer holds by kind.
	NotKept  uint64
	From, To time.Time
}

// Build groups the refusals among evs.
func Build(evs []events.Event) Report {
	var r Report
	names, addrs, never, guarded := map[string]*Item{}, map[string]*Item{}, map[string]*Item{}, map[string]*Item{}
	unfit := map[string]*Item{} // names the DNS guard refused: never proposed
	for _, e := range evs {
		switch {
		case e.Kind == events.DNS && e.Verdict == dnsguard.NotHostName:
			note(unfit, nameKey(e.Name), e, "")
		case e.Kind == events.DNS && e.Verdict == events.NotAllowed:
			note(names, nameKey(e.Name), e, "")
		case e.Kind == events.Deny && e.Rule == "rbm:"+policy.GateName && e.Name != "":
			// The name gate refused a name on an address another name opened:
			// allowing the name lets it resolve and open its own addresses.
			note(names, nameKey(e.Name), e, "")
		case e.Kind == events.Deny && e.Rule == "rbm:fwd-drop":
			note(addrs, e.Dst, e, port(e)).Name = cmp.Or(e.Name, addrs[e.Dst].Name)
		case e.Kind == events.Deny && e.Rule == "rbm:fwd-learn-guard":
			note(guarded, e.Dst, e, port(e)).Name = cmp.Or(e.Name, guarded[e.Dst].Name)
		case e.Kind == events.Deny:
			note(never, e.Rule, e, "")
		case e.Kind == events.Lifecycle && e.What == events.RefusalsNotKept:
			r.NotKept += e.Count
			continue
		default:
			continue
		}
		if r.From.IsZero() || e.Time.Before(r.From) {
			r.From = e.Time
		}
		if e.Time.After(r.To) {
			r.To = e.Time
		}
	}
	r.Names, r.Addresses, r.Never, r.Guarded = sorted(names, byValue), sorted(addrs, byAddr), sorted(never, byValue), sorted(guarded, byAddr)
	r.Names, r.Withheld = withhold(r.Names)
	r.Withheld = append(r.Withheld, markUnfit(sorted(unfit, byValue))...)
	slices.SortFunc(r.Withheld, func(a, b Item) int { return strings.Compare(a.Value, b.Value) })
	return r
}

func note(m map[string]*Item, key string, e events.Event, port string) *Item {
	it, ok := m[key]
	if !ok {
		it = &Item{Value: key, First: e.Time, Last: e.Time}
		m[key] = it
	}
	it.Count += e.Times()
	if e.Time.Before(it.First) {
		it.First = e.Time
	}
	if e.Time.After(it.Last) {
		it.Last = e.Time
	}
	if port != "" && !slices.Contains(it.Ports, port) {
		it.Ports = append(it.Ports, port)
		slices.Sort(it.Ports)
	}
	return it
}

func port(e events.Event) string {
	if e.Port == 0 {
		return e.Proto
	}
	return e.Proto + "/" + strconv.Itoa(int(e.Port))
}

func byValue(a, b *Item) int { return strings.Compare(a.Value, b.Value) }

func byAddr(a, b *Item) int {
	x, errx := netip.ParseAddr(a.Value)
	y, erry := netip.ParseAddr(b.Value)
	if errx != nil || erry != nil {
		return byValue(a, b)
	}
	return x.Compare(y)
}

func sorted(m map[string]*Item, by func(a, b *Item) int) []Item {
	ps := make([]*Item, 0, len(m))
	for _, it := range m {
		ps = append(ps, it)
	}
	slices.SortFunc(ps, by)
	out := make([]Item, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// Domains returns the allowed domains with the refused names added: the
// value for RBRN_UPLINK_ALLOWED_DOMAINS. Names already inside an allowed
// domain (refused for another reason) are not added again; m says how the
// entries are read.
func (r Report) Domains(current []string, m policy.Match) []string {
	out := slices.Clone(current)
	for _, it := range r.Names {
		if !(policy.Policy{DNS: policy.DNSAllowlist, AllowedDomains: out, Match: m}).Resolves(it.Value) {
			out = append(out, it.Value)
		}
	}
	return out
}

// CIDRs returns the allowed CIDRs with one /32 per refused address added:
// the value for RBRN_UPLINK_ALLOWED_CIDRS.
func (r Report) CIDRs(current []netip.Prefix) []string {
	out := make([]string, 0, len(current)+len(r.Addresses))
	for _, c := range current {
		out = append(out, c.String())
	}
	now := policy.Policy{Egress: policy.EgressAllowlist, AllowedCIDRs: current}
	for _, it := range r.Addresses {
		a, err := netip.ParseAddr(it.Value)
		if err != nil || now.Reaches(a) { // already open: refused for another reason
			continue
		}
		out = append(out, netip.PrefixFrom(a, 32).String())
	}
	return out
}
