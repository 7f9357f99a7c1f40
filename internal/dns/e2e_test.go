package dns

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// e2eSetup gives one namespace both the sentry's and the upstream's
// address, on a veth pair (dummy links are not available everywhere).
const e2eSetup = `link set lo up
link add v0 type veth peer name v1
addr add 192.0.2.2/24 dev v0
addr add 198.51.100.53/24 dev v0
link set v0 up
link set v1 up
`

// e2eUpstream answers in documentation ranges, which stop-dns-rebind
// rejects too: allowed.test resolves only because it is in RebindOK, and
// that exemption covers its whole subtree. So the blocked private and
// metadata answers live under guarded.test, which is allowed, not exempt.
var e2eUpstream = map[string]string{
	"allowed.test":         "203.0.113.10",
	"www.allowed.test":     "203.0.113.11",
	"private.allowed.test": "10.1.2.3",
	"evil.test":            "203.0.113.66",
	"www.guarded.test":     "203.0.113.20",
	"private.guarded.test": "10.1.2.3",
	"meta.guarded.test":    "169.254.169.254",
}

var e2ePolicy = policy.Policy{
	SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist,
	AllowedDomains: []string{"allowed.test", "guarded.test"},
	RebindOK:       []string{"allowed.test"},
}

// TestDnsmasqEndToEnd runs the rendered allowlist in the real dnsmasq
// under the Supervisor, in a namespace of its own, against a stand-in upstream.
func TestDnsmasqEndToEnd(t *testing.T) {
	needRoot(t)
	ns := newTestNS(t, e2eSetup)
	up := &upstream{answers: e2eUpstream}
	serveUpstream(t, ns, upstreamIP.String(), up)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	if err := ns.do(func() error { return Ready(ctx, Backend.Addr()) }); err == nil {
		t.Fatal("Ready succeeded before dnsmasq was started")
	}
	pids, _ := startSupervised(t, ns, e2ePolicy)
	waitReady(t, ctx, ns)

	for _, proto := range []string{"udp", "tcp"} {
		t.Run("allowed/"+proto, func(t *testing.T) { checkAllowed(t, ns, proto) })
		t.Run("denied/"+proto, func(t *testing.T) { checkDenied(t, ns, up, proto) })
	}

	// A crash is repaired: kill dnsmasq, the supervisor starts a new one.
	killAndAwaitRestart(t, ctx, pids)
	waitReady(t, ctx, ns)
	checkAllowed(t, ns, "udp")
}

// TestDnsmasqCrashWithOpenTCPConnection: dnsmasq forks a child per TCP
// connection, and that child keeps the listening socket after dnsmasq is
// killed. dnsmasq runs in its own process group, and the supervisor ends
// the group before restarting, so a bottle holding a TCP connection open
// cannot keep the resolver down: the restart binds at once, with the
// client's connection still open.
func TestDnsmasqCrashWithOpenTCPConnection(t *testing.T) {
	needRoot(t)
	ns := newTestNS(t, e2eSetup)
	serveUpstream(t, ns, upstreamIP.String(), &upstream{answers: e2eUpstream})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	pids, log := startSupervised(t, ns, e2ePolicy)
	waitReady(t, ctx, ns)

	conn := holdTCPConnection(t, ns) // one answered query: the child exists
	defer conn.Close()
	killAndAwaitRestart(t, ctx, pids)
	waitReady(t, ctx, ns)
	checkAllowed(t, ns, "udp")
	if strings.Contains(log.String(), "cannot bind its listen address") {
		t.Errorf("a TCP child of the killed dnsmasq still held port 53; log:\n%s", log.String())
	}
}

// killAndAwaitRestart SIGKILLs the running dnsmasq and waits for the next start.
func killAndAwaitRestart(t *testing.T, ctx context.Context, pids <-chan int) {
	t.Helper()
	first := <-pids
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatalf("kill dnsmasq: %v", err)
	}
	select {
	case second := <-pids:
		if second == first {
			t.Fatalf("restarted with the same pid %d", first)
		}
	case <-ctx.Done():
		t.Fatal("dnsmasq was not restarted after SIGKILL")
	}
}

