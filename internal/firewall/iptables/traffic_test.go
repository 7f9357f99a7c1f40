package iptables_test

import (
	"context"
	"errors"
	"github.com/recipe-bottle/rbm/internal/golden"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// probe is one connection attempt and what it must do to the counters.
type probe struct {
	name  string
	run   func() (string, error)
	want  string   // the banner that must answer, or "timeout" / "refused"
	moved []string // ids whose packet counters must increase
	still []string // ids whose packet counters must not
}

// TestTrafficThroughSentry loads the allowlist ruleset into a real sentry
// namespace and proves, packet by packet and counter by counter, what gets
// through, for both interception modes and both iptables backends.
func TestTrafficThroughSentry(t *testing.T) {
	needRoot(t, "iptables-restore", "ip6tables-restore", "ipset", "sysctl")
	backends := map[string]func(nsRunner) runner.Runner{
		"nf_tables": func(n nsRunner) runner.Runner { return n },
		"legacy":    func(n nsRunner) runner.Runner { return legacyRunner{n} },
	}
	for name, wrap := range backends {
		for _, ic := range []policy.Intercept{policy.InterceptReject, policy.InterceptRedirect} {
			t.Run(name+"/"+string(ic), func(t *testing.T) {
				if _, err := exec.LookPath("iptables-legacy-restore"); name == "legacy" && err != nil {
					t.Skip("needs iptables-legacy-restore")
				}
				t.Parallel()
				runScenario(t, name, wrap, ic)
			})
		}
	}
}

func runScenario(t *testing.T, backend string, wrap func(nsRunner) runner.Runner, ic policy.Intercept) {
	tr := newTrio(t)
	fw := wrap(tr.sentry)
	ctx := context.Background()
	if _, err := iptables.CheckBackends(ctx, fw); err != nil {
		t.Fatal(err)
	}
	if err := (iptables.Firewall{Runner: fw}).Apply(ctx, (iptables.Firewall{}).Render(trafficPolicy(ic), trafficIfs)); err != nil {
		t.Fatal(err)
	}
	serveTCP(t, tr.wan, ":8080", "wan")
	wanDNS := serveTCP(t, tr.wan, ":53", "wan")
	// Bound to each address: a wildcard UDP socket would answer from the
	// link's primary address, which conntrack rightly does not match.
	serveUDP(t, tr.wan, "198.51.100.53:53", "wan")
	serveUDP(t, tr.wan, "198.51.100.99:53", "wan")
	serveTCP(t, tr.sentry, "192.0.2.2:53", "sentry") // stands in for dnsmasq
	serveUDP(t, tr.sentry, "192.0.2.2:53", "sentry")
	entryPeers := serveTCP(t, tr.bottle, ":8000", "bottle")

	probes := append(commonProbes(tr), dnsProbes(tr, ic)...)
	for _, p := range probes {
		runProbe(t, fw, p)
	}
	if ic == policy.InterceptRedirect && len(wanDNS) > 0 {
		t.Errorf("a port-53 connection reached the wan in redirect mode, from %s", <-wanDNS)
	}
	for range 3 { // from the wan, then from the sentry's two addresses
		if peer := <-entryPeers; peer != "192.0.2.2" {
			t.Errorf("entry connection reached the bottle from %s, want the sentry 192.0.2.2 (masquerade)", peer)
		}
	}
	captureSave(t, fw, backend, ic)
}

// commonProbes hold in both interception modes.
func commonProbes(tr trio) []probe {
	bottle := func(addr, local string) func() (string, error) {
		return func() (string, error) { return dialTCP(tr.bottle, addr, local) }
	}
	sentry := func(addr string) func() (string, error) {
		return func() (string, error) { return dialTCP(tr.sentry, addr, "") }
	}
	allow24, allow32 := "rbm:fwd-allow-203.0.113.0/24", "rbm:fwd-allow-198.51.100.80/32"
	return []probe{
		{"allowed CIDR", bottle("203.0.113.10:8080", ""), "wan", []string{allow24, "rbm:nat-masq"}, []string{"rbm:fwd-drop"}},
		{"allowed host", bottle("198.51.100.80:8080", ""), "wan", []string{allow32}, []string{"rbm:fwd-drop", allow24}},
		{"forbidden host", bottle("198.51.100.99:8080", ""), "timeout", []string{"rbm:fwd-drop"}, []string{allow24, allow32}},
		{"spoofed source", bottle("203.0.113.10:8080", "192.0.2.50"), "timeout", []string{"rbm:fwd-spoof"}, []string{allow24}},
		{"cloud metadata", bottle("169.254.169.254:80", ""), "timeout", []string{"rbm:fwd-linklocal"}, []string{"rbm:fwd-drop"}},
		{"sentry port 22", bottle("192.0.2.2:22", ""), "timeout", []string{"rbm:in-enclave-drop"}, nil},
		{"entry port from wan", func() (string, error) { return dialTCP(tr.wan, "198.51.100.1:8443", "") }, "bottle",
			[]string{"rbm:nat-entry", "rbm:fwd-entry", "rbm:nat-entry-masq"}, []string{"rbm:fwd-drop-other", "rbm:nat-entry-local"}},
		// Rootless Podman's port forward dials the entry port from inside
		// the sentry, at whichever of the sentry's addresses it picked.
		{"entry port from the sentry, uplink address", sentry("198.51.100.1:8443"), "bottle",
			[]string{"rbm:nat-entry-local", "rbm:out-entry", "rbm:nat-entry-masq"}, []string{"rbm:nat-entry", "rbm:out-drop"}},
		{"entry port from the sentry, enclave address", sentry("192.0.2.2:8443"), "bottle",
			[]string{"rbm:nat-entry-local", "rbm:out-entry", "rbm:nat-entry-masq"}, []string{"rbm:nat-entry", "rbm:out-drop"}},
		// What that path must not open: the bottle dialling the entry
		// port at either sentry address, the sentry reaching the bottle
		// without the DNAT.
		{"entry port by the bottle, uplink address", bottle("198.51.100.1:8443", ""), "timeout",
			[]string{"rbm:in-enclave-drop"}, []string{"rbm:nat-entry-local", "rbm:nat-entry", "rbm:out-entry"}},
		{"entry port by the bottle, enclave address", bottle("192.0.2.2:8443", ""), "timeout",
			[]string{"rbm:in-enclave-drop"}, []string{"rbm:nat-entry-local", "rbm:nat-entry", "rbm:out-entry"}},
		{"sentry to the bottle's service", sentry("192.0.2.3:8000"), "timeout",
			[]string{"rbm:out-drop"}, []string{"rbm:out-entry"}},
		{"DNS to the sentry", func() (string, error) { return askUDP(tr.bottle, "192.0.2.2:53") }, "sentry",
			[]string{"rbm:in-dns-udp"}, []string{"rbm:in-enclave-drop"}},
		{"sentry to wan", func() (string, error) { return dialTCP(tr.sentry, "198.51.100.99:8080", "") }, "timeout",
			[]string{"rbm:out-drop"}, nil},
		{"sentry to upstream DNS", func() (string, error) { return askUDP(tr.sentry, "198.51.100.53:53") }, "wan",
			[]string{"rbm:out-dns-udp"}, []string{"rbm:out-drop"}},
	}
}

// dnsProbes send the bottle's DNS to a foreign resolver: rejected at once,
// or answered by the sentry, depending on the mode.
func dnsProbes(tr trio, ic policy.Intercept) []probe {
	tcp := func() (string, error) { return dialTCP(tr.bottle, "198.51.100.99:53", "") }
	udp := func() (string, error) { return askUDP(tr.bottle, "198.51.100.99:53") }
	if ic == policy.InterceptReject {
		// The RST and ICMP error REJECT sends cross the sentry's OUTPUT
		// chain; conntrack marks them RELATED (checked: both RST and ICMP), so
		// out-established lets them out and no extra OUTPUT rule is needed.
		return []probe{
			{"foreign DNS over TCP", tcp, "refused", []string{"rbm:fwd-dns-reject-tcp", "rbm:out-established"}, []string{"rbm:out-drop"}},
			{"foreign DNS over UDP", udp, "refused", []string{"rbm:fwd-dns-reject-udp", "rbm:out-established"}, []string{"rbm:out-drop"}},
		}
	}
	return []probe{
		{"foreign DNS over TCP", tcp, "sentry", []string{"rbm:nat-dns-tcp", "rbm:in-dns-tcp"}, []string{"rbm:fwd-dns-reject-tcp"}},
		{"foreign DNS over UDP", udp, "sentry", []string{"rbm:nat-dns-udp", "rbm:in-dns-udp"}, []string{"rbm:fwd-dns-reject-udp"}},
	}
}

// runProbe runs p between two counter snapshots and checks outcome and deltas.
func runProbe(t *testing.T, fw runner.Runner, p probe) {
	t.Helper()
	ctx := context.Background()
	before, err := (iptables.Firewall{Runner: fw}).Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	banner, perr := p.run()
	took := time.Since(start)
	after, err := (iptables.Firewall{Runner: fw}).Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := after.Delta(before)
	t.Logf("%s: banner %q err %v in %v; moved %v", p.name, banner, perr, took.Round(time.Millisecond), d.Moved())
	if msg := outcome(p.want, banner, perr, took); msg != "" {
		t.Errorf("%s: %s", p.name, msg)
	}
	for _, id := range p.moved {
		if d.Rules[id].Packets == 0 {
			t.Errorf("%s: counter %s did not move (moved: %v)", p.name, id, d.Moved())
		}
	}
	for _, id := range p.still {
		if d.Rules[id].Packets != 0 {
			t.Errorf("%s: counter %s moved", p.name, id)
		}
	}
}

// outcome describes how the result differs from want, or returns "".
func outcome(want, banner string, err error, took time.Duration) string {
	switch want {
	case "timeout":
		if !isTimeout(err) {
			return "want a timeout (dropped), got banner " + banner + " err " + errString(err)
		}
	case "refused":
		if !errors.Is(err, syscall.ECONNREFUSED) || took > probeTimeout/2 {
			return "want a fast refusal, got err " + errString(err) + " after " + took.String()
		}
	default:
		if err != nil || banner != want {
			return "want banner " + want + ", got " + banner + " err " + errString(err)
		}
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// captureSave writes the sentry's real "iptables-save -c" output to testdata
// under -update, for ParseSave's unit tests; only the reject mode is kept.
func captureSave(t *testing.T, fw runner.Runner, backend string, ic policy.Intercept) {
	if !golden.Updating() || ic != policy.InterceptReject {
		return
	}
	out, err := fw.Run(context.Background(), runner.Cmd{Name: "iptables-save", Args: []string{"-c"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/save-"+backend+"-reject.txt", out, 0o644); err != nil {
		t.Fatal(err)
	}
}
