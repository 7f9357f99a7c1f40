package verify

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// probeTimeout bounds every probe: long enough for a lab or a LAN, short
// enough that a battery of drops finishes quickly.
const probeTimeout = 1500 * time.Millisecond

func spec(s probe.Spec) probe.Spec {
	s.Timeout = probe.Duration(probeTimeout)
	return s
}

func hostPort(a netip.Addr, port uint16) string {
	return netip.AddrPortFrom(a, port).String()
}

func tcp(a netip.Addr, port uint16) probe.Spec {
	return spec(probe.Spec{Kind: probe.KindTCP, Target: hostPort(a, port)})
}

func udp(a netip.Addr, port uint16) probe.Spec {
	return spec(probe.Spec{Kind: probe.KindUDP, Target: hostPort(a, port)})
}

func icmp(a netip.Addr) probe.Spec {
	return spec(probe.Spec{Kind: probe.KindICMP, Target: a.String()})
}

func dnsQuery(server netip.Addr, port uint16, name string, overTCP bool) probe.Spec {
	return spec(probe.Spec{Kind: probe.KindDNS, Server: hostPort(server, port), Name: name, TCP: overTCP})
}

func transport(overTCP bool) string {
	if overTCP {
		return "TCP"
	}
	return "UDP"
}

func proto(overTCP bool) string {
	if overTCP {
		return "tcp"
	}
	return "udp"
}

func portStr(p uint16) string { return strconv.Itoa(int(p)) }
