package probe

import (
	"context"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe/nstest"
	"golang.org/x/sys/unix"
)

// These tests change routes and sysctls, so they only run inside a
// throwaway namespace (root only, see nstest).

// v6Target is an IPv6 prefix for route probes (documentation range).
const v6Target = "2001:db8:bad::/48"

// routeTable returns `ip route show table all` for IPv4 and IPv6.
func routeTable(t *testing.T) string {
	t.Helper()
	var all strings.Builder
	for _, family := range []string{"-4", "-6"} {
		out, err := exec.Command("ip", family, "route", "show", "table", "all").CombinedOutput()
		if err != nil {
			t.Fatalf("ip %s route show: %v: %s", family, err, out)
		}
		all.Write(out)
	}
	return all.String()
}

// sysctlValue reads a sysctl through sysctl(8), not through the probe's code.
func sysctlValue(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("sysctl", "-n", key).CombinedOutput()
	if err != nil {
		t.Fatalf("sysctl -n %s: %v: %s", key, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestRtnlAddsRealRoutes checks the request encoding against the kernel:
// the route the probe's request adds is the one ip(8) shows, and its
// delete request removes exactly that route.
func TestRtnlAddsRealRoutes(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{}) {
		return
	}
	c, err := dialRtnl()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range []string{DefaultRouteTarget, v6Target} {
		p := netip.MustParsePrefix(s)
		add := func(seq uint32) []byte {
			return routeMessage(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, seq, p)
		}
		if err := c.do(ctx, "add "+s, add); err != nil {
			t.Fatal(err)
		}
		if table := routeTable(t); !strings.Contains(table, "blackhole "+s+" ") {
			t.Errorf("after adding, no blackhole %s in:\n%s", s, table)
		}
		del := func(seq uint32) []byte { return routeMessage(unix.RTM_DELROUTE, 0, seq, p) }
		if err := c.do(ctx, "delete "+s, del); err != nil {
			t.Fatal(err)
		}
		if table := routeTable(t); strings.Contains(table, s) {
			t.Errorf("after deleting, %s still in:\n%s", s, table)
		}
	}
}

// TestRouteAndSysctlAsRoot: root may change both, and the probes leave
// nothing changed behind.
func TestRouteAndSysctlAsRoot(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{Setup: [][]string{
		// Known values, the port range not its default: the probe must
		// write back what it read, not some constant.
		{"sysctl", "-qw", "net.ipv4.conf.all.forwarding=1"},
		{"sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 50000"},
		{"ip", "route", "add", "blackhole", "203.0.113.0/24"},
	}}) {
		return
	}
	want(t, run(t, Spec{Kind: KindRoute}), Changed)
	want(t, run(t, Spec{Kind: KindRoute, Target: v6Target}), Changed)
	if table := routeTable(t); strings.Contains(table, DefaultRouteTarget) || strings.Contains(table, v6Target) {
		t.Errorf("the probes left routes behind:\n%s", table)
	}
	// Someone else's route is reported, and not deleted.
	r := run(t, Spec{Kind: KindRoute, Target: "203.0.113.0/24"})
	want(t, r, Error)
	if !strings.Contains(r.Detail, "EEXIST") {
		t.Errorf("existing route: detail %q does not name EEXIST", r.Detail)
	}
	if table := routeTable(t); !strings.Contains(table, "blackhole 203.0.113.0/24") {
		t.Errorf("the probe deleted a route that was not its own:\n%s", table)
	}

	want(t, run(t, Spec{Kind: KindSysctl}), Changed)
	want(t, run(t, Spec{Kind: KindSysctl, Target: "net/ipv4/ip_local_port_range"}), Changed)
	if v := sysctlValue(t, DefaultSysctlKey); v != "1" {
		t.Errorf("%s is %q after the probe, want 1", DefaultSysctlKey, v)
	}
	if v := sysctlValue(t, "net.ipv4.ip_local_port_range"); v != "40000\t50000" {
		t.Errorf("ip_local_port_range is %q after the probe, want 40000<tab>50000", v)
	}
	want(t, run(t, Spec{Kind: KindSysctl, Target: "kernel.hostname"}), Error)
	want(t, run(t, Spec{Kind: KindSysctl, Target: "net.ipv4.no_such_key"}), Error)
}

// TestRouteAndSysctlUnprivileged: the bottle's privileges change neither.
func TestRouteAndSysctlUnprivileged(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{Unprivileged: true}) {
		return
	}
	for _, s := range []Spec{
		{Kind: KindRoute},
		{Kind: KindRoute, Target: v6Target},
		{Kind: KindSysctl},
		{Kind: KindSysctl, Target: "net.ipv4.ip_local_port_range"},
		{Kind: KindSysctl, Target: "net.ipv6.conf.lo.disable_ipv6"},
	} {
		want(t, run(t, s), Denied)
	}
}
