package lab_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2EEscapes tries the bottle's other ways out: IPv6, the sentry's own
// ports on both its addresses (only DNS is open), and packets with a forged
// source sent with NET_RAW (root in the bottle's namespace), which the
// sentry must drop before they reach anything.
func TestE2EEscapes(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "")
	a, p := tl.info.Addresses, tl.info.Policy

	// IPv6: the bottle has none, so the kernel refuses at once (today
	// "cannot assign requested address", which the probe calls an error),
	// and the sentry would drop it anyway.
	for _, target := range []string{"[2001:db8::10]:443", "[2001:db8::10]:22"} {
		r := tl.probes(t, false, probe.Spec{Kind: probe.KindTCP6, Target: target, Timeout: probe.Duration(dropTimeout)})[0]
		wantBlocked(t, r, "")
		if r.Outcome == probe.Timeout {
			t.Errorf("%s; want a local failure: the bottle must have no IPv6 at all", describe(r))
		}
	}

	// The sentry's ports. DNS is the one open port: the control that the
	// scan can see an open port at all.
	r, d := tl.try(t, tcpSpec(netip.AddrPortFrom(p.SentryIP, 53).String(), passTimeout))
	wantConnected(t, r)
	wantMoved(t, d, describe(r), "in-dns-tcp")
	ports := []uint16{22, 80, 8080, p.Entry.WorkstationPort, p.Entry.EnclavePort}
	var scan []probe.Spec
	for _, addr := range []netip.Addr{p.SentryIP, a.SentryUplink} {
		for _, port := range ports {
			scan = append(scan, tcpSpec(netip.AddrPortFrom(addr, port).String(), dropTimeout))
		}
	}
	before := tl.counters(t)
	for _, r := range tl.probes(t, false, scan...) {
		wantBlocked(t, r, probe.Timeout)
	}
	d = tl.counters(t).Delta(before)
	if n := d.Rules["rbm:in-enclave-drop"].Packets; n < uint64(len(scan)) {
		t.Errorf("rbm:in-enclave-drop counted %d packets for %d connection attempts to the sentry (moved: %v)", n, len(scan), d.Moved())
	}
	wantNotMoved(t, d, "port scan of the sentry", "nat-entry", "fwd-entry")

	// Forged sources, as root in the bottle's namespace. The target is the
	// allowed server's UDP echo, so a forged packet that crossed the sentry
	// would be counted by its source there (nothing masquerades it).
	echo := netip.AddrPortFrom(a.Allowed, 8443).String()
	echoKey := "udp " + echo
	forged := []string{"10.242.0.77", "192.0.2.200"} // in the enclave, and outside it
	base := tl.stats(t)
	for _, src := range forged {
		before := tl.counters(t)
		r := tl.probes(t, true, probe.Spec{Kind: probe.KindRawSpoof, Target: echo, Source: src, Timeout: probe.Duration(dropTimeout)})[0]
		if r.Outcome != probe.Sent {
			t.Fatalf("%s; want sent (the probe runs as root)", describe(r))
		}
		wantMoved(t, tl.counters(t).Delta(before), "forged source "+src, "fwd-spoof")
	}
	// Control: the same raw packet from the bottle's real address crosses
	// the sentry and reaches the echo (masqueraded to the uplink address).
	before = tl.counters(t)
	r = tl.probes(t, true, probe.Spec{Kind: probe.KindRawSpoof, Target: echo, Source: p.BottleIP.String(), Timeout: probe.Duration(dropTimeout)})[0]
	if r.Outcome != probe.Sent {
		t.Fatalf("%s; want sent", describe(r))
	}
	wantMoved(t, tl.counters(t).Delta(before), "raw packet from the bottle's own address", "fwd-allow-"+p.AllowedCIDRs[0].String())
	after := tl.stats(t)
	for deadline := time.Now().Add(2 * time.Second); after.Echo[echoKey] == base.Echo[echoKey] && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		after = tl.stats(t)
	}
	if n := after.Echo[echoKey] - base.Echo[echoKey]; n != 1 {
		t.Errorf("the echo at %s got %d datagrams, want exactly 1 (the control from the bottle's address)", echo, n)
	}
	if n := after.EchoSources[a.SentryUplink.String()] - base.EchoSources[a.SentryUplink.String()]; n != 1 {
		t.Errorf("the echo saw %d datagrams from the sentry's uplink address, want 1 (sources %v)", n, after.EchoSources)
	}
	for _, src := range append(forged, p.BottleIP.String()) {
		if n := after.EchoSources[src]; n != 0 {
			t.Errorf("the stand-in saw %d packets from %s: a forged or unmasqueraded source crossed the sentry", n, src)
		}
	}
}
