package lab_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2EReloadUnderLoad reloads the sentry (rewritten env file + SIGHUP)
// over and over while the bottle keeps probing an allowed and a forbidden
// server: the atomic restore must never let a forbidden probe through, nor
// break an allowed one. Each reload is confirmed in the live ruleset. Last,
// an invalid configuration under the same traffic is refused and reported,
// and the previous rules stay.
func TestE2EReloadUnderLoad(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "")
	a, p := tl.info.Addresses, tl.info.Policy
	extra := netip.MustParsePrefix("192.0.2.0/24")
	if extra.Contains(a.Forbidden) || extra.Contains(a.Allowed) {
		t.Fatalf("lab plan: %s must cover neither the allowed %s nor the forbidden %s", extra, a.Allowed, a.Forbidden)
	}
	extraRule := "rbm:fwd-allow-" + extra.String()
	envPath := filepath.Join(lab.StateDir(tl.lab.Prefix), "sentry.env")
	orig, err := os.ReadFile(envPath)
	if err != nil {
		t.Fatal(err)
	}
	cidrsLine := "RBRN_UPLINK_ALLOWED_CIDRS=" + p.AllowedCIDRs[0].String()
	if len(p.AllowedCIDRs) != 1 || !strings.Contains(string(orig), cidrsLine+"\n") {
		t.Fatalf("sentry.env has no line %q:\n%s", cidrsLine, orig)
	}
	widened := strings.Replace(string(orig), cidrsLine+"\n", cidrsLine+" "+extra.String()+"\n", 1)
	sentries := sentryPIDs(t, tl.ns(lab.Sentry))
	if len(sentries) != 1 {
		t.Fatalf("want one rbm process in the sentry namespace, found %v", sentries)
	}
	sentryPID := sentries[0]
	base := tl.stats(t)

	// Two probe loops in the background until stop is closed: one keeps
	// forbidden probes in flight, the other runs allowed connections one
	// after another, so some of them start while a restore is under way.
	const loopDrop = 300 * time.Millisecond
	forbiddenBatch := []probe.Spec{
		tcpSpec(a.Forbidden.String()+":22", loopDrop),
		tcpSpec(a.Forbidden.String()+":443", loopDrop),
		{Kind: probe.KindUDP, Target: a.Forbidden.String() + ":8443", Timeout: probe.Duration(loopDrop)},
	}
	var allowedBatch []probe.Spec
	for range 10 {
		allowedBatch = append(allowedBatch, tcpSpec(a.Allowed.String()+":22", passTimeout))
	}
	allowedBatch = append(allowedBatch, probe.Spec{Kind: probe.KindHTTPS, Target: a.Allowed.String() + ":443", CAFile: tl.info.CAFile, Timeout: probe.Duration(passTimeout)})
	forbidden := func(s probe.Spec) bool { return strings.HasPrefix(s.Target, a.Forbidden.String()+":") }
	var (
		mu      sync.Mutex
		results []probe.Result
		loopErr error
		rounds  = map[string]int{}
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	loop := func(name string, batch []probe.Spec, parallel int) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := tl.probeBatch(context.Background(), false, parallel, batch)
			mu.Lock()
			results = append(results, res...)
			rounds[name]++
			if err != nil {
				loopErr = err
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go loop("forbidden", forbiddenBatch, 0)
	go loop("allowed", allowedBatch, 1)
	roundsNow := func() (int, int) { mu.Lock(); defer mu.Unlock(); return rounds["forbidden"], rounds["allowed"] }
	stopLoop := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopLoop)
	waitRound := func() {
		f0, a0 := roundsNow()
		for deadline := time.Now().Add(20 * time.Second); ; {
			f, a := roundsNow()
			if f > f0 && a > a0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the probe loops stalled (%d and %d rounds)", f, a)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitRound()

	// At least minReloads, and until both loops ran through several reloads.
	const minReloads, maxReloads, minRounds = 10, 40, 6
	f0, a0 := roundsNow()
	reloads := 0
	for i := 0; i < maxReloads; i++ {
		if f, a := roundsNow(); i >= minReloads && i%2 == 0 && f-f0 >= minRounds && a-a0 >= minRounds {
			break
		}
		reloads++
		text, wantExtra := widened, true
		if i%2 == 1 {
			text, wantExtra = string(orig), false
		}
		tmp := envPath + ".new"
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, envPath); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(sentryPID, syscall.SIGHUP); err != nil {
			t.Fatalf("SIGHUP the sentry: %v", err)
		}
		// Confirm the reload in the live ruleset before the next one.
		for deadline := time.Now().Add(5 * time.Second); ; {
			_, has := tl.counters(t).Rules[extraRule]
			if has == wantExtra {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("reload %d: rule %s present=%v, want %v", i+1, extraRule, has, wantExtra)
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// An invalid configuration under the same traffic: refused, reported,
	// and the rules stay the last good reload's.
	_, hadExtra := tl.counters(t).Rules[extraRule]
	bad := strings.Replace(string(orig), cidrsLine+"\n", "RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/33\n", 1)
	if err := os.WriteFile(envPath+".new", []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(envPath+".new", envPath); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(sentryPID, syscall.SIGHUP); err != nil {
		t.Fatalf("SIGHUP the sentry: %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(tl.sentryLog(t), "reload refused"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("an invalid configuration was not reported as refused:\n%s", lastLines(tl.sentryLog(t), 10))
		}
	}
	if log := tl.sentryLog(t); !strings.Contains(log, "RBRN_UPLINK_ALLOWED_CIDRS") {
		t.Errorf("the refusal does not name the variable:\n%s", lastLines(log, 5))
	}
	if _, has := tl.counters(t).Rules[extraRule]; has != hadExtra {
		t.Errorf("after the refused reload %s present=%v, want %v (the previous rules)", extraRule, has, hadExtra)
	}
	f1, a1 := roundsNow()
	waitRound()
	stopLoop()

	if loopErr != nil {
		t.Fatalf("probe loop: %v", loopErr)
	}
	if f1-f0 < minRounds || a1-a0 < minRounds {
		t.Errorf("only %d forbidden and %d allowed probe rounds overlapped the %d reloads; want %d each", f1-f0, a1-a0, reloads, minRounds)
	}
	var allowed, broken, leaked int
	for _, r := range results {
		switch {
		case forbidden(r.Spec) && r.Outcome.OK():
			leaked++
			t.Errorf("during reloads a forbidden probe got through: %s", describe(r))
		case !forbidden(r.Spec):
			allowed++
			if r.Outcome != probe.Connected {
				broken++
				t.Errorf("during reloads an allowed probe failed: %s", describe(r))
			}
		}
	}
	t.Logf("%d reloads; %d forbidden and %d allowed probe rounds during them; %d allowed probes (%d failed), %d forbidden (%d through)",
		reloads, f1-f0, a1-a0, allowed, broken, len(results)-allowed, leaked)

	after := tl.stats(t)
	for _, key := range []string{"tcp " + a.Forbidden.String() + ":22", "udp " + a.Forbidden.String() + ":8443"} {
		if n := after.Echo[key] - base.Echo[key]; n != 0 {
			t.Errorf("the forbidden server's echo %q was reached %d times", key, n)
		}
	}
	wantWeb(t, base, after, a.Forbidden, 0, 0)
	log := tl.sentryLog(t)
	if n := strings.Count(log, "rbm sentry: reloaded:"); n != reloads {
		t.Errorf("the sentry logged %d reloads, want %d", n, reloads)
	}
	if strings.Count(log, "rbm sentry: reload refused") != 1 || strings.Contains(log, "lockdown") {
		t.Errorf("the sentry refused other than the one invalid reload, or locked down:\n%s", lastLines(log, 20))
	}
	if now := sentryPIDs(t, tl.ns(lab.Sentry)); len(now) != 1 || now[0] != sentryPID {
		t.Errorf("the sentry process changed: %v, want [%d]", now, sentryPID)
	}
}
