package sentry

// Helpers for the root tests: a throwaway namespace trio (sentry, bottle,
// wan) linked by veth pairs, the real rbm binary run as `rbm sentry` inside
// the sentry namespace, and in-process TCP probes. Everything lives in
// namespaces named rbmt-sen-<random>-*, has no link to the host's network,
// and is removed in Cleanup, failed or not, after every process in them
// was killed.

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/testns"
)

// Addresses of the test topology. The enclave is private; everything on
// the "internet" side is in documentation ranges.
const (
	enclaveNet  = "10.99.0.0/24"
	sentryIP    = "10.99.0.2"
	bottleIP    = "10.99.0.3"
	sentryUp    = "198.51.100.2"  // the sentry's uplink address
	wanIP       = "198.51.100.1"  // the wan side: the sentry's gateway and "upstream resolver"
	allowedHost = "203.0.113.10"  // a server the first allowlist allows
	laterHost   = "203.0.113.20"  // a server only a reloaded allowlist allows
	serverPort  = 8080            // every wan address listens here
	passTimeout = 3 * time.Second // a connection expected to succeed
	dropTimeout = time.Second     // a connection expected to be dropped
)

var (
	buildOnce sync.Once
	binDir    string
	rbmBin    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// needRoot skips unless namespaces can be made and the sentry's programs exist.
func needRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root to create network namespaces and run the sentry")
	}
	for _, p := range []string{"ip", "iptables", "iptables-save", "iptables-restore", "ip6tables-restore", "dnsmasq"} {
		if _, err := exec.LookPath(p); err != nil {
			tb.Skipf("needs %s in PATH", p)
		}
	}
}

// rbmBinary builds ./cmd/rbm once per test binary into a world-readable
// directory (removed by TestMain).
func rbmBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("no go tool to build rbm: %w", err)
			return
		}
		if binDir, err = os.MkdirTemp("", "rbmt-sen-bin-"); err != nil {
			buildErr = err
			return
		}
		if err = os.Chmod(binDir, 0o755); err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(binDir, "rbm")
		out, err := exec.Command(goTool, "build", "-o", bin, "github.com/recipe-bottle/rbm/cmd/rbm").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build rbm: %v\n%s", err, out)
			return
		}
		rbmBin = bin
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return rbmBin
}

// sentryLab is one namespace trio with a TCP server on every wan address.
type sentryLab struct {
	tb                  testing.TB
	sentry, bottle, wan string
	dir                 string // configuration files and logs
	stateDir            string // the sentry's --state-dir
	rbm                 string
	runs                int
}

func newSentryLab(tb testing.TB) *sentryLab {
	tb.Helper()
	needRoot(tb)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	prefix := "rbmt-sen-" + hex.EncodeToString(b)
	l := &sentryLab{tb: tb, sentry: prefix + "-s", bottle: prefix + "-b", wan: prefix + "-w", rbm: rbmBinary(tb)}
	dir, err := os.MkdirTemp("", prefix+"-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // dnsmasq runs as nobody
		tb.Fatal(err)
	}
	l.dir, l.stateDir = dir, filepath.Join(dir, "state")

	for _, ns := range []string{l.sentry, l.bottle, l.wan} {
		l.host("ip", "netns", "add", ns)
		tb.Cleanup(func() { removeNamespace(tb, ns) })
		l.host("ip", "-n", ns, "link", "set", "lo", "up")
	}
	cmds := [][]string{
		{"ip", "link", "add", "enc0", "netns", l.sentry, "type", "veth", "peer", "name", "eth0", "netns", l.bottle},
		{"ip", "link", "add", "up0", "netns", l.sentry, "type", "veth", "peer", "name", "eth0", "netns", l.wan},
		{"ip", "netns", "exec", l.bottle, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"},
		{"ip", "-n", l.sentry, "addr", "add", sentryIP + "/24", "dev", "enc0"},
		{"ip", "-n", l.sentry, "addr", "add", sentryUp + "/24", "dev", "up0"},
		{"ip", "-n", l.bottle, "addr", "add", bottleIP + "/24", "dev", "eth0"},
		{"ip", "-n", l.wan, "addr", "add", wanIP + "/24", "dev", "eth0"},
		{"ip", "-n", l.wan, "addr", "add", allowedHost + "/32", "dev", "lo"},
		{"ip", "-n", l.wan, "addr", "add", laterHost + "/32", "dev", "lo"},
		{"ip", "-n", l.sentry, "link", "set", "enc0", "up"},
		{"ip", "-n", l.sentry, "link", "set", "up0", "up"},
		{"ip", "-n", l.bottle, "link", "set", "eth0", "up"},
		{"ip", "-n", l.wan, "link", "set", "eth0", "up"},
		{"ip", "-n", l.bottle, "route", "add", "default", "via", sentryIP},
		{"ip", "-n", l.sentry, "route", "add", "default", "via", wanIP},
		// Without masquerading (no rules at all) replies still find the
		// enclave, so a baseline connection can show the path works.
		{"ip", "-n", l.wan, "route", "add", enclaveNet, "via", sentryUp},
	}
	for _, c := range cmds {
		l.host(c...)
	}
	l.serveWan()
	return l
}

// removeNamespace kills every process left in ns (by pid), then deletes it.
func removeNamespace(tb testing.TB, ns string) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids := nsPIDs(ns)
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.Errorf("processes %v survive in %s", pids, ns)
			break
		}
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := exec.Command("ip", "netns", "delete", ns).CombinedOutput(); err != nil {
		tb.Errorf("delete namespace %s: %v: %s", ns, err, out)
	}
}

