package lab_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestE2ECLIUpDown drives `rbm lab up` and `rbm lab down` as a user would:
// a second `up` with the same prefix fails with a clear message and leaves
// the running lab alone; `down` leaves no namespace, process, veth or file
// behind, and a second `down` is harmless.
func TestE2ECLIUpDown(t *testing.T) {
	t.Parallel()
	bin := needLab(t)
	labSlots <- struct{}{}
	t.Cleanup(func() { <-labSlots })
	prefix := randomPrefix(t)
	t.Cleanup(func() { // whatever happened: the API's Down is the safety net
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = (&lab.Lab{Prefix: prefix, RBM: bin, Runner: runner.Exec{}}).Down(ctx)
	})
	cli := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(args, "--prefix", prefix)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	hostLinks := links(t)

	out, err := cli("lab", "up")
	if err != nil {
		t.Fatalf("rbm lab up: %v\n%s", err, out)
	}
	if !strings.Contains(out, "lab "+prefix+" is up") {
		t.Errorf("rbm lab up said:\n%s", out)
	}
	info, err := lab.Load(prefix)
	if err != nil {
		t.Fatal(err)
	}
	pids := map[int]string{}
	for _, role := range lab.Roles {
		for _, comm := range []string{"rbm", "dnsmasq"} {
			for _, pid := range procs(t, info.Namespaces[role], comm) {
				pids[pid] = startTime(pid)
			}
		}
	}
	for _, c := range []struct{ role, comm string }{{lab.Wan, "rbm"}, {lab.Sentry, "rbm"}, {lab.Sentry, "dnsmasq"}} {
		if got := procs(t, info.Namespaces[c.role], c.comm); len(got) != 1 {
			t.Fatalf("after lab up: want one %s in the %s namespace, found %v", c.comm, c.role, got)
		}
	}

	out, err = cli("lab", "up")
	if err == nil {
		t.Fatalf("a second rbm lab up with prefix %s succeeded:\n%s", prefix, out)
	}
	for _, want := range []string{"already up", "rbm lab down --prefix " + prefix} {
		if !strings.Contains(out, want) {
			t.Errorf("a second rbm lab up said %q; want it to contain %q", strings.TrimSpace(out), want)
		}
	}
	for pid, st := range pids {
		if !alive(pid, st) {
			t.Errorf("the failed second lab up stopped process %d of the running lab", pid)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := run(ctx, "", "ip", "netns", "exec", info.Namespaces[lab.Sentry], bin, "sentry", "ready", "--state-dir", info.SentryDir); err != nil {
		t.Errorf("the sentry is not ready after the failed second lab up: %v", err)
	}

	if out, err := cli("lab", "down"); err != nil {
		t.Fatalf("rbm lab down: %v\n%s", err, out)
	}
	if left := labNamespaces(t, prefix); len(left) > 0 {
		t.Errorf("namespaces left after lab down: %v", left)
	}
	for pid, st := range pids {
		if alive(pid, st) {
			t.Errorf("process %d survived lab down", pid)
		}
	}
	for l := range links(t) {
		if !hostLinks[l] {
			t.Errorf("a new link %s is in the host namespace after lab down", l)
		}
	}
	paths := []string{lab.StateDir(prefix)}
	for _, ns := range info.Namespaces {
		paths = append(paths, filepath.Join("/run/netns", ns), filepath.Join("/etc/netns", ns))
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left after lab down (%v)", p, err)
		}
	}
	if out, err := cli("lab", "down"); err != nil {
		t.Errorf("a second rbm lab down failed: %v\n%s", err, out)
	}
}

// links lists the host namespace's link names.
func links(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("ip", "-o", "link", "show").Output()
	if err != nil {
		t.Fatalf("ip link: %v", err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
			m[name] = true
		}
	}
	return m
}

// startTime identifies a process across pid reuse ("" when it is gone).
func startTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// alive reports whether the process that had start time st still runs (a
// zombie waiting for its parent to reap it has stopped running).
func alive(pid int, st string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil || startTime(pid) != st {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}
