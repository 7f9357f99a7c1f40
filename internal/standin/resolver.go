package standin

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// resolver answers like an authoritative server for fixed records:
// NXDOMAIN for every other name, REFUSED for other classes and transfers.
type resolver struct {
	records map[string][]netip.Addr // lower-case FQDN -> addresses
	cnames  map[string]string       // lower-case FQDN -> target FQDN
	stats   *counters
}

// newResolver indexes records by lower-case FQDN; cfg is validated.
func newResolver(cfg Resolver, stats *counters) *resolver {
	r := &resolver{records: map[string][]netip.Addr{}, cnames: map[string]string{}, stats: stats}
	for alias, target := range cfg.CNAMEs {
		r.cnames[dns.Fqdn(strings.ToLower(alias))] = dns.Fqdn(strings.ToLower(target))
	}
	for name, addrs := range cfg.Records {
		fqdn := dns.Fqdn(strings.ToLower(name))
		for _, a := range addrs {
			r.records[fqdn] = append(r.records[fqdn], netip.MustParseAddr(a))
		}
	}
	return r
}

// ServeDNS answers one query and counts it by name.
func (r *resolver) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative, m.RecursionAvailable = true, true
	if len(q.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	qq := q.Question[0]
	name := strings.ToLower(qq.Name)
	r.stats.update(func(s *Stats) { s.Resolver[strings.TrimSuffix(name, ".")]++ })
	var chain []dns.RR
	if target, ok := r.cnames[name]; ok && qq.Qtype != dns.TypeCNAME {
		chain = []dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: qq.Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target}}
		name = target
	}
	addrs, known := r.lookup(name)
	switch {
	case qq.Qclass != dns.ClassINET || qq.Qtype == dns.TypeAXFR || qq.Qtype == dns.TypeIXFR:
		m.Rcode = dns.RcodeRefused
	case !known:
		m.Rcode = dns.RcodeNameError
	default:
		m.Answer = append(chain, addressRecords(name, qq.Qtype, addrs)...)
	}
	_ = w.WriteMsg(m)
}

// lookup finds name's addresses: its own record, or else the record
// "*.parent" of its nearest listed parent (a wildcard covers every name
// below its parent, at any depth, but not the parent itself).
func (r *resolver) lookup(fqdn string) ([]netip.Addr, bool) {
	if addrs, ok := r.records[fqdn]; ok {
		return addrs, true
	}
	for rest := fqdn; ; {
		_, parent, ok := strings.Cut(rest, ".")
		if !ok || parent == "" {
			return nil, false
		}
		if addrs, ok := r.records["*."+parent]; ok {
			return addrs, true
		}
		rest = parent
	}
}
