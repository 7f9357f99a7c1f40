package sentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// The testdata files are `ip -j -4 addr show` and `ip -j -4 route show
// default` as iproute2 6.1 printed them in a namespace holding enc0
// (10.99.0.2/24, in addr-three also the secondary 10.99.0.9), up0
// (198.51.100.2/30) and, in addr-three, eth2 (192.0.2.5/24); eth2's veth
// peer has no IPv4 address and so is not listed.

const (
	cmdAddrs  = "ip -j -4 addr show"
	cmdRoutes = "ip -j -4 route show default"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ipFake answers the two ip commands FindInterfaces runs.
func ipFake(addrs, routes string) *runner.Fake {
	return &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		switch c.String() {
		case cmdAddrs:
			return []byte(addrs), nil
		case cmdRoutes:
			return []byte(routes), nil
		}
		return nil, fmt.Errorf("unexpected command %s", c)
	}}
}

// permutations returns every order of the interfaces in an `ip -j addr` dump.
func permutations(t *testing.T, dump string) []string {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(dump), &items); err != nil {
		t.Fatal(err)
	}
	var out []string
	var permute func(k int)
	permute = func(k int) {
		if k == len(items) {
			b, _ := json.Marshal(items)
			out = append(out, string(b))
			return
		}
		for i := k; i < len(items); i++ {
			items[k], items[i] = items[i], items[k]
			permute(k + 1)
			items[k], items[i] = items[i], items[k]
		}
	}
	permute(0)
	return out
}

func TestFindInterfacesAnyOrder(t *testing.T) {
	gw := netip.MustParseAddr("198.51.100.1")
	up := netip.MustParsePrefix("198.51.100.0/30") // the uplink's own subnet comes along too
	for _, tc := range []struct {
		addrs, routes, sentry string
		want                  firewall.Interfaces
	}{
		// The uplink's default gateway comes along: the entry port may be limited to it.
		{"addr-two.json", "route-uplink.json", "10.99.0.2", firewall.Interfaces{Enclave: "enc0", Uplink: "up0", UplinkGateway: gw, UplinkPrefix: up}},
		// No default route: the only other interface with an address.
		{"addr-two.json", "route-none.json", "10.99.0.2", firewall.Interfaces{Enclave: "enc0", Uplink: "up0", UplinkPrefix: up}},
		// A default route through the enclave is not an uplink.
		{"addr-two.json", "route-enclave.json", "10.99.0.2", firewall.Interfaces{Enclave: "enc0", Uplink: "up0", UplinkPrefix: up}},
		// Three interfaces: the default route decides; a secondary address counts.
		{"addr-three.json", "route-uplink.json", "10.99.0.2", firewall.Interfaces{Enclave: "enc0", Uplink: "up0", UplinkGateway: gw, UplinkPrefix: up}},
		{"addr-three.json", "route-uplink.json", "10.99.0.9", firewall.Interfaces{Enclave: "enc0", Uplink: "up0", UplinkGateway: gw, UplinkPrefix: up}},
	} {
		dumps := permutations(t, readTestdata(t, tc.addrs))
		routes := readTestdata(t, tc.routes)
		for i, addrs := range dumps {
			got, err := FindInterfaces(context.Background(), ipFake(addrs, routes), netip.MustParseAddr(tc.sentry))
			if err != nil || got != tc.want {
				t.Errorf("%s/%s, order %d, sentry %s: got %+v, %v; want %+v", tc.addrs, tc.routes, i, tc.sentry, got, err, tc.want)
			}
		}
	}
}

func TestFindInterfacesEmptyEntries(t *testing.T) {
	// iproute2 before 5.x prints {} for interfaces without an IPv4 address.
	addrs := `[{},{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1"}]},{},` +
		`{"ifname":"eth1","addr_info":[{"family":"inet","local":"10.99.0.2"}]},{"ifname":"eth0","addr_info":[{"family":"inet","local":"198.51.100.2"}]}]`
	got, err := FindInterfaces(context.Background(), ipFake(addrs, "[]"), netip.MustParseAddr("10.99.0.2"))
	if want := (firewall.Interfaces{Enclave: "eth1", Uplink: "eth0"}); err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

func TestFindInterfacesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, addrs, routes, sentry string
		want                        []string
	}{
		{"address on no interface", "addr-two.json", "route-uplink.json", "10.99.0.4",
			[]string{"RBRR_SENTRY_IP", "10.99.0.4"}},
		{"a longer address is no match", "addr-two.json", "route-uplink.json", "10.99.0.20",
			[]string{"RBRR_SENTRY_IP", "10.99.0.20"}},
		{"two candidates, no default route", "addr-three.json", "route-none.json", "10.99.0.2",
			[]string{"uplink", "2 other interfaces", "up0", "eth2"}},
		{"names never decide: the address on up0 makes it the enclave", "addr-three.json", "route-none.json", "198.51.100.2",
			[]string{"uplink", "enc0", "eth2"}},
		{"two candidates, default route via the enclave", "addr-three.json", "route-enclave.json", "10.99.0.2",
			[]string{"uplink", "up0", "eth2"}},
		{"no other interface", `[{"ifname":"lo","addr_info":[{"local":"127.0.0.1"}]},{"ifname":"enc0","addr_info":[{"local":"10.99.0.2"}]}]`,
			"route-none.json", "10.99.0.2", []string{"uplink", "0 other interfaces"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addrs := tc.addrs
			if strings.HasSuffix(addrs, ".json") {
				addrs = readTestdata(t, addrs)
			}
			got, err := FindInterfaces(context.Background(), ipFake(addrs, readTestdata(t, tc.routes)), netip.MustParseAddr(tc.sentry))
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestFindInterfacesCommandFailures(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		r    *runner.Fake
		want string
	}{
		{"ip addr fails", &runner.Fake{Respond: func(runner.Cmd) ([]byte, error) { return nil, boom }}, "list addresses"},
		{"ip addr garbage", ipFake("not json", "[]"), "parse `ip -j addr`"},
		{"ip route fails", &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
			if c.String() == cmdAddrs {
				return []byte(`[{"ifname":"enc0","addr_info":[{"local":"10.99.0.2"}]}]`), nil
			}
			return nil, boom
		}}, "list default routes"},
		{"ip route garbage", ipFake(`[{"ifname":"enc0","addr_info":[{"local":"10.99.0.2"}]}]`, "{"), "parse `ip -j route`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FindInterfaces(context.Background(), tc.r, netip.MustParseAddr("10.99.0.2"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