// holdTCPConnection opens a TCP connection to dnsmasq in ns, has one query
// answered on it, and leaves it open until the test ends.
func holdTCPConnection(t *testing.T, ns *testNS) *dns.Conn {
	t.Helper()
	c := &dns.Client{Net: "tcp", Timeout: 3 * time.Second}
	var conn *dns.Conn
	err := ns.do(func() (err error) {
		conn, err = c.Dial(Backend.String())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	m := new(dns.Msg).SetQuestion("allowed.test.", dns.TypeA)
	if _, _, err := c.ExchangeWithConn(m, conn); err != nil {
		t.Fatalf("query on the held connection: %v", err)
	}
	return conn
}

func checkAllowed(t *testing.T, ns *testNS, proto string) {
	t.Helper()
	for _, name := range []string{"allowed.test", "www.allowed.test"} {
		if got := addrs(queryA(t, ns, proto, name)); got != e2eUpstream[name] {
			t.Errorf("%s over %s: got %q, want the upstream's %s", name, proto, got, e2eUpstream[name])
		}
	}
	// RebindOK exempts the whole subtree, private answers included.
	if got := addrs(queryA(t, ns, proto, "private.allowed.test")); got != "10.1.2.3" {
		t.Errorf("private.allowed.test over %s: got %q, want 10.1.2.3 (RebindOK covers subdomains)", proto, got)
	}
}

func checkDenied(t *testing.T, ns *testNS, up *upstream, proto string) {
	t.Helper()
	if r := queryA(t, ns, proto, "evil.test"); r.Rcode != dns.RcodeNameError {
		t.Errorf("evil.test over %s: %s, want NXDOMAIN", proto, dns.RcodeToString[r.Rcode])
	}
	if n := up.count("evil.test"); n != 0 {
		t.Errorf("upstream was asked for evil.test %d times, want never", n)
	}
	for _, name := range []string{"www.guarded.test", "private.guarded.test", "meta.guarded.test"} {
		if got := addrs(queryA(t, ns, proto, name)); got != "" {
			t.Errorf("%s over %s: got %q, want no address (rebinding protection)", name, proto, got)
		}
		if up.count(name) == 0 { // else the allowlist, not rebinding, stopped it
			t.Errorf("%s was never forwarded upstream", name)
		}
	}
}

// startSupervised writes p's configuration and runs the Supervisor in ns
// until the test ends; it returns a channel of each dnsmasq pid and the log.
func startSupervised(t testing.TB, ns *testNS, p policy.Policy) (<-chan int, *safeBuffer) {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "dnsmasq.conf")
	if err := WriteConfig(conf, RenderDnsmasq(p, testLearnSet)); err != nil {
		t.Fatal(err)
	}
	var log safeBuffer
	pids := make(chan int, 64)
	s := &Supervisor{
		Starter: runner.InNetns{Name: ns.name, Inner: runner.Exec{}}, Runner: runner.Exec{}, ConfPath: conf, Log: &log,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second,
		OnStart: func(pid int) {
			select {
			case pids <- pid:
			default: // never block the supervisor on a slow test
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() { stopSupervised(t, cancel, done, &log) })
	return pids, &log
}

// stopSupervised ends the supervisor (and so dnsmasq) before the namespace
// goes, and shows dnsmasq's log when the test failed.
func stopSupervised(t testing.TB, cancel context.CancelFunc, done <-chan error, log *safeBuffer) {
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("supervisor: %v", err)
		}
	case <-time.After(2 * stopTimeout):
		t.Errorf("supervisor did not stop")
	}
	if t.Failed() {
		t.Logf("supervisor log:\n%s", log.String())
	}
}

func waitReady(t testing.TB, ctx context.Context, ns *testNS) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ns.do(func() error { return WaitReady(ctx, Backend.Addr(), 50*time.Millisecond) }); err != nil {
		t.Fatal(err)
	}
}

// queryA asks the sentry's dnsmasq for name's A records from inside ns.
func queryA(t *testing.T, ns *testNS, proto, name string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg).SetQuestion(dns.Fqdn(name), dns.TypeA)
	c := &dns.Client{Net: proto, Timeout: 3 * time.Second}
	var r *dns.Msg
	err := ns.do(func() (err error) {
		r, _, err = c.Exchange(m, Backend.String())
		return err
	})
	if err != nil {
		t.Fatalf("query %s over %s: %v", name, proto, err)
	}
	return r
}

// addrs lists the A records of r, comma-separated.
func addrs(r *dns.Msg) string {
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return strings.Join(out, ",")
}

// TestSupervisorRetriesRealBindFailure: the real dnsmasq's message for a
// listen address it cannot have (another socket holds loopback's port 53)
// is recognised, logged loudly, and retried.
func TestSupervisorRetriesRealBindFailure(t *testing.T) {
	needRoot(t)
	ns := newTestNS(t, "link set lo up\n")
	if err := ns.do(func() error {
		pc, err := net.ListenPacket("udp", Backend.String())
		if err == nil {
			t.Cleanup(func() { pc.Close() })
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "dnsmasq.conf")
	if err := WriteConfig(conf, RenderDnsmasq(goldenPolicies["allowlist"], testLearnSet)); err != nil {
		t.Fatal(err)
	}
	var log safeBuffer
	starts := 0
	s := &Supervisor{
		Starter: runner.InNetns{Name: ns.name, Inner: runner.Exec{}}, Runner: runner.Exec{}, ConfPath: conf, Log: &log,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 40 * time.Millisecond,
		OnStart: func(int) { starts++ },
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run = %v, want retries until the context ends", err)
	}
	loud := strings.Count(log.String(), "rbm: ERROR: dnsmasq cannot bind its listen address")
	if starts < 2 || loud < starts-1 {
		t.Errorf("%d starts, %d loud bind errors; log:\n%s", starts, loud, log.String())
	}
	if !strings.Contains(log.String(), "Address already in use") {
		t.Errorf("dnsmasq's own reason is missing from the log:\n%s", log.String())
	}
}
