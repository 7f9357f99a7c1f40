package bench

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

const (
	server  = "203.0.113.10:8080" // on the wan namespace's loopback
	round   = 500 * time.Millisecond
	rounds  = 5
	bigSize = 10000
)

var ifs = firewall.Interfaces{Enclave: "benc", Uplink: "bup", UplinkPrefix: netip.MustParsePrefix("198.51.100.252/30")}

// benchPolicy allows the server by CIDR (extra: n-1 more CIDRs before it)
// or, when learned, by nothing but the learned set.
func benchPolicy(n int, learned bool) policy.Policy {
	p := policy.Policy{
		SentryIP: netip.MustParseAddr("10.99.0.2"), BottleIP: netip.MustParseAddr("10.99.0.3"),
		Subnet: netip.MustParsePrefix("10.99.0.0/24"), Egress: policy.EgressAllowlist,
		DNS: policy.DNSAllowlist, AllowedDomains: []string{"bench.test"}, Upstream: netip.MustParseAddr("198.51.100.253"),
		Intercept: policy.InterceptRedirect,
		Learn:     policy.Learn{Enabled: true, Lifetime: time.Hour, Max: 65536},
	}
	if !learned {
		for i := range n - 1 { // content only: no packet goes to them
			p.AllowedCIDRs = append(p.AllowedCIDRs, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24))
		}
		p.AllowedCIDRs = append(p.AllowedCIDRs, netip.MustParsePrefix("203.0.113.0/24"))
	}
	return p
}

// learnDoc fills the learned set with n addresses, the server's among them.
func learnDoc(backend string, n int) runner.Cmd {
	addrs := []string{"203.0.113.10"}
	for i := range n - 1 {
		addrs = append(addrs, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if backend == "nftables" {
		return runner.Cmd{Name: "nft", Args: []string{"-f", "-"}, Stdin: "add element inet rbm learn4 { " + strings.Join(addrs, ", ") + " }\n"}
	}
	var b strings.Builder
	for _, a := range addrs {
		fmt.Fprintf(&b, "add rbm-learn4 %s -exist\n", a)
	}
	return runner.Cmd{Name: "ipset", Args: []string{"restore"}, Stdin: b.String()}
}

type world struct{ bottle, sentry, wan string }

func must(b *testing.B, args ...string) {
	b.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		b.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// newWorld builds bottle -- sentry -- wan from veth pairs that never touch
// the host's namespace, and serves TCP on the wan's server address.
func newWorld(b *testing.B) world {
	w := world{testns.New(b, "rbmbench-b"), testns.New(b, "rbmbench-s"), testns.New(b, "rbmbench-w")}
	must(b, "ip", "link", "add", "benc", "netns", w.sentry, "type", "veth", "peer", "name", "eth0", "netns", w.bottle)
	must(b, "ip", "link", "add", "bup", "netns", w.sentry, "type", "veth", "peer", "name", "eth0", "netns", w.wan)
	for _, c := range [][]string{
		{w.bottle, "ip", "addr", "add", "10.99.0.3/24", "dev", "eth0"}, {w.bottle, "ip", "link", "set", "eth0", "up"},
		{w.bottle, "ip", "route", "add", "default", "via", "10.99.0.2"},
		{w.sentry, "ip", "addr", "add", "10.99.0.2/24", "dev", "benc"}, {w.sentry, "ip", "link", "set", "benc", "up"},
		{w.sentry, "ip", "addr", "add", "198.51.100.254/30", "dev", "bup"}, {w.sentry, "ip", "link", "set", "bup", "up"},
		{w.sentry, "ip", "route", "add", "default", "via", "198.51.100.253"},
		{w.sentry, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"},
		{w.sentry, "sysctl", "-q", "-w", "net.netfilter.nf_conntrack_tcp_timeout_close=1"},
		{w.wan, "ip", "addr", "add", "198.51.100.253/30", "dev", "eth0"}, {w.wan, "ip", "link", "set", "eth0", "up"},
		{w.wan, "ip", "addr", "add", "203.0.113.10/32", "dev", "lo"},
		{w.wan, "ip", "route", "add", "10.99.0.0/24", "via", "198.51.100.254"},
	} {
		must(b, append([]string{"ip", "netns", "exec", c[0]}, c[1:]...)...)
	}
	var ln net.Listener
	if err := testns.Do(w.wan, func() (err error) { ln, err = net.Listen("tcp4", server); return err }); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return w
}

// rate opens and closes connections from the bottle for d; connections per second.
func (w world) rate(b *testing.B, d time.Duration) float64 {
	var n int
	err := testns.Do(w.bottle, func() error {
		dl := net.Dialer{Timeout: time.Second}
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			c, err := dl.Dial("tcp4", server)
			if err != nil {
				return err
			}
			c.(*net.TCPConn).SetLinger(0) // RST: no TIME_WAIT piling up in the bottle
			c.Close()
			n++
		}
		return nil
	})
	if err != nil {
		b.Fatalf("after %d connections: %v", n, err)
	}
	return float64(n) / d.Seconds()
}

// load applies the backend's ruleset for p in the sentry, then extra.
func (w world) load(b *testing.B, backend string, p policy.Policy, extra *runner.Cmd) {
	r := runner.InNetns{Name: w.sentry, Inner: runner.Exec{}}
	fw, err := backends.New(backend, r)
	if err != nil {
		b.Fatal(err)
	}
	if err := fw.Apply(context.Background(), fw.Render(p, ifs)); err != nil {
		b.Fatal(err)
	}
	if extra != nil {
		if _, err := r.Run(context.Background(), *extra); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnRate prints, per backend, the median new-connection rate
// with 1 and with 10,000 allowed CIDRs, and with 1 and 10,000 learned
// addresses, and the ratios (goal: >= 0.9x). Each pair is measured
// alternately in rounds, so a drifting machine moves both alike. Root only.
func BenchmarkConnRate(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to build network namespaces")
	}
	for _, backend := range []string{"iptables", "nftables"} {
		b.Run(backend, func(b *testing.B) {
			w := newWorld(b)
			small, big := learnDoc(backend, 1), learnDoc(backend, bigSize)
			pairs := []struct {
				name      string
				one, many func()
			}{
				{"cidrs", func() { w.load(b, backend, benchPolicy(1, false), nil) }, func() { w.load(b, backend, benchPolicy(bigSize, false), nil) }},
				{"learned", func() { w.load(b, backend, benchPolicy(1, true), &small) }, func() { w.load(b, backend, benchPolicy(1, true), &big) }},
			}
			for i := 0; i < b.N; i++ {
				for _, pr := range pairs {
					var ones, manys []float64
					for range rounds {
						pr.one()
						ones = append(ones, w.rate(b, round))
						pr.many()
						manys = append(manys, w.rate(b, round))
					}
					m1, mN := median(ones), median(manys)
					b.ReportMetric(m1, pr.name+"-1-conn/s")
					b.ReportMetric(mN, pr.name+"-10000-conn/s")
					b.ReportMetric(mN/m1, pr.name+"-ratio")
					b.Logf("%-8s %-7s 1: %7.0f conn/s   10,000: %7.0f conn/s   ratio %.2fx", backend, pr.name, m1, mN, mN/m1)
				}
			}
		})
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
