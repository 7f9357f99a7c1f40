package config

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestHostAddresses(t *testing.T) {
	c, _, err := Load(nil, []string{"RBRR_HOST_ADDRESSES=192.168.1.23 10.88.0.1,192.168.1.23"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("10.88.0.1"), netip.MustParseAddr("192.168.1.23")}
	if !slices.Equal(c.HostAddrs, want) || !slices.Equal(c.Policy().HostAddrs, want) {
		t.Errorf("HostAddrs = %v, policy %v, want %v", c.HostAddrs, c.Policy().HostAddrs, want)
	}
	for _, bad := range []string{"127.0.0.1", "0.0.0.0", "2001:db8::1", "10.0.0.0/8", "x"} {
		_, _, err := Load(nil, []string{"RBRR_HOST_ADDRESSES=" + bad})
		if err == nil || !strings.Contains(err.Error(), "RBRR_HOST_ADDRESSES") || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: err %v, want one naming the variable and the value", bad, err)
		}
	}
	if err := c.SetHostAddrs([]netip.Addr{netip.MustParseAddr("198.51.100.4")}); err != nil {
		t.Fatal(err)
	}
	if got := c.Settings["RBRR_HOST_ADDRESSES"].Value; got != "198.51.100.4" || !slices.Contains(c.Environ(), "RBRR_HOST_ADDRESSES=198.51.100.4") {
		t.Errorf("after SetHostAddrs: setting %q, environ %v", got, c.Environ())
	}
	if err := c.SetHostAddrs([]netip.Addr{netip.MustParseAddr("127.0.0.1")}); err == nil {
		t.Error("SetHostAddrs took loopback")
	}
}
