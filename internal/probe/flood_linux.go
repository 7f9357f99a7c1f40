package probe

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"

	"github.com/miekg/dns"
)

// probeUDPFlood opens n UDP flows to s.Target, one datagram each from a
// fresh socket (so a fresh source port): n conntrack entries on every
// stateful hop that lets them through.
func probeUDPFlood(ctx context.Context, s Spec) Result {
	n, err := count(s, 2000)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}
	}
	sent := 0
	for ; sent < n && ctx.Err() == nil; sent++ {
		c, err := (&net.Dialer{}).DialContext(ctx, "udp", s.Target)
		if err != nil {
			return failed(err)
		}
		_, err = c.Write(payload(s.Payload, 8))
		c.Close()
		if err != nil {
			break // a refusal from an earlier flow's ICMP error: keep the count
		}
	}
	return Result{Outcome: Sent, Detail: fmt.Sprintf("%d UDP flows to %s", sent, s.Target)}
}

// probeDNSForge sends n forged responses for s.Name to the resolver at
// s.Server, from this namespace's own address: query ids from a random
// start, each answering with s.Source. A resolver that took one would hand
// it out on the next query.
func probeDNSForge(ctx context.Context, s Spec) Result {
	n, err := count(s, 1000)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}
	}
	forged, err := netip.ParseAddr(s.Source)
	if err != nil || !forged.Is4() || s.Name == "" {
		return Result{Outcome: Error, Detail: fmt.Sprintf("dns-forge probe: want a name and an IPv4 source to answer with, got %q %q", s.Name, s.Source)}
	}
	c, err := (&net.Dialer{}).DialContext(ctx, "udp", withPort(s.Server, "53"))
	if err != nil {
		return failed(err)
	}
	defer c.Close()
	m := new(dns.Msg).SetQuestion(dns.Fqdn(s.Name), dns.TypeA)
	m.Response, m.Authoritative, m.RecursionAvailable = true, true, true
	m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: dns.Fqdn(s.Name), Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 3600}, A: forged.AsSlice()}}
	id := uint16(rand.UintN(1 << 16))
	sent := 0
	for ; sent < n && ctx.Err() == nil; sent++ {
		m.Id = id + uint16(sent)
		b, err := m.Pack()
		if err != nil {
			return Result{Outcome: Error, Detail: err.Error()}
		}
		if _, err := c.Write(b); err != nil {
			break // ICMP errors for earlier datagrams: the rest still count
		}
	}
	return Result{Outcome: Sent, Detail: fmt.Sprintf("%d forged answers %s -> %s to %s", sent, s.Name, forged, s.Server)}
}

// randomMAC is a locally administered unicast address.
func randomMAC() net.HardwareAddr {
	m := make(net.HardwareAddr, 6)
	_, _ = crand.Read(m)
	m[0] = m[0]&^1 | 2
	return m
}
