package sentry

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The real sentry (`rbm sentry`, built from ./cmd/rbm) in a namespace trio:
// root only, skipped otherwise.

const (
	startTimeout = 15 * time.Second
	exitTimeout  = 15 * time.Second
)

var readyLine = regexp.MustCompile(`rbm sentry: ready in (\d+) ms`)

// TestSentryFailsClosed: an invalid start leaves the lockdown, which cuts
// off a path that worked before (forwarding on, no rules).
func TestSentryFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name string
		conf []string
		want []string
	}{
		{"sentry address on no interface",
			append(confLines(allowedHost+"/32", "allowed.test"), "RBRR_SENTRY_IP=10.99.0.4"),
			[]string{"no interface holds RBRR_SENTRY_IP 10.99.0.4"}},
		{"invalid value",
			append(confLines(allowedHost+"/32", "allowed.test"), "RBRN_UPLINK_ACCESS_ENABLED=maybe"),
			[]string{"RBRN_UPLINK_ACCESS_ENABLED", "maybe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newSentryLab(t)
			// As a container started with --sysctl net.ipv4.ip_forward=1:
			// without rules the bottle gets out.
			l.mustIn(l.sentry, "sysctl", "-qw", "net.ipv4.ip_forward=1")
			if err := l.connect(allowedHost, passTimeout); err != nil {
				t.Fatalf("baseline: bottle cannot reach %s even without rules: %v", allowedHost, err)
			}
			r := l.start(l.writeConf("regime.env", tc.conf...))
			if code := r.exitCode(exitTimeout); code == 0 {
				t.Errorf("the sentry exited 0 with an invalid configuration")
			}
			log := r.log()
			for _, w := range append(tc.want, "lockdown ruleset loaded") {
				if !strings.Contains(log, w) {
					t.Errorf("output lacks %q:\n%s", w, log)
				}
			}
			l.assertLockdown()
			l.mustNotConnect(allowedHost)
			if err := l.ready(); err == nil {
				t.Errorf("rbm sentry ready passes after a failed start")
			}
		})
	}
}

// TestSentryReadyAndStop: a valid start turns forwarding on and becomes
// ready; SIGTERM stops it cleanly and leaves the rules.
func TestSentryReadyAndStop(t *testing.T) {
	l := newSentryLab(t)
	// A new namespace inherits the host's value; start from off.
	l.mustIn(l.sentry, "sysctl", "-qw", "net.ipv4.ip_forward=0")
	r := l.start(l.writeConf("regime.env", confLines(allowedHost+"/32", "allowed.test")...))
	r.waitReady(startTimeout)

	if m := readyLine.FindStringSubmatch(r.log()); m == nil {
		t.Errorf("log lacks %q:\n%s", readyLine, r.log())
	}
	if v := l.sysctl("net.ipv4.ip_forward"); v != "1" {
		t.Errorf("net.ipv4.ip_forward = %s after ready, want 1", v)
	}
	if v := l.sysctl("net.ipv4.conf.enc0.rp_filter"); v != "1" {
		t.Errorf("enclave rp_filter = %s, want 1 (strict, no entry port)", v)
	}
	m, err := ReadMarker(l.stateDir)
	if err != nil || m.PID != r.pid() || !m.DNS || m.SentryIP != netip.MustParseAddr(sentryIP) {
		t.Errorf("ready marker %+v, %v; want pid %d, DNS on, %s", m, err, r.pid(), sentryIP)
	}
	// The policy holds: the allowed server only, and names filtered by the
	// sentry's resolver.
	l.mustConnect(allowedHost)
	l.mustNotConnect(laterHost)
	l.mustNotConnect(wanIP)
	if rcode := l.query("blocked.test"); rcode != dns.RcodeNameError {
		t.Errorf("blocked.test through the sentry: %s, want NXDOMAIN", dns.RcodeToString[rcode])
	}
	dnsmasq := dnsmasqPIDs(r.pid())
	if len(dnsmasq) != 1 {
		t.Fatalf("dnsmasq children of the sentry: %v, want one", dnsmasq)
	}

	if err := syscall.Kill(r.pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := r.exitCode(exitTimeout); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0; log:\n%s", code, r.log())
	}
	if pids := nsPIDs(l.sentry); len(pids) > 0 {
		t.Errorf("processes left in the sentry namespace: %v", pids)
	}
	if alive(dnsmasq[0]) {
		t.Errorf("dnsmasq %d survives the sentry", dnsmasq[0])
	}
	if _, err := os.Stat(filepath.Join(l.stateDir, "ready.json")); !os.IsNotExist(err) {
		t.Errorf("ready marker after stop: %v", err)
	}
	if err := l.ready(); err == nil {
		t.Errorf("rbm sentry ready passes after the sentry stopped")
	}
	// Stopped, the sentry leaves the enclave closed: even the allowed
	// CIDR no longer passes.
	l.assertLockdown()
	l.mustNotConnect(allowedHost)
	l.mustNotConnect(laterHost)
}

