package subnet

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestChoose(t *testing.T) {
	pool := netip.MustParsePrefix("10.242.0.0/16")
	for _, tc := range []struct {
		name  string
		taken []netip.Prefix
		want  string
	}{
		{"nothing taken", nil, "10.242.0.0/24"},
		{"podman and docker defaults", prefixes("10.88.0.0/16", "172.17.0.0/16"), "10.242.0.0/24"},
		{"first two taken", prefixes("10.242.0.0/24", "10.242.1.0/24"), "10.242.2.0/24"},
		{"a host route over the first four", prefixes("10.242.0.0/22"), "10.242.4.0/24"},
		{"a single address", prefixes("10.242.0.53/32"), "10.242.1.0/24"},
		{"a smaller network inside", prefixes("10.242.0.128/25", "10.242.1.8/29"), "10.242.2.0/24"},
		{"a gap", prefixes("10.242.0.0/24", "10.242.2.0/24"), "10.242.1.0/24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Choose(pool, tc.taken)
			if err != nil || got.String() != tc.want {
				t.Errorf("Choose = %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestChooseNoneFree(t *testing.T) {
	for _, taken := range [][]netip.Prefix{prefixes("10.0.0.0/8"), prefixes("10.242.0.0/17", "10.242.128.0/17")} {
		_, err := Choose(netip.MustParsePrefix("10.242.0.0/16"), taken)
		if err == nil || !strings.Contains(err.Error(), "set RBRR_POD_SUBNET") {
			t.Errorf("taken %v: error %v", taken, err)
		}
	}
	if _, err := Choose(netip.MustParsePrefix("10.242.0.0/25"), nil); err == nil {
		t.Error("a pool smaller than one enclave was accepted")
	}
}

// TestLock: a second taker waits until the first releases, and gives up
// when its context ends.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "subnet.lock")
	release, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*pollLock)
	defer cancel()
	if _, err := Lock(ctx, path); err == nil || !strings.Contains(err.Error(), "another rbm start holds it") {
		t.Fatalf("second Lock while held: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := Lock(context.Background(), path)
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	release() // twice is harmless
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting Lock never got the released lock")
	}
}
