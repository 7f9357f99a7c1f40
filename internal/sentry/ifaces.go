package sentry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

type ipAddr struct {
	IfName   string `json:"ifname"`
	AddrInfo []struct {
		Family string `json:"family"`
		Local  string `json:"local"`
	} `json:"addr_info"`
}

type ipRoute struct {
	Dev string `json:"dev"`
}

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
	up, err := uplink(ctx, r, ifs.Enclave, others)
	ifs.Uplink = up
	return ifs, err
}

func uplink(ctx context.Context, r runner.Runner, enclave string, candidates []string) (string, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"-j", "-4", "route", "show", "default"}})
	if err != nil {
		return "", fmt.Errorf("list default routes: %w", err)
	}
	var routes []ipRoute
	if err := json.Unmarshal(out, &routes); err != nil {
		return "", fmt.Errorf("parse `ip -j route`: %w", err)
	}
	for _, rt := range routes {
		if rt.Dev != "" && rt.Dev != enclave {
			return rt.Dev, nil
		}
	}
	var rest []string
	for _, c := range candidates {
		if c != enclave {
			rest = append(rest, c)
		}
	}
	if len(rest) != 1 {
		return "", fmt.Errorf("cannot tell the uplink interface: no default route and %d other interfaces (%s)", len(rest), strings.Join(rest, ", "))
	}
	return rest[0], nil
}
