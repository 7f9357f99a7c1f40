package lab

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// topology returns the commands that build the three namespaces, the two
// veth links, addresses and routes. The bottle's only route is via the
// sentry; IPv6 is off in the bottle.
func topology(prefix string, p policy.Policy, a Addresses, bottleUID int) []runner.Cmd {
	ns := func(role string) string { return Namespace(prefix, role) }
	ip := func(args ...string) runner.Cmd { return runner.Cmd{Name: "ip", Args: args} }
	in := func(role string, args ...string) runner.Cmd {
		return ip(append([]string{"-n", ns(role)}, args...)...)
	}
	sysctl := func(role, kv string) runner.Cmd {
		return runner.Cmd{Name: "ip", Args: []string{"netns", "exec", ns(role), "sysctl", "-qw", kv}}
	}
	bits := strconv.Itoa(p.Subnet.Bits())
	link := strconv.Itoa(a.LinkNet.Bits())
	var cmds []runner.Cmd
	for _, r := range Roles {
		cmds = append(cmds, ip("netns", "add", ns(r)), in(r, "link", "set", "lo", "up"))
	}
	cmds = append(cmds,
		ip("link", "add", sentryEnclaveIf, "netns", ns(Sentry), "type", "veth", "peer", "name", peerIf, "netns", ns(Bottle)),
		ip("link", "add", sentryUplinkIf, "netns", ns(Sentry), "type", "veth", "peer", "name", peerIf, "netns", ns(Wan)),
		// IPv6 off in the bottle before its link comes up, so it never gets a
		// link-local address.
		sysctl(Bottle, "net.ipv6.conf.all.disable_ipv6=1"),
		sysctl(Bottle, "net.ipv6.conf.default.disable_ipv6=1"),
		// Let the bottle's unprivileged user send ICMP echo, as in a container.
		sysctl(Bottle, fmt.Sprintf("net.ipv4.ping_group_range=%d %d", bottleUID, bottleUID)),
		in(Sentry, "addr", "add", p.SentryIP.String()+"/"+bits, "dev", sentryEnclaveIf),
		in(Sentry, "addr", "add", a.SentryUplink.String()+"/"+link, "dev", sentryUplinkIf),
		in(Bottle, "addr", "add", p.BottleIP.String()+"/"+bits, "dev", peerIf),
		in(Wan, "addr", "add", a.WanGateway.String()+"/"+link, "dev", peerIf),
	)
	for _, x := range wanHosts(a) {
		cmds = append(cmds, in(Wan, "addr", "add", x.String()+"/32", "dev", "lo"))
	}
	for _, c := range [][2]string{{Sentry, sentryEnclaveIf}, {Sentry, sentryUplinkIf}, {Bottle, peerIf}, {Wan, peerIf}} {
		cmds = append(cmds, in(c[0], "link", "set", c[1], "up"))
	}
	// Routes last: bouncing a link wipes its routes.
	return append(cmds,
		in(Bottle, "route", "replace", "default", "via", p.SentryIP.String(), "dev", peerIf),
		in(Sentry, "route", "replace", "default", "via", a.WanGateway.String(), "dev", sentryUplinkIf),
	)
}

// wanHosts are the stand-in servers' addresses, held on the wan's loopback.
func wanHosts(a Addresses) []netip.Addr {
	var out []netip.Addr
	for _, x := range []netip.Addr{a.Upstream, a.Allowed, a.Forbidden, a.Foreign, a.Learned, a.Learned2, a.Host} {
		if x.IsValid() {
			out = append(out, x)
		}
	}
	return out
}

// build runs the topology commands in order, stopping at the first failure.
func build(ctx context.Context, r runner.Runner, cmds []runner.Cmd) error {
	for _, c := range cmds {
		if _, err := r.Run(ctx, c); err != nil {
			return fmt.Errorf("lab topology: %s: %w", c, err)
		}
	}
	return nil
}
