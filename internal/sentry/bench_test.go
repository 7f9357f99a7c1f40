package sentry

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchCIDRs returns n distinct allowed CIDRs: 10.0.0.0/8 cut into /26s
// (262,144 of them). No packet is ever sent to them.
func benchCIDRs(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		off := i * 64
		a := netip.AddrFrom4([4]byte{10, byte(off >> 16), byte(off >> 8), byte(off)})
		out = append(out, netip.PrefixFrom(a, 26).String())
	}
	return out
}

func benchDomains(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("d%04d.test", i))
	}
	return out
}

// benchLoads are the sizes measured: the original 1,000 CIDRs and 100
// domains, and the 10,000 and 1,000.
var benchLoads = []struct{ cidrs, domains int }{{1000, 100}, {10000, 1000}}

// BenchmarkSentryStartToReady measures the real `rbm sentry` from process
// start until `rbm sentry ready` passes, per firewall backend and load (the
// target is under 0.5 s). ns/op is that wall time as a healthcheck sees it;
// ready-ms is the sentry's own "ready in N ms" (from Serve's start to the
// ready marker, without process start-up and the check). Root only.
func BenchmarkSentryStartToReady(b *testing.B) {
	for _, backend := range []string{"iptables", "nftables"} {
		for _, load := range benchLoads {
			b.Run(fmt.Sprintf("%s/cidrs=%d/domains=%d", backend, load.cidrs, load.domains), func(b *testing.B) {
				benchStart(b, backend, load.cidrs, load.domains)
			})
		}
	}
}

func benchStart(b *testing.B, backend string, nCIDRs, nDomains int) {
	l := newSentryLab(b)
	cidrs, domains := benchCIDRs(nCIDRs), benchDomains(nDomains)
	conf := l.writeConf("bench.env", append(confLines(strings.Join(cidrs, " "), strings.Join(domains, " ")), "RBRR_FIREWALL_BACKEND="+backend)...)
	marker := filepath.Join(l.stateDir, "ready.json")
	var readyMs float64

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := l.start(conf)
		// Poll the marker cheaply, then confirm with the real healthcheck.
		for {
			if _, err := os.Stat(marker); err == nil {
				if l.ready() == nil {
					break
				}
			}
			if !r.running() {
				b.Fatalf("the sentry exited: %v; log:\n%s", r.waitErr, r.log())
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.StopTimer()
		r.waitLog("rbm sentry: ready in", 1, 5*time.Second)
		m := readyLine.FindStringSubmatch(r.log())
		if m == nil {
			b.Fatalf("no ready line:\n%s", r.log())
		}
		ms, _ := strconv.Atoi(m[1])
		readyMs += float64(ms)
		checkLastCIDR(b, l, backend, cidrs[len(cidrs)-1])
		if err := syscall.Kill(r.pid(), syscall.SIGTERM); err != nil {
			b.Fatal(err)
		}
		if code := r.exitCode(exitTimeout); code != 0 {
			b.Fatalf("exit status %d after SIGTERM; log:\n%s", code, r.log())
		}
		os.Remove(r.logPath)
		b.StartTimer()
	}
	b.ReportMetric(readyMs/float64(b.N), "ready-ms")
}

// checkLastCIDR fails unless the last allowed CIDR is in the live set.
func checkLastCIDR(b *testing.B, l *sentryLab, backend, last string) {
	var list string
	if backend == "nftables" {
		list = l.save("nft", "list", "set", "inet", "rbm", "allow4")
	} else {
		list = l.save("ipset", "list", "rbm-allow4")
	}
	if !strings.Contains(list, last) {
		b.Fatalf("the last allowed CIDR %s is not loaded (%s)", last, backend)
	}
}

// BenchmarkSentryReload measures SIGHUP to "reloaded" in the sentry's log
// with 10,000 CIDRs and 1,000 domains, alternating two CIDR lists (so
// every reload replaces the rules and the resolver's configuration is the
// same: dnsmasq keeps running).
func BenchmarkSentryReload(b *testing.B) {
	for _, backend := range []string{"iptables", "nftables"} {
		b.Run(backend+"/cidrs=10000/domains=1000", func(b *testing.B) {
			l := newSentryLab(b)
			domains := strings.Join(benchDomains(1000), " ")
			cidrs := benchCIDRs(10001)
			confs := [2][]string{
				append(confLines(strings.Join(cidrs[:10000], " "), domains), "RBRR_FIREWALL_BACKEND="+backend),
				append(confLines(strings.Join(cidrs[1:], " "), domains), "RBRR_FIREWALL_BACKEND="+backend),
			}
			conf := l.writeConf("regime.env", confs[0]...)
			r := l.start(conf)
			r.waitLog("rbm sentry: ready in", 1, 30*time.Second)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				l.writeConf("regime.env", confs[(i+1)%2]...)
				b.StartTimer()
				if err := syscall.Kill(r.pid(), syscall.SIGHUP); err != nil {
					b.Fatal(err)
				}
				r.waitLog("rbm sentry: reloaded:", i+1, 30*time.Second)
			}
			b.StopTimer()
			_ = syscall.Kill(r.pid(), syscall.SIGTERM)
			r.exitCode(exitTimeout)
		})
	}
}