// nsPIDs lists the processes in namespace ns other than this one (whose
// main thread may have entered ns through inNetns).
func nsPIDs(ns string) []int {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if p, err := strconv.Atoi(f); err == nil && p != os.Getpid() {
			pids = append(pids, p)
		}
	}
	return pids
}

// host runs a setup command on the host and fails on error.
func (l *sentryLab) host(args ...string) {
	l.tb.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		l.tb.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// in runs a command inside namespace ns.
func (l *sentryLab) in(ns string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	return string(out), err
}

// mustIn runs a command inside ns and fails on error.
func (l *sentryLab) mustIn(ns string, args ...string) string {
	l.tb.Helper()
	out, err := l.in(ns, args...)
	if err != nil {
		l.tb.Fatalf("in %s: %s: %v: %s", ns, strings.Join(args, " "), err, out)
	}
	return out
}

// inNetns runs fn on a thread that entered namespace ns; sockets keep the
// namespace they were made in. The thread goes back to its namespace and
// only then returns to Go's pool; if it cannot, it stays locked and dies
// with the goroutine.
func inNetns(ns string, fn func() error) error {
	return testns.Do(ns, fn)
}

// serveWan listens on serverPort on every wan address; connections are
// accepted and closed.
func (l *sentryLab) serveWan() {
	var ln net.Listener
	err := inNetns(l.wan, func() (err error) {
		ln, err = net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", serverPort))
		return err
	})
	if err != nil {
		l.tb.Fatalf("listen in %s: %v", l.wan, err)
	}
	l.tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// connect opens a TCP connection from the bottle to host:serverPort.
func (l *sentryLab) connect(host string, timeout time.Duration) error {
	return inNetns(l.bottle, func() error {
		c, err := net.DialTimeout("tcp4", net.JoinHostPort(host, strconv.Itoa(serverPort)), timeout)
		if err == nil {
			c.Close()
		}
		return err
	})
}

func (l *sentryLab) mustConnect(host string) {
	l.tb.Helper()
	if err := l.connect(host, passTimeout); err != nil {
		l.tb.Errorf("bottle -> %s:%d failed, want connected: %v", host, serverPort, err)
	}
}

func (l *sentryLab) mustNotConnect(host string) {
	l.tb.Helper()
	if err := l.connect(host, dropTimeout); err == nil {
		l.tb.Errorf("bottle -> %s:%d connected, want it blocked", host, serverPort)
	}
}

// confLines is a valid allowlist configuration: egress to cidrs, DNS for
// domains, both separated by spaces.
func confLines(cidrs, domains string) []string {
	return []string{
		"RBRR_POD_SUBNET=" + enclaveNet,
		"RBRR_SENTRY_IP=" + sentryIP,
		"RBRR_BOTTLE_IP=" + bottleIP,
		"RBRR_DNS_SERVER=" + wanIP,
		"RBRN_UPLINK_ACCESS_ENABLED=true",
		"RBRN_UPLINK_ALLOWED_CIDRS=" + cidrs,
		"RBRN_UPLINK_DNS_ENABLED=true",
		"RBRN_UPLINK_ALLOWED_DOMAINS=" + domains,
	}
}

// writeConf replaces the file name in the lab directory atomically, so a
// reload never reads half of it, and returns its path.
func (l *sentryLab) writeConf(name string, lines ...string) string {
	l.tb.Helper()
	path := filepath.Join(l.dir, name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		l.tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		l.tb.Fatal(err)
	}
	return path
}

// sentryRun is one `rbm sentry` process in the sentry namespace.
type sentryRun struct {
	l       *sentryLab
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// cleanEnv is the test's environment without RBRR_/RBRN_ variables, so
// only the configuration file counts.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RBRR_") && !strings.HasPrefix(kv, "RBRN_") {
			env = append(env, kv)
		}
	}
	return env
}

