package podman_test

// TestPodmanPublishedEntry covers the one path the other Podman tests cannot:
// the entry port as Podman publishes it on the host,
//
//	host 127.0.0.1:WS -> netavark's port forward -> sentry (uplink) -> DNAT ->
//	bottle's service on RBRN_ENTRY_PORT_ENCLAVE, and the replies back;
//
// rootless, rootlessport's child dials WS inside the sentry's network
// namespace instead, and the sentry's nat output DNATs it (nat-entry-local).
//
// netavark publishes no port on an --internal network, so here the sentry's
// uplink is Podman's default network "podman", which is NOT internal: it has
// NAT to the machine's real network. The configuration therefore makes sure
// nothing can be sent out:
//
//   - RBRN_UPLINK_ACCESS_ENABLED=false: RBM-FORWARD allows no destination and
//     the nat table has no MASQUERADE toward the uplink, so every new packet
//     the bottle sends ends in a DROP (or a REJECT) inside the sentry.
//   - RBRN_UPLINK_DNS_ENABLED=false: dnsmasq does not run, the sentry has no
//     upstream, and RBM-EGRESS (OUTPUT) accepts only loopback and replies:
//     the sentry itself starts no connection either.
//   - RBRN_ENTRY_BIND_ADDRESS is left at its default, 127.0.0.1.
//
// So the only traffic is host -> sentry -> bottle and its replies. The test
// checks this on the resolved policy before starting anything and on the
// sentry's live ruleset once it runs, and the bottle's probes go to
// documentation addresses only (203.0.113.0/24), never to a real one.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

const (
	pubMoniker     = "rbmp"
	pubSubnet      = "10.242.79.0/24" // not rbmt's, not rbmf's 10.242.77/78, not 10.88.0.0/16
	pubSentryIP    = "10.242.79.2"
	pubBottleIP    = "10.242.79.3"
	pubEnclavePort = "8000"
	pubLine        = "rbm published entry: hello from the bottle"
)

func TestPodmanPublishedEntry(t *testing.T) {
	needPodman(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	if _, err := h.try("podman", "network", "exists", "podman"); err != nil {
		t.Skip("needs Podman's default network \"podman\"")
	}
	ws := freeHostPort(t)
	cfg := resolve(t,
		"RBRN_MONIKER="+pubMoniker, "RBRR_POD_SUBNET="+pubSubnet,
		"RBRR_SENTRY_IP="+pubSentryIP, "RBRR_BOTTLE_IP="+pubBottleIP,
		"RBRR_UPLINK_NETWORK=podman",
		"RBRR_SENTRY_IMAGE="+sentryImage, "RBRN_BOTTLE_IMAGE="+bottleImage,
		"RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION="+ws, "RBRN_ENTRY_PORT_ENCLAVE="+pubEnclavePort,
		"RBRN_UPLINK_ACCESS_ENABLED=false",
		"RBRN_UPLINK_DNS_ENABLED=false",
	)
	pubSafeConfig(t, cfg.Policy(), cfg.EntryBind)

	// A leftover of an interrupted run would fail the preflight; TestMain
	// does not watch this moniker, so the test checks it itself after Stop
	// (registered first, so it runs after startService's Stop).
	engine.Stop(ctx, podman.Runtime{}, runner.Exec{}, pubMoniker, io.Discard)
	t.Cleanup(func() { assertNothingLabelled(h.detached(), pubMoniker) })
	began := time.Now()
	s := startService(h, cfg)
	t.Logf("timing: start took %s", time.Since(began).Round(time.Millisecond))

	pubSafeSentry(s)
	startFixedLineService(s)

	// 1. The host reaches the bottle's service through the published port,
	// and the sentry's entry rules count it.
	addr := net.JoinHostPort("127.0.0.1", ws)
	before := s.counters()
	got, err := readLine(addr)
	d := s.counters().Delta(before)
	if err != nil || got != pubLine {
		t.Fatalf("%s: got %q, %v; want %q (counters that moved: %v)", addr, got, err, pubLine, d.Moved())
	}
	t.Logf("%s answered %q; counters that moved: %v", addr, got, d.Moved())
	for _, id := range entryCounters() {
		if d.Rules[id].Packets == 0 {
			t.Errorf("counter %s did not move", id)
		}
	}
	// The service saw the sentry's enclave address (the entry masquerade),
	// so the connection really crossed the sentry.
	peers := strings.Fields(s.podman("exec", s.names.Bottle, "cat", "/tmp/rbmp-peers"))
	if len(peers) == 0 || peers[len(peers)-1] != pubSentryIP {
		t.Errorf("peers seen by the bottle's service: %v, want the last one to be the sentry %s", peers, pubSentryIP)
	}

	// 2. The bind address keeps the service off the host's other addresses.
	others := hostIPv4s(t)
	if len(others) == 0 {
		t.Fatal("the host has no non-loopback IPv4 address to check")
	}
	for _, a := range others {
		target := net.JoinHostPort(a.String(), ws)
		got, err := readLine(target)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: got %q, %v; want connection refused (bind address %s)", target, got, err, cfg.EntryBind)
			continue
		}
		t.Logf("%s: refused, as it should be", target)
	}
	// Another container on the uplink network, dialing the sentry's own
	// uplink address, is not the host: with the port published on loopback
	// the entry is limited to the uplink's gateway, so it gets nowhere.
	up := s.podman("inspect", "--format", `{{(index .NetworkSettings.Networks "podman").IPAddress}}`, s.names.Sentry)
	out, _ := h.try("podman", "run", "--rm", "--pull", "never", "--network", "podman", "--cap-drop", "ALL",
		"--entrypoint", "/usr/local/bin/rbm", bottleImage, "probe", "tcp", "--timeout", "2s", net.JoinHostPort(up, ws))
	if strings.Contains(out, "connected") {
		t.Errorf("a neighbour container reached the bottle's service at %s:%s: %s", up, ws, out)
	}
	t.Logf("neighbour container -> %s:%s: %s", up, ws, strings.TrimSpace(out))

	// 3. From the bottle nothing gets out: documentation addresses only.
	before = s.counters()
	r := s.probe(
		tcp("203.0.113.9:443"),
		probe.Spec{Kind: probe.KindDNS, Server: "203.0.113.53", Name: "example.test", Timeout: probe.Duration(2 * time.Second)},
	)
	d = s.counters().Delta(before)
	for i, res := range r {
		t.Logf("bottle probe %d %s %s%s: %s %s", i, res.Spec.Kind, res.Spec.Target, res.Spec.Server, res.Outcome, res.Detail)
		if res.Outcome.OK() {
			t.Errorf("the bottle got out: %s %s%s %s", res.Spec.Kind, res.Spec.Target, res.Spec.Server, res.Outcome)
		}
	}
	t.Logf("counters that moved during the bottle's probes: %v", d.Moved())
	if d.Rules["rbm:fwd-drop"].Packets == 0 {
		t.Errorf("rbm:fwd-drop did not move for the bottle's TCP probe: %v", d.Moved())
	}
	if d.Rules["rbm:fwd-dns-reject-udp"].Packets == 0 {
		t.Errorf("rbm:fwd-dns-reject-udp did not move for the bottle's DNS probe: %v", d.Moved())
	}

	t0 := time.Now()
	s.stop()
	t.Logf("timing: stop took %s", time.Since(t0).Round(time.Millisecond))
}

