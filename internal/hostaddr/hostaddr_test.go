package hostaddr

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
)

// route is /proc/net/route with a default route via 192.168.1.254 and an
// on-link route (gateway 0), as the kernel writes it.
const route = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
wlan0	00000000	FE01A8C0	0003	0	0	600	00000000	0	0	0
wlan0	0001A8C0	00000000	0001	0	0	600	00FFFFFF	0	0	0
bad	00000000	zz
`

func TestFind(t *testing.T) {
	s := Sources{
		Addrs: func() ([]net.Addr, error) {
			return []net.Addr{
				&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)},
				&net.IPNet{IP: net.ParseIP("192.168.1.23"), Mask: net.CIDRMask(24, 32)},
				&net.IPNet{IP: net.ParseIP("10.88.0.1"), Mask: net.CIDRMask(16, 32)},
				&net.IPNet{IP: net.ParseIP("169.254.3.4"), Mask: net.CIDRMask(16, 32)},
				&net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(64, 128)},
				&net.IPNet{IP: net.ParseIP("10.88.0.1"), Mask: net.CIDRMask(16, 32)},
			}, nil
		},
		Routes: func() (string, error) { return route, nil },
	}
	got, err := Find(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("10.0.2.2"), netip.MustParseAddr("10.88.0.1"),
		netip.MustParseAddr("192.168.1.23"), netip.MustParseAddr("192.168.1.254")}
	if !slices.Equal(got, want) {
		t.Errorf("Find = %v, want %v", got, want)
	}
	s.Routes = func() (string, error) { return "", errors.New("no /proc") }
	if _, err := Find(s); err == nil {
		t.Error("Find ignored an unreadable routing table")
	}
}

func TestUsable(t *testing.T) {
	for a, want := range map[string]bool{"192.0.2.1": true, "0.0.0.0": false, "127.0.0.1": false, "169.254.1.1": false,
		"224.0.0.1": false, "255.255.255.255": false, "::1": false} {
		if got := Usable(netip.MustParseAddr(a)); got != want {
			t.Errorf("Usable(%s) = %v", a, got)
		}
	}
}
