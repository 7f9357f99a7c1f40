package nftables_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// trio is bottle -- sentry -- wan, three namespaces joined by veth pairs
// that never touch the host's namespace.
type trio struct {
	bottle, sentry, wan nsRunner
}

// newTrio builds the topology: the bottle (192.0.2.3, 2001:db8:1::3)
// routes everything via the sentry (192.0.2.2 and 2001:db8:1::2 on
// rbm-enc, 198.51.100.1/24 on rbm-up), which forwards to the wan; the wan
// holds every outside address the probes use.
func newTrio(t *testing.T) trio {
	t.Helper()
	tr := trio{bottle: newNetns(t), sentry: newNetns(t), wan: newNetns(t)}
	b, s, w := tr.bottle, tr.sentry, tr.wan
	steps := []struct {
		ns   nsRunner
		args []string
	}{
		{b, []string{"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "rbm-enc", "netns", s.Name}},
		{s, []string{"ip", "link", "add", "rbm-up", "type", "veth", "peer", "name", "eth0", "netns", w.Name}},
		{b, []string{"ip", "addr", "add", "192.0.2.3/24", "dev", "eth0"}},
		{b, []string{"ip", "addr", "add", "2001:db8:1::3/64", "dev", "eth0", "nodad"}},
		{b, []string{"ip", "link", "set", "eth0", "up"}},
		{b, []string{"ip", "route", "add", "default", "via", "192.0.2.2"}},
		{s, []string{"ip", "addr", "add", "192.0.2.2/24", "dev", "rbm-enc"}},
		{s, []string{"ip", "addr", "add", "2001:db8:1::2/64", "dev", "rbm-enc", "nodad"}},
		{s, []string{"ip", "addr", "add", "198.51.100.1/24", "dev", "rbm-up"}},
		{s, []string{"ip", "link", "set", "rbm-enc", "up"}},
		{s, []string{"ip", "link", "set", "rbm-up", "up"}},
		{s, []string{"ip", "route", "add", "default", "via", "198.51.100.254"}},
		{s, []string{"sysctl", "-qw", "net.ipv4.ip_forward=1"}},
		{w, []string{"ip", "addr", "add", "198.51.100.254/24", "dev", "eth0"}},
		{w, []string{"ip", "link", "set", "eth0", "up"}},
		{w, []string{"ip", "route", "add", "192.0.2.0/24", "via", "198.51.100.1"}},
	}
	for _, st := range steps {
		st.ns.Must(t, st.args[0], st.args[1:]...)
	}
	for _, a := range []string{"198.51.100.80/32", "198.51.100.99/32", "203.0.113.10/32", "198.18.0.10/32"} {
		w.Must(t, "ip", "addr", "add", a, "dev", "eth0")
	}
	return tr
}

// serveTCP listens on addr inside ns and greets every connection with
// banner.
func serveTCP(t *testing.T, ns nsRunner, addr, banner string) {
	t.Helper()
	var ln net.Listener
	if err := testns.Do(ns.Name, func() (err error) { ln, err = net.Listen("tcp", addr); return err }); err != nil {
		t.Fatalf("listen %s in %s: %v", addr, ns.Name, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte(banner))
			c.Close()
		}
	}()
}

// dial connects from inside ns and returns the banner, "timeout" when the
// packets were dropped, or "refused" when they were rejected.
func dial(ns nsRunner, addr string) string {
	var got string
	_ = testns.Do(ns.Name, func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			got = "timeout"
		case err != nil:
			got = "refused"
		default:
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(time.Second))
			b, _ := io.ReadAll(c)
			got = string(b)
		}
		return nil
	})
	return got
}

// firewall is the nftables backend in the trio's sentry, checked usable.
func (tr trio) firewall(t *testing.T) nftables.Firewall {
	t.Helper()
	fw := nftables.Firewall{Runner: tr.sentry}
	if err := fw.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	return fw
}
