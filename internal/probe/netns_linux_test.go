package probe

import (
	"net"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe/nstest"
)

// These tests run in a throwaway namespace (root only, see nstest). Its
// routes send documentation ranges nowhere: no packet leaves it.

func TestRoutesDenyOrUnreach(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{Setup: [][]string{
		{"ip", "route", "add", "prohibit", "192.0.2.0/24"},
		{"ip", "route", "add", "unreachable", "203.0.113.0/24"},
	}}) {
		return
	}
	for _, c := range []struct {
		spec Spec
		want Outcome
	}{
		{Spec{Kind: KindTCP, Target: "192.0.2.1:80"}, Denied},
		{Spec{Kind: KindUDP, Target: "192.0.2.1:53"}, Denied},
		{Spec{Kind: KindDNS, Server: "192.0.2.1", Name: "web.test"}, Denied},
		{Spec{Kind: KindICMP, Target: "192.0.2.1"}, Denied},
		{Spec{Kind: KindTCP, Target: "203.0.113.1:80"}, Unreachable},
		{Spec{Kind: KindUDP, Target: "203.0.113.1:443"}, Unreachable},
		{Spec{Kind: KindHTTPS, URL: "https://203.0.113.1/"}, Unreachable},
		{Spec{Kind: KindTCP6, Target: "[2001:db8::1]:80"}, Unreachable},
	} {
		want(t, run(t, c.spec), c.want)
	}
}

func TestRawProbesAsRoot(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{}) {
		return
	}
	want(t, run(t, Spec{Kind: KindRawFrag, Target: tcpListener(t)}), Connected)
	want(t, run(t, Spec{Kind: KindRawFrag, Target: closedPort(t, "tcp")}), Refused)
	// The namespace's ping_group_range excludes everyone: root pings raw.
	want(t, run(t, Spec{Kind: KindICMP, Target: "127.0.0.1", Payload: 200}), Answered)

	addr, from := udpServer(t, false)
	want(t, run(t, Spec{Kind: KindRawSpoof, Target: addr, Source: "192.0.2.7"}), Sent)
	select {
	case a := <-from:
		if ip := a.(*net.UDPAddr).IP.String(); ip != "192.0.2.7" {
			t.Errorf("spoofed datagram arrived from %s, want 192.0.2.7", ip)
		}
	case <-time.After(time.Second):
		t.Error("spoofed datagram never arrived")
	}
}

// TestPeerHost probes a second namespace standing for a host on the link.
func TestPeerHost(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{Peer: true}) {
		return
	}
	peer := nstest.PeerAddr
	for _, c := range []struct {
		spec Spec
		want Outcome
	}{
		{Spec{Kind: KindTCP, Target: peer + ":80"}, Refused},
		{Spec{Kind: KindICMP, Target: peer}, Answered},
		{Spec{Kind: KindRawFrag, Target: peer + ":80"}, Refused},
		{Spec{Kind: KindRawProto, Target: peer, Proto: 253}, Refused}, // protocol unreachable
		{Spec{Kind: KindRawProto, Target: peer}, Refused},             // GRE, no tunnel there
	} {
		want(t, run(t, c.spec), c.want)
	}
}

// TestRouterUnreachable puts a router in the peer namespace that answers
// with ICMP errors: probes must report them, not wait for a timeout. A
// router sends at most 5 such errors in a burst to one source, then one a
// second (net.ipv4.route.error_burst, host-wide), hence no more cases than
// that here; the ICMP rate limit proper, which would halve that by drawing
// on the same tokens, is turned off in the router (icmp_ratemask, per
// namespace).
func TestRouterUnreachable(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{
		Peer: true,
		PeerSetup: [][]string{
			{"sysctl", "-qw", "net.ipv4.ip_forward=1"},
			{"sysctl", "-qw", "net.ipv4.icmp_ratemask=0"},
			{"ip", "route", "add", "prohibit", "192.0.2.0/24"},
			{"ip", "route", "add", "unreachable", "203.0.113.0/24"},
		},
		Setup: [][]string{
			{"ip", "route", "add", "192.0.2.0/24", "via", nstest.PeerAddr},
			{"ip", "route", "add", "203.0.113.0/24", "via", nstest.PeerAddr},
		},
	}) {
		return
	}
	for _, s := range []Spec{
		{Kind: KindTCP, Target: "192.0.2.5:80"}, // admin prohibited
		{Kind: KindTCP, Target: "203.0.113.5:80"},
		{Kind: KindUDP, Target: "203.0.113.5:443"}, // needs IP_RECVERR
		{Kind: KindICMP, Target: "203.0.113.5"},
		{Kind: KindRawFrag, Target: "203.0.113.5:443"},
	} {
		want(t, run(t, s), Unreachable)
	}
}

func TestUnprivilegedIsDenied(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{Unprivileged: true}) {
		return
	}
	// The child does run, as the bottle would: plain sockets work.
	want(t, run(t, Spec{Kind: KindTCP, Target: tcpListener(t)}), Connected)
	for _, s := range []Spec{
		{Kind: KindRawFrag, Target: "127.0.0.1:80"},
		{Kind: KindRawProto, Target: "127.0.0.1"},
		{Kind: KindRawSpoof, Target: "127.0.0.1:53", Source: "192.0.2.7"},
		{Kind: KindICMP, Target: "127.0.0.1"},
	} {
		want(t, run(t, s), Denied)
	}
}

func TestUnprivilegedPing(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{Unprivileged: true, Setup: [][]string{
		{"sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"},
	}}) {
		return
	}
	want(t, run(t, Spec{Kind: KindICMP, Target: "127.0.0.1"}), Answered)
}
