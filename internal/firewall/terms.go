package firewall

import "net/netip"

// Constructors of match terms, so the builder reads as the rules do.

func inIface(name string) Term  { return Term{Kind: InIface, Iface: name} }
func outIface(name string) Term { return Term{Kind: OutIface, Iface: name} }
func src(a netip.Addr) Term     { return Term{Kind: Src, Addr: a} }
func dst(a netip.Addr) Term     { return Term{Kind: Dst, Addr: a} }

func dstPrefix(p netip.Prefix) Term { return Term{Kind: Dst, Prefix: p} }

func dstRanges(name string, rs []netip.Prefix) Term {
	return Term{Kind: DstRanges, Name: name, Ranges: rs}
}

func inSet(s Set) Term { return Term{Kind: DstSet, Set: s} }

// lookup tests set membership without counting it against the set's
// elements: those count forwarding, not the name gate's redirects.
func lookup(s Set) Term { return Term{Kind: DstSet, Set: s, NoCount: true} }

func not(t Term) Term { t.Not = true; return t }

func proto(p string) Term              { return Term{Kind: Proto, Proto: p} }
func port(p string, n uint16) Term     { return Term{Kind: Port, Proto: p, Ports: []uint16{n}} }
func ports(p string, ns []uint16) Term { return Term{Kind: PortList, Proto: p, Ports: ns} }
func mark(m uint32) Term               { return Term{Kind: Mark, Mark: m} }

var (
	established = Term{Kind: CtEstablished}
	invalid     = Term{Kind: CtInvalid}
	dnatted     = Term{Kind: CtDNAT}
	limited     = Term{Kind: Limit}
)

// match is a rule's terms, so call sites read match(a, b) rather than []Term{a, b}.
func match(ts ...Term) []Term { return ts }

var (
	accept = Verdict{Kind: Accept}
	drop   = Verdict{Kind: Drop}
)

func jump(c Chain) Verdict { return Verdict{Kind: Jump, Chain: c} }