// entryCounters are the rules a connection through the published port
// moves. Rootful, netavark DNATs it on the host and it reaches the sentry
// on its uplink; rootless, rootlessport's child joins the sentry's network
// namespace and dials one of the sentry's own addresses, so the sentry's
// nat output takes it.
func entryCounters() []string {
	if rootless {
		return []string{"rbm:nat-entry-local", "rbm:out-entry", "rbm:nat-entry-masq"}
	}
	return []string{"rbm:nat-entry", "rbm:fwd-entry", "rbm:nat-entry-masq"}
}

// pubSafeConfig refuses to start anything unless the resolved policy can
// send nothing out: no egress, no DNS, entry bound to loopback.
func pubSafeConfig(t *testing.T, p policy.Policy, bind netip.Addr) {
	t.Helper()
	if p.Egress != policy.EgressNone || p.DNS != policy.DNSOff || p.Entry == nil || bind != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("unsafe configuration for a non-internal uplink: egress=%s dns=%s entry=%v bind=%s", p.Egress, p.DNS, p.Entry, bind)
	}
	for _, id := range iptables.RuleIDs(p) {
		if strings.HasPrefix(id, "rbm:fwd-allow") || strings.HasPrefix(id, "rbm:out-dns") || id == "rbm:nat-masq" {
			t.Fatalf("the ruleset would let traffic out (%s)", id)
		}
	}
}

// pubSafeSentry checks the running sentry: the same rules as rendered (none
// letting anything out) and no dnsmasq.
func pubSafeSentry(s *service) {
	s.t.Helper()
	snap := s.counters()
	for id := range snap.Rules {
		if strings.HasPrefix(id, "rbm:fwd-allow") || strings.HasPrefix(id, "rbm:out-dns") || id == "rbm:nat-masq" {
			s.t.Fatalf("the sentry's live ruleset lets traffic out (%s)", id)
		}
	}
	for _, id := range []string{"rbm:fwd-drop", "rbm:out-drop", "rbm:nat-entry", "rbm:fwd-entry", "rbm:nat-entry-local", "rbm:out-entry"} {
		if _, ok := snap.Rules[id]; !ok {
			s.t.Fatalf("the sentry's live ruleset lacks %s", id)
		}
	}
	if top := s.podman("top", s.names.Sentry, "args"); strings.Contains(top, "dnsmasq") {
		s.t.Fatalf("dnsmasq runs in the sentry although DNS is off:\n%s", top)
	}
}

// startFixedLineService runs, as the bottle (its user, no capabilities), a
// perl server on the enclave port that writes one fixed line to each client
// and records the client's address; alarm bounds its life. Plan gives the
// bottle no command of its own, so it is started with podman exec -d. It
// waits until the service accepts connections from inside the bottle, so
// that the first connection through the sentry is the one measured.
func startFixedLineService(s *service) {
	s.t.Helper()
	const prog = `open(STDERR, ">", "/tmp/rbmp-service.err"); alarm 600;
my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1], Proto => "tcp", Listen => 8, ReuseAddr => 1)
  or die "listen: $!\n";
while (my $c = $s->accept) {
  if (open(my $l, ">>", "/tmp/rbmp-peers")) { print $l $c->peerhost, "\n"; close $l }
  print $c "$ARGV[2]\n"; close $c;
}`
	s.podman("exec", "-d", s.names.Bottle, "perl", "-MIO::Socket::INET", "-e", prog, pubBottleIP, pubEnclavePort, pubLine)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := s.try("podman", "exec", s.names.Bottle, "rbm", "probe", "tcp", "--timeout", "1s", net.JoinHostPort(pubBottleIP, pubEnclavePort)); err == nil {
			return
		}
		if time.Now().After(deadline) {
			errs, _ := s.try("podman", "exec", s.names.Bottle, "cat", "/tmp/rbmp-service.err")
			s.t.Fatalf("the bottle's service did not listen on %s:%s: %s", pubBottleIP, pubEnclavePort, errs)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
