// Package standin is the stand-in internet the lab runs in its "wan"
// namespace: an authoritative-style resolver, a "foreign public resolver"
// that answers anything, web servers, echo servers, and counters of what
// reached each of them, served over a unix socket. It listens only on
// documentation addresses (or loopback), so it can never pose as a real host.
package standin

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// DefaultForeignAnswer is what the foreign resolver answers for any name.
const DefaultForeignAnswer = "203.0.113.66"

// Config says what to serve where. Every address must already exist on an
// interface (the lab adds them).
type Config struct {
	Resolver Resolver `json:"resolver"`
	// Foreign lists addresses of a "foreign public resolver": any name
	// resolves to ForeignAnswer, on UDP and TCP ports 53 and 5353; TCP 853
	// (DNS over TLS) only counts connections.
	Foreign       []string `json:"foreign,omitempty"`
	ForeignAnswer string   `json:"foreign_answer,omitempty"`
	// Web lists addresses served over HTTP (80) and HTTPS (443).
	Web []string `json:"web,omitempty"`
	// CAFile receives the PEM certificate of the CA that signs the HTTPS
	// certificate, so clients can trust it.
	CAFile string `json:"ca_file,omitempty"`
	// Echo lists addr:port pairs echoed over both TCP and UDP.
	Echo []string `json:"echo,omitempty"`
	// StatsSocket is the path of a unix socket serving GET /stats. A path
	// socket is reachable from every network namespace.
	StatsSocket string `json:"stats_socket,omitempty"`
}

// Resolver is the upstream the sentry forwards allowed names to: fixed
// records, NXDOMAIN for every other name, on UDP and TCP port 53 of Addr.
type Resolver struct {
	Addr string `json:"addr,omitempty"` // empty: no resolver
	// Records maps a name (under .test) to its IPv4 and IPv6 addresses;
	// "*.parent" answers every name below parent.
	Records map[string][]string `json:"records,omitempty"`
	// CNAMEs maps an alias to its target name: the alias is answered, as a
	// recursive resolver would, with the CNAME and the target's records.
	CNAMEs map[string]string `json:"cnames,omitempty"`
}

// LoadConfig reads a JSON configuration and validates it. Unknown fields
// are errors: a misspelt key must not silently turn a server off.
func LoadConfig(path string) (Config, error) {
	var c Config
	f, err := os.Open(path)
	if err != nil {
		return c, fmt.Errorf("standin config: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("standin config %s: %w", path, err)
	}
	return c, c.Validate()
}

// Validate reports every problem at once, each naming the field and value.
func (c Config) Validate() error {
	var errs []error
	check := func(field, v string) {
		if err := checkAddr(v); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", field, v, err))
		}
	}
	if c.Resolver.Addr != "" {
		check("resolver.addr", c.Resolver.Addr)
	}
	// Records are only answers, never listened on or sent to, so any
	// address is fine: the lab's rebinding bait answers private and
	// link-local addresses, and a nameplate's real domains are answered
	// with documentation addresses.
	for _, name := range slices.Sorted(maps.Keys(c.Resolver.Records)) {
		if _, ok := dns.IsDomainName(strings.TrimPrefix(name, "*.")); !ok || strings.ContainsAny(name, " \t\r\n") {
			errs = append(errs, fmt.Errorf("resolver.records %q: not a domain name", name))
		}
		for _, a := range c.Resolver.Records[name] {
			if _, err := netip.ParseAddr(a); err != nil {
				errs = append(errs, fmt.Errorf("resolver.records[%s] %q: not an IP address", name, a))
			}
		}
	}
	for _, alias := range slices.Sorted(maps.Keys(c.Resolver.CNAMEs)) {
		for _, name := range []string{alias, c.Resolver.CNAMEs[alias]} {
			if _, ok := dns.IsDomainName(name); !ok || strings.ContainsAny(name, " \t\r\n*") {
				errs = append(errs, fmt.Errorf("resolver.cnames %q: not a domain name", name))
			}
		}
	}
	for _, a := range c.Foreign {
		check("foreign", a)
	}
	if c.ForeignAnswer != "" {
		check("foreign_answer", c.ForeignAnswer)
	}
	for _, a := range c.Web {
		check("web", a)
	}
	for _, a := range c.Echo {
		errs = append(errs, checkEcho(a))
	}
	return errors.Join(errs...)
}

// documentation holds the ranges a stand-in may use (RFC 5737, RFC 3849).
var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// checkAddr accepts documentation and loopback addresses only.
func checkAddr(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return fmt.Errorf("not an IP address")
	}
	if a.IsLoopback() {
		return nil
	}
	for _, p := range documentation {
		if p.Contains(a) {
			return nil
		}
	}
	return fmt.Errorf("not a documentation address (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) or loopback")
}

// checkEcho accepts an addr:port pair; nil when it is fine.
func checkEcho(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("echo %q: want addr:port", s)
	}
	if p, err := netip.ParseAddrPort(s); err != nil || p.Port() == 0 {
		return fmt.Errorf("echo %q: port %q: want 1-65535", s, port)
	}
	if err := checkAddr(host); err != nil {
		return fmt.Errorf("echo %q: %w", s, err)
	}
	return nil
}
