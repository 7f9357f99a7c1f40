package dns

import (
	"net/netip"
	"regexp"
	"strings"
)

// Learned is one address dnsmasq put into the learned set, as its log says:
// "ipset add rbm-learn4 198.51.100.77 allowed.test" or "nftset add 4 inet
// rbm learn4 198.51.100.77 allowed.test" (the set, the address
// and the allowed domain that matched), followed by the reply lines naming
// what the bottle asked for.
type Learned struct {
	Addr   netip.Addr
	Domain string // the allowed domain whose ipset=/nftset= line matched
	Name   string // the name the bottle asked for (the head of a CNAME chain)
	// Refused: dnsmasq said the set refused the address (nftset logs an
	// error instead of the addition; a full set is the usual cause).
	Refused string
}

var (
	setAddLine = regexp.MustCompile(`^dnsmasq\[\d+\]: (?:ipset|nftset) add .+ (\S+) (\S+)$`)
	replyLine  = regexp.MustCompile(`^dnsmasq\[\d+\]: reply (\S+) is (\S+)$`)
	setErrLine = regexp.MustCompile(`^dnsmasq\[\d+\]: (?:ipset|nftset) .*\bError: (.+)$`)
)

// LearnLog turns dnsmasq's log lines into Learned values. dnsmasq logs the
// set additions of one upstream answer, then its reply records, with no
// other line between them; a CNAME record ("reply a.test is <CNAME>")
// comes first, so later records of the same answer belong to its name.
// Not safe for concurrent use: feed it lines in order.
type LearnLog struct {
	pending []Learned // added to the set, waiting for their reply line
	refused []string  // failed additions, waiting for their reply line
	chain   string    // the head of the CNAME chain being replied
}

// Line reads one line (without the "dnsmasq: " prefix) and returns the
// addresses it completes: those whose reply line this is.
func (l *LearnLog) Line(text string) []Learned {
	if m := setAddLine.FindStringSubmatch(text); m != nil {
		if a, err := netip.ParseAddr(m[1]); err == nil {
			l.pending = append(l.pending, Learned{Addr: a, Domain: strings.ToLower(m[2])})
		}
		return nil
	}
	if m := setErrLine.FindStringSubmatch(text); m != nil {
		l.refused = append(l.refused, m[1])
		return nil
	}
	m := replyLine.FindStringSubmatch(text)
	if m == nil {
		l.chain, l.pending, l.refused = "", l.pending[:0], l.refused[:0]
		return nil
	}
	name, what := strings.ToLower(m[1]), m[2]
	if what == "<CNAME>" {
		if l.chain == "" {
			l.chain = name
		}
		return nil
	}
	if l.chain != "" {
		name = l.chain
	}
	a, err := netip.ParseAddr(what)
	if err != nil {
		return nil
	}
	var done []Learned
	rest := l.pending[:0]
	for _, p := range l.pending {
		if p.Addr == a {
			p.Name = name
			done = append(done, p)
		} else {
			rest = append(rest, p)
		}
	}
	l.pending = rest
	if len(done) == 0 && len(l.refused) > 0 {
		done = append(done, Learned{Addr: a, Name: name, Refused: l.refused[0]})
		l.refused = l.refused[1:]
	}
	return done
}