// start runs `rbm sentry --regime conf` in the sentry namespace. `ip netns
// exec` execs rbm in place, so the process is rbm itself and signals reach
// it directly. It is killed at cleanup if still running.
func (l *sentryLab) start(conf string) *sentryRun {
	l.tb.Helper()
	l.runs++
	r := &sentryRun{l: l, logPath: filepath.Join(l.dir, fmt.Sprintf("sentry-%d.log", l.runs)), done: make(chan struct{})}
	f, err := os.Create(r.logPath)
	if err != nil {
		l.tb.Fatal(err)
	}
	defer f.Close()
	r.cmd = exec.Command("ip", "netns", "exec", l.sentry, l.rbm, "sentry", "--regime", conf, "--state-dir", l.stateDir)
	r.cmd.Env = cleanEnv()
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		l.tb.Fatalf("start the sentry: %v", err)
	}
	go func() { r.waitErr = r.cmd.Wait(); close(r.done) }()
	l.tb.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

func (r *sentryRun) pid() int { return r.cmd.Process.Pid }

func (r *sentryRun) log() string {
	b, _ := os.ReadFile(r.logPath)
	return string(b)
}

func (r *sentryRun) running() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

// exitCode waits up to timeout for the process to end and returns its
// exit status.
func (r *sentryRun) exitCode(timeout time.Duration) int {
	r.l.tb.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		r.l.tb.Fatalf("the sentry still runs after %s; log:\n%s", timeout, r.log())
	}
	var ee *exec.ExitError
	switch {
	case r.waitErr == nil:
		return 0
	case errors.As(r.waitErr, &ee):
		return ee.ExitCode()
	}
	r.l.tb.Fatalf("wait for the sentry: %v", r.waitErr)
	return -1
}

// ready runs `rbm sentry ready` in the sentry namespace.
func (l *sentryLab) ready() error {
	out, err := l.in(l.sentry, l.rbm, "sentry", "ready", "--state-dir", l.stateDir)
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(out))
	}
	return nil
}

// waitReady polls `rbm sentry ready` until it passes; the sentry must keep running.
func (r *sentryRun) waitReady(timeout time.Duration) {
	r.l.tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := r.l.ready()
		if err == nil {
			return
		}
		if !r.running() {
			r.l.tb.Fatalf("the sentry exited before ready (%v); log:\n%s", r.waitErr, r.log())
		}
		if time.Now().After(deadline) {
			r.l.tb.Fatalf("not ready after %s: %v; log:\n%s", timeout, err, r.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLog waits until the log holds n occurrences of s.
func (r *sentryRun) waitLog(s string, n int, timeout time.Duration) {
	r.l.tb.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Count(r.log(), s) < n {
		if time.Now().After(deadline) {
			r.l.tb.Fatalf("log does not show %q %d time(s) after %s:\n%s", s, n, timeout, r.log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// save returns iptables-save of the sentry namespace (the backend rbm uses).
func (l *sentryLab) save(cmd string, args ...string) string {
	l.tb.Helper()
	return l.mustIn(l.sentry, append([]string{cmd}, args...)...)
}

var ruleID = regexp.MustCompile(`"(rbm:[^"]+)"`)

// ruleIDs returns the sorted rule ids in an iptables-save dump.
func ruleIDs(save string) []string {
	var ids []string
	for _, m := range ruleID.FindAllStringSubmatch(save, -1) {
		ids = append(ids, m[1])
	}
	sort.Strings(ids)
	return ids
}

// dnsmasqPIDs lists the dnsmasq processes whose parent is pid.
func dnsmasqPIDs(parent int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != "dnsmasq" {
			continue
		}
		if ppid(pid) == parent {
			out = append(out, pid)
		}
	}
	return out
}

func ppid(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "PPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return -1
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// assertLockdown checks that the sentry namespace holds the lockdown
// ruleset and nothing of rbm's normal rules.
func (l *sentryLab) assertLockdown() {
	l.tb.Helper()
	v4 := l.save("iptables-save")
	for _, want := range []string{":INPUT DROP", ":FORWARD DROP", ":OUTPUT DROP", `"rbm:lock-fwd-drop"`, `"rbm:lock-in-drop"`, `"rbm:lock-out-drop"`} {
		if !strings.Contains(v4, want) {
			l.tb.Errorf("iptables-save lacks %q; got:\n%s", want, v4)
		}
	}
	for _, id := range ruleIDs(v4) {
		if !strings.HasPrefix(id, "rbm:lock-") {
			l.tb.Errorf("rule %s survives the lockdown", id)
		}
	}
	if strings.Contains(v4, "MASQUERADE") || strings.Contains(v4, "DNAT") {
		l.tb.Errorf("nat rules survive the lockdown:\n%s", v4)
	}
	if v6 := l.save("ip6tables-save"); !strings.Contains(v6, `"rbm:v6-fwd-drop"`) || !strings.Contains(v6, ":FORWARD DROP") {
		l.tb.Errorf("IPv6 is not dropped:\n%s", v6)
	}
}

// sysctl reads a kernel parameter inside the sentry namespace.
func (l *sentryLab) sysctl(key string) string {
	l.tb.Helper()
	return strings.TrimSpace(l.mustIn(l.sentry, "cat", "/proc/sys/"+strings.ReplaceAll(key, ".", "/")))
}