// query asks the sentry's resolver from the bottle and returns the rcode.
func (l *sentryLab) query(name string) int {
	l.tb.Helper()
	var rcode int
	err := inNetns(l.bottle, func() error {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), dns.TypeA)
		c := &dns.Client{Timeout: passTimeout}
		resp, _, err := c.Exchange(m, sentryIP+":53")
		if err == nil {
			rcode = resp.Rcode
		}
		return err
	})
	if err != nil {
		l.tb.Fatalf("query %s from the bottle: %v", name, err)
	}
	return rcode
}

// TestSentryReload: SIGHUP replaces the rules; dnsmasq is restarted only
// when its part changed; an invalid file changes nothing.
func TestSentryReload(t *testing.T) {
	l := newSentryLab(t)
	conf := l.writeConf("regime.env", confLines(allowedHost+"/32", "allowed.test")...)
	r := l.start(conf)
	r.waitReady(startTimeout)
	first := dnsmasqPIDs(r.pid())
	if len(first) != 1 {
		t.Fatalf("dnsmasq children of the sentry: %v, want one", first)
	}
	l.mustNotConnect(laterHost)
	hup := func() {
		t.Helper()
		if err := syscall.Kill(r.pid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	// A new CIDR, same domains: rules replaced, same dnsmasq.
	l.writeConf("regime.env", confLines(allowedHost+"/32 "+laterHost+"/32", "allowed.test")...)
	hup()
	r.waitLog("rbm sentry: reloaded:", 1, 10*time.Second)
	if sets := l.save("ipset", "list", "rbm-allow4"); !strings.Contains(sets, laterHost+" ") {
		t.Errorf("after reload the allowed set lacks %s:\n%s", laterHost, sets)
	}
	l.mustConnect(laterHost)
	l.mustConnect(allowedHost)
	if got := dnsmasqPIDs(r.pid()); !slices.Equal(got, first) {
		t.Errorf("dnsmasq %v after a reload that left DNS alone, want still %v", got, first)
	}

	// Another domain: dnsmasq restarts on the new configuration.
	l.writeConf("regime.env", confLines(allowedHost+"/32 "+laterHost+"/32", "allowed.test other.test")...)
	hup()
	r.waitLog("rbm sentry: reloaded:", 2, 10*time.Second)
	second := dnsmasqPIDs(r.pid())
	if len(second) != 1 || second[0] == first[0] {
		t.Errorf("dnsmasq %v after the allowed domains changed, want one new process (was %v)", second, first)
	}
	if alive(first[0]) {
		t.Errorf("the old dnsmasq %d still runs", first[0])
	}
	if b, err := os.ReadFile(filepath.Join(l.stateDir, "dnsmasq.conf")); err != nil || !strings.Contains(string(b), "server=/other.test/"+wanIP) {
		t.Errorf("dnsmasq.conf does not forward other.test: %v\n%s", err, b)
	}
	if err := l.ready(); err != nil {
		t.Errorf("not ready after dnsmasq restarted: %v", err)
	}

	// An invalid file: refused, rules and dnsmasq untouched, still running.
	before := ruleIDs(l.save("iptables-save"))
	l.writeConf("regime.env", append(confLines(allowedHost+"/32", "allowed.test"), "RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/33")...)
	hup()
	r.waitLog("reload refused", 1, 10*time.Second)
	if !strings.Contains(r.log(), "203.0.113.0/33") {
		t.Errorf("the refusal does not name the bad value:\n%s", r.log())
	}
	if after := ruleIDs(l.save("iptables-save")); !slices.Equal(after, before) {
		t.Errorf("rules changed by a refused reload:\nbefore %q\nafter  %q", before, after)
	}
	if !r.running() {
		t.Fatalf("the sentry exited after a refused reload; log:\n%s", r.log())
	}
	if err := l.ready(); err != nil {
		t.Errorf("not ready after a refused reload: %v", err)
	}
	if got := dnsmasqPIDs(r.pid()); !slices.Equal(got, second) {
		t.Errorf("dnsmasq %v after a refused reload, want still %v", got, second)
	}
	l.mustConnect(laterHost)
}

// TestSentryRefusesSplitBackend: rules of iptables-legacy in the namespace
// stop the start (rbm uses the nf_tables backend here).
func TestSentryRefusesSplitBackend(t *testing.T) {
	l := newSentryLab(t)
	if _, err := exec.LookPath("iptables-legacy"); err != nil {
		t.Skip("needs iptables-legacy to plant a rule of the other backend")
	}
	if out, _ := l.in(l.sentry, "iptables", "--version"); !strings.Contains(out, "nf_tables") {
		t.Skipf("iptables here is not the nf_tables backend: %s", out)
	}
	if out, err := l.in(l.sentry, "iptables-legacy", "-A", "FORWARD", "-s", "192.0.2.1", "-j", "DROP"); err != nil {
		t.Skipf("cannot add an iptables-legacy rule (kernel without ip_tables?): %v: %s", err, out)
	}
	r := l.start(l.writeConf("regime.env", confLines(allowedHost+"/32", "allowed.test")...))
	if code := r.exitCode(exitTimeout); code == 0 {
		t.Errorf("the sentry started although iptables-legacy holds a rule")
	}
	log := r.log()
	for _, want := range []string{"iptables backend split", "legacy", "192.0.2.1"} {
		if !strings.Contains(log, want) {
			t.Errorf("output lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "ready in") {
		t.Errorf("the sentry reported ready:\n%s", log)
	}
	l.assertLockdown()
}
