package lab_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2EDnsmasqKilled SIGKILLs the sentry's dnsmasq while the bottle keeps
// asking for a forbidden and an allowed name: the supervisor restarts it,
// the allowed name resolves again, and at no moment does the forbidden
// name get an address (from the sentry, or from the foreign resolver the
// bottle also asks, whose port 53 is redirected to the dead resolver).
func TestE2EDnsmasqKilled(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "")
	info, a, p := tl.info, tl.info.Addresses, tl.info.Policy
	sentry, foreign := p.SentryIP.String(), a.Foreign.String()
	allowedName, forbiddenName := lab.AllowedName(p), lab.ForbiddenName(p)
	allowedAddr := info.Records[allowedName]
	oldPID := mainDnsmasq(t, tl)
	base := tl.stats(t)

	const qTimeout = 500 * time.Millisecond
	batch := []probe.Spec{
		dnsSpec(sentry, allowedName, false, qTimeout),
		dnsSpec(sentry, forbiddenName, false, qTimeout),
		dnsSpec(sentry, forbiddenName, true, qTimeout),
		dnsSpec(foreign, forbiddenName, false, qTimeout),
		dnsSpec(foreign, forbiddenName, true, qTimeout),
	}
	type round struct {
		start time.Time
		res   []probe.Result
	}
	var (
		mu      sync.Mutex
		rounds  []round
		loopErr error
	)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			res, err := tl.probeBatch(context.Background(), false, 0, batch)
			mu.Lock()
			rounds, loopErr = append(rounds, round{start, res}), err
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	stopLoop := sync.OnceFunc(func() { close(stop); <-done })
	t.Cleanup(stopLoop)
	// allowedOK counts the rounds started after since in which the
	// allowed name resolved, and all rounds started after since.
	allowedOK := func(since time.Time) (ok, all int) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range rounds {
			if r.start.After(since) && len(r.res) > 0 {
				all++
				if r.res[0].Outcome == probe.Answered && slices.Equal(r.res[0].Answers, []string{allowedAddr}) {
					ok++
				}
			}
		}
		return ok, all
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	t0 := time.Now()
	waitFor("a first round of queries", func() bool { ok, _ := allowedOK(t0); return ok >= 1 })

	killed := time.Now()
	if err := syscall.Kill(oldPID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill dnsmasq %d: %v", oldPID, err)
	}
	var newPID int
	waitFor("a new dnsmasq", func() bool {
		pids := dnsmasqChildren(t, tl)
		if len(pids) == 1 && pids[0] != oldPID {
			newPID = pids[0]
			return true
		}
		return false
	})
	restarted := time.Now()
	waitFor("the allowed name to resolve twice after the restart", func() bool { ok, _ := allowedOK(restarted); return ok >= 2 })
	stopLoop()
	if loopErr != nil {
		t.Fatalf("query loop: %v", loopErr)
	}

	failed, total := 0, 0
	for _, r := range rounds {
		for _, res := range r.res {
			total++
			if res.Spec.Name == forbiddenName && (len(res.Answers) > 0 || res.Outcome == probe.Answered && res.Rcode != "NXDOMAIN") {
				t.Errorf("%.0f ms after the kill: %s; the forbidden name must never be answered", float64(r.start.Sub(killed).Milliseconds()), describe(res))
			}
			if res.Spec.Name == allowedName && res.Outcome != probe.Answered {
				failed++
			}
		}
	}
	okAfter, allAfter := allowedOK(restarted)
	t.Logf("dnsmasq %d killed, %d up %d ms later; %d queries in %d rounds, the allowed name failed in %d; after the restart it resolved in %d of %d rounds",
		oldPID, newPID, restarted.Sub(killed).Milliseconds(), total, len(rounds), failed, okAfter, allAfter)

	if after := tl.stats(t); after.Foreign.Total != base.Foreign.Total {
		t.Errorf("the foreign resolver got %d queries, want none", after.Foreign.Total-base.Foreign.Total)
	}
	if log := tl.sentryLog(t); !strings.Contains(log, "rbm: dnsmasq exited after") {
		t.Errorf("the sentry did not log dnsmasq's exit:\n%s", lastLines(log, 20))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := run(ctx, "", "ip", "netns", "exec", tl.ns(lab.Sentry), tl.rbm, "sentry", "ready", "--state-dir", info.SentryDir); err != nil {
		t.Errorf("the sentry is not ready after the restart: %v", err)
	}
}

// mainDnsmasq is the pid of the dnsmasq the sentry supervises.
func mainDnsmasq(t *testing.T, tl *testLab) int {
	t.Helper()
	pids := dnsmasqChildren(t, tl)
	if len(pids) != 1 {
		t.Fatalf("want one dnsmasq started by the sentry, found %v", pids)
	}
	return pids[0]
}

// dnsmasqChildren lists the dnsmasq processes whose parent is the sentry
// (dnsmasq forks helpers for TCP queries; those are not the resolver).
func dnsmasqChildren(t *testing.T, tl *testLab) []int {
	t.Helper()
	sentries := sentryPIDs(t, tl.ns(lab.Sentry))
	var out []int
	for _, pid := range procs(t, tl.ns(lab.Sentry), "dnsmasq") {
		if slices.Contains(sentries, parentPID(pid)) {
			out = append(out, pid)
		}
	}
	return out
}

// parentPID reads the parent of pid from /proc (0 when it is gone).
func parentPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces, so cut at the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
