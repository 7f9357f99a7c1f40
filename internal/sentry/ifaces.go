package sentry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

type ipAddr struct {
	IfName   string `json:"ifname"`
	AddrInfo []struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

type ipRoute struct {
	Dev     string `json:"dev"`
	Gateway string `json:"gateway"`
}

// ifNameRE: interface names reach the rules; take only plain ones.
var ifNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)

// FindInterfaces finds the enclave interface as the one holding sentryIP and
// the uplink as the default route's device, or else the only other
// interface with an IPv4 address. Interface order inside a container is not
// stable, so names are never assumed.
func FindInterfaces(ctx context.Context, r runner.Runner, sentryIP netip.Addr) (firewall.Interfaces, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"-j", "-4", "addr", "show"}})
	if err != nil {
		return firewall.Interfaces{}, fmt.Errorf("list addresses: %w", err)
	}
	var addrs []ipAddr
	if err := json.Unmarshal(out, &addrs); err != nil {
		return firewall.Interfaces{}, fmt.Errorf("parse `ip -j addr`: %w", err)
	}
	var ifs firewall.Interfaces
	var others []string
	for _, a := range addrs {
		for _, ai := range a.AddrInfo {
			if ai.Local == sentryIP.String() {
				ifs.Enclave = a.IfName
			}
		}
		if a.IfName != "lo" && len(a.AddrInfo) > 0 {
			others = append(others, a.IfName)
		}
	}
	if ifs.Enclave == "" {
		return ifs, fmt.Errorf("no interface holds RBRR_SENTRY_IP %s: is the sentry attached to the enclave network with that address?", sentryIP)
	}
	up, gw, err := uplink(ctx, r, ifs.Enclave, others)
	if err != nil {
		return ifs, err
	}
	ifs.Uplink, ifs.UplinkGateway = up, gw
	ifs.UplinkPrefix = prefixOf(addrs, up)
	return ifs, CheckInterfaceNames(ifs)
}

// CheckInterfaceNames refuses names the renderers must not paste into
// rules: only plain ones (at most 15 letters, digits, '.', '_', '-').
func CheckInterfaceNames(ifs firewall.Interfaces) error {
	for _, name := range []string{ifs.Enclave, ifs.Uplink} {
		if !ifNameRE.MatchString(name) {
			return fmt.Errorf("interface name %q: expected 1 to 15 letters, digits, '.', '_' or '-'", name)
		}
	}
	return nil
}

// uplink returns the uplink interface and its default gateway (invalid
// when it has none).
func uplink(ctx context.Context, r runner.Runner, enclave string, candidates []string) (string, netip.Addr, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"-j", "-4", "route", "show", "default"}})
	if err != nil {
		return "", netip.Addr{}, fmt.Errorf("list default routes: %w", err)
	}
	var routes []ipRoute
	if err := json.Unmarshal(out, &routes); err != nil {
		return "", netip.Addr{}, fmt.Errorf("parse `ip -j route`: %w", err)
	}
	for _, rt := range routes {
		if rt.Dev != "" && rt.Dev != enclave {
			gw, _ := netip.ParseAddr(rt.Gateway)
			return rt.Dev, gw, nil
		}
	}
	var rest []string
	for _, c := range candidates {
		if c != enclave {
			rest = append(rest, c)
		}
	}
	if len(rest) != 1 {
		return "", netip.Addr{}, fmt.Errorf("cannot tell the uplink interface: no default route and %d other interfaces (%s)", len(rest), strings.Join(rest, ", "))
	}
	return rest[0], netip.Addr{}, nil
}

// prefixOf is the subnet of ifname's first IPv4 address (invalid if none):
// learned addresses never open the uplink's own network.
func prefixOf(addrs []ipAddr, ifname string) netip.Prefix {
	for _, a := range addrs {
		if a.IfName != ifname {
			continue
		}
		for _, ai := range a.AddrInfo {
			if ip, err := netip.ParseAddr(ai.Local); err == nil && ip.Is4() && ai.PrefixLen > 0 {
				if p, err := ip.Prefix(ai.PrefixLen); err == nil {
					return p
				}
			}
		}
	}
	return netip.Prefix{}
}
