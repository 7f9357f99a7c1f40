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

// benchCIDRs returns n distinct allowed CIDRs: 10.200.0.0/16 cut into /26s
// (1,024 of them). No packet is ever sent to them.
func benchCIDRs(n int) []string {
	base := netip.MustParseAddr("10.200.0.0").As4()
	out := make([]string, 0, n)
	for i := range n {
		a := base
		off := i * 64
		a[2], a[3] = byte(off>>8), byte(off)
		out = append(out, netip.PrefixFrom(netip.AddrFrom4(a), 26).String())
	}
	return out
}

func benchDomains(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("d%03d.test", i))
	}
	return out
}

// BenchmarkSentryStartToReady measures the real `rbm sentry` from process
// start until `rbm sentry ready` passes, with 1,000 allowed CIDRs and 100
// allowed domains (the target is under 0.5 s). ns/op is that wall time as a
// healthcheck sees it; ready-ms is the sentry's own "ready in N ms" (from
// Serve's start to the ready marker, without process start-up and the
// check). Root only.
func BenchmarkSentryStartToReady(b *testing.B) {
	l := newSentryLab(b)
	cidrs, domains := benchCIDRs(1000), benchDomains(100)
	if len(cidrs) != 1000 || cidrs[999] != "10.200.249.192/26" {
		b.Fatalf("CIDRs: %d, last %s", len(cidrs), cidrs[len(cidrs)-1])
	}
	conf := l.writeConf("bench.env", confLines(strings.Join(cidrs, " "), strings.Join(domains, " "))...)
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
		if !strings.Contains(l.save("iptables-save"), `"rbm:fwd-allow-10.200.249.192/26"`) {
			b.Fatalf("the last allowed CIDR is not loaded")
		}
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
