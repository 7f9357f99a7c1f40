package engine

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
)

// Container is what rbm reads of one inspected container.
type Container struct {
	Name      string
	Infra     bool // Podman: the pod's infra container
	State     string
	ExitCode  int
	Health    string                  // the health check's status, if any
	LastCheck string                  // the last health check's output
	Networks  map[string]netip.Prefix // network name -> IPv4 address with the network's prefix length
}

// inspected is the shape Podman's `container inspect --format json` and
// Docker's `container inspect` share.
type inspected struct {
	Name    string `json:"Name"`
	IsInfra bool   `json:"IsInfra"`
	State   struct {
		Status   string `json:"Status"`
		ExitCode int    `json:"ExitCode"`
		Health   *struct {
			Status string `json:"Status"`
			Log    []struct {
				Output string `json:"Output"`
			} `json:"Log"`
		} `json:"Health"`
	} `json:"State"`
	NetworkSettings struct {
		Networks map[string]struct {
			IPAddress   string `json:"IPAddress"`
			IPPrefixLen int    `json:"IPPrefixLen"`
		} `json:"Networks"`
	} `json:"NetworkSettings"`
}

// ParseInspect reads the JSON array a Runtime's Inspect command prints.
func ParseInspect(out []byte) ([]Container, error) {
	var all []inspected
	if err := json.Unmarshal(out, &all); err != nil {
		return nil, fmt.Errorf("parse container inspect: %w", err)
	}
	cs := make([]Container, 0, len(all))
	for _, c := range all {
		x := Container{Name: strings.TrimPrefix(c.Name, "/"), Infra: c.IsInfra, State: c.State.Status,
			ExitCode: c.State.ExitCode, Networks: map[string]netip.Prefix{}}
		if h := c.State.Health; h != nil {
			x.Health = h.Status
			if len(h.Log) > 0 {
				x.LastCheck = strings.TrimSpace(h.Log[len(h.Log)-1].Output)
			}
		}
		for name, s := range c.NetworkSettings.Networks {
			if a, err := netip.ParseAddr(s.IPAddress); err == nil {
				x.Networks[name] = netip.PrefixFrom(a, s.IPPrefixLen)
			}
		}
		cs = append(cs, x)
	}
	return cs, nil
}
