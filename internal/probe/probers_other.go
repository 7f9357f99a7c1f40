//go:build !linux

package probe

import "context"

// probers: off Linux every kind fails the same way. The probes use Linux's
// sockets (IP_RECVERR, packet sockets, rtnetlink) and run inside the bottle,
// where rbm verify --moniker starts them.
var probers = map[Kind]func(context.Context, Spec) Result{}

func init() {
	for _, k := range []Kind{KindTCP, KindTCP6, KindUDP, KindDNS, KindResolveTCP, KindHTTP,
		KindHTTPS, KindICMP, KindRawSpoof, KindRawFrag, KindRawProto, KindRoute, KindSysctl,
		KindRawTCP, KindARPClaim, KindMACFlood, KindUDPFlood, KindDNSForge, KindTLSHello, KindHTTPRaw, KindTCPSilent} {
		probers[k] = notLinux
	}
}

func notLinux(context.Context, Spec) Result {
	return Result{Outcome: Error, Detail: "probes run on Linux only (inside the bottle: rbm verify --moniker)"}
}
