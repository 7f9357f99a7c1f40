package probe

import "context"

// probers maps each kind to the function that runs it under a deadline.
var probers = map[Kind]func(context.Context, Spec) Result{
	KindTCP:        func(ctx context.Context, s Spec) Result { return dialTCP(ctx, "tcp", s) },
	KindTCP6:       func(ctx context.Context, s Spec) Result { return dialTCP(ctx, "tcp6", s) },
	KindUDP:        probeUDP,
	KindDNS:        probeDNS,
	KindResolveTCP: resolveTCP,
	KindHTTP:       probeHTTP,
	KindHTTPS:      probeHTTP,
	KindICMP:       probeICMP,
	KindRawSpoof:   probeRawSpoof,
	KindRawFrag:    probeRawFrag,
	KindRawProto:   probeRawProto,
	KindRoute:      probeRoute,
	KindSysctl:     probeSysctl,
	KindRawTCP:     probeRawTCP,
	KindARPClaim:   probeARPClaim,
	KindMACFlood:   probeMACFlood,
	KindUDPFlood:   probeUDPFlood,
	KindDNSForge:   probeDNSForge,
	KindTLSHello:   probeTLSHello,
	KindHTTPRaw:    probeHTTPRaw,
}
