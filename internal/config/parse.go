package config

import (
	"fmt"
	"net/netip"
	"regexp"

	"github.com/recipe-bottle/rbm/internal/hostname"
	"slices"
	"strconv"
	"strings"
)

// parser turns raw settings into typed values, collecting every problem
// instead of stopping at the first.
type parser struct {
	settings map[string]Setting
	problems []Problem
}

func (p *parser) raw(name string) string { return p.settings[name].Value }

func (p *parser) fail(name, value, want string) {
	p.problems = append(p.problems, Problem{Var: name, Value: value, Want: want})
}

func (p *parser) boolean(name string) bool {
	switch v := p.raw(name); v {
	case "true":
		return true
	case "false":
		return false
	default:
		p.fail(name, v, "expected exactly true or false")
		return false
	}
}

// addr parses an IPv4 address; empty is allowed only when !required.
func (p *parser) addr(name string, required bool) netip.Addr {
	v := p.raw(name)
	if v == "" && !required {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(v)
	if err != nil || !a.Is4() {
		p.fail(name, v, "expected an IPv4 address such as 192.0.2.2")
		return netip.Addr{}
	}
	return a
}

// prefix parses one IPv4 CIDR; a bare address means /32.
func (p *parser) prefix(name, v string) (netip.Prefix, bool) {
	if !strings.Contains(v, "/") {
		if a, err := netip.ParseAddr(v); err == nil && a.Is4() {
			return netip.PrefixFrom(a, 32), true
		}
	}
	pfx, err := netip.ParsePrefix(v)
	switch {
	case err != nil:
		p.fail(name, v, "expected an IPv4 CIDR such as 203.0.113.0/24")
	case !pfx.Addr().Is4():
		p.fail(name, v, "expected an IPv4 CIDR; rbm drops all IPv6")
	case pfx.Masked() != pfx:
		p.fail(name, v, fmt.Sprintf("host bits are set; expected the network address %s", pfx.Masked()))
	default:
		return pfx, true
	}
	return netip.Prefix{}, false
}

func (p *parser) port(name string, required bool) uint16 {
	v := p.raw(name)
	if v == "" && !required {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 16)
	if err != nil || n == 0 || strings.HasPrefix(v, "0") {
		p.fail(name, v, "expected a port number from 1 to 65535")
		return 0
	}
	return uint16(n)
}

// maxGatePorts bounds each port list: together they must fit one
// multiport match (15 ports) in the iptables backend.
const maxGatePorts = 7

// ports parses a list of distinct TCP ports, at most most of them.
func (p *parser) ports(name string, most int) []uint16 {
	var out []uint16
	items := list(p.raw(name))
	if len(items) > most {
		p.fail(name, p.raw(name), fmt.Sprintf("expected at most %d ports", most))
		return nil
	}
	for _, item := range items {
		n, err := strconv.ParseUint(item, 10, 16)
		if err != nil || n == 0 || n == 53 || strings.HasPrefix(item, "0") {
			p.fail(name, item, "expected port numbers from 1 to 65535 but 53 (DNS is the resolver's), separated by spaces or commas")
			return nil
		}
		if !slices.Contains(out, uint16(n)) {
			out = append(out, uint16(n))
		}
	}
	return out
}

// list splits on spaces, tabs, newlines and commas.
func list(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

func (p *parser) cidrs(name string) []netip.Prefix {
	var out []netip.Prefix
	seen := map[netip.Prefix]bool{}
	for _, item := range list(p.raw(name)) {
		if pfx, ok := p.prefix(name, item); ok && !seen[pfx] {
			seen[pfx] = true
			out = append(out, pfx)
		}
	}
	return out
}

// domain normalises and checks one DNS name: letters, digits, hyphens, dots,
// and, where wild allows it, a leading "*." (the names under a domain).
// Anything else could smuggle a second dnsmasq directive into the config.
func (p *parser) domain(name, v string, wild bool) (string, bool) {
	if strings.HasPrefix(v, "@") {
		p.fail(name, v, "expected a DNS name; presets (@name) are accepted in RBRN_UPLINK_ALLOWED_DOMAINS only")
		return "", false
	}
	d := strings.TrimSuffix(strings.ToLower(v), ".")
	star := ""
	if rest, ok := strings.CutPrefix(d, "*."); ok {
		if !wild {
			p.fail(name, v, fmt.Sprintf("expected a plain domain (it includes its subdomains here); write %s", rest))
			return "", false
		}
		star, d = "*.", rest
	}
	if d == "" || len(d) > 253 {
		p.fail(name, v, "expected a DNS name of 1 to 253 characters")
		return "", false
	}
	for _, label := range strings.Split(d, ".") {
		if !hostname.LDHLabel(label) {
			p.fail(name, v, "expected a DNS name: labels of letters, digits and inner hyphens (at most 63 each) separated by dots, optionally after a leading *.")
			return "", false
		}
	}
	if s, ok := hostname.SpecialUse(d); ok {
		p.fail(name, v, fmt.Sprintf("expected a name on the internet; %s is a special-use name (RFC 6761/7686) that no upstream should be asked about (invalid also holds the sentry's readiness name); names under test and example are fine", s))
		return "", false
	}
	return star + d, true
}

func (p *parser) domains(name string, wild bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, item := range list(p.raw(name)) {
		if d, ok := p.domain(name, item, wild); ok && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// word checks a value that reaches a command line (image, network, moniker).
func (p *parser) word(name string, re *regexp.Regexp, want string) string {
	v := p.raw(name)
	if v != "" && !re.MatchString(v) {
		p.fail(name, v, want)
		return ""
	}
	return v
}

func (p *parser) uid(name string) int {
	v := p.raw(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 2147483646 || strings.HasPrefix(v, "0") {
		p.fail(name, v, "expected a numeric user id from 1 to 2147483646 (the bottle never runs as root)")
		return 0
	}
	return n
}

// count parses a whole number from lo to hi, written without leading zeros.
func (p *parser) count(name string, lo, hi uint64, unit string) uint64 {
	v := p.raw(name)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < lo || n > hi || (strings.HasPrefix(v, "0") && v != "0") {
		p.fail(name, v, fmt.Sprintf("expected a whole number of %s from %d to %d", unit, lo, hi))
		return 0
	}
	return n
}

// oneOf accepts exactly one of the given words.
func (p *parser) oneOf(name string, words ...string) string {
	v := p.raw(name)
	for _, w := range words {
		if v == w {
			return v
		}
	}
	p.fail(name, v, "expected "+orList(words))
	return ""
}

func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
