package sysctls

import (
	"slices"
	"testing"
)

func TestRuntimeIsSentryForAll(t *testing.T) {
	for _, tc := range []struct {
		entry bool
		want  []string
	}{
		{false, []string{"net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.all.rp_filter=1"}},
		{true, []string{"net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.all.rp_filter=2"}},
	} {
		if got := Runtime(tc.entry); !slices.Equal(got, tc.want) {
			t.Errorf("Runtime(%v) = %q, want %q", tc.entry, got, tc.want)
		}
	}
}

func TestSentryForwardingLastAndOnlyRequired(t *testing.T) {
	list := Sentry(false, "eth1")
	last := list[len(list)-1]
	if last.String() != "net.ipv4.ip_forward=1" || !last.Required {
		t.Errorf("last setting %+v; want forwarding on, required", last)
	}
	for _, s := range list[:len(list)-1] {
		if s.Required {
			t.Errorf("%s is required; only forwarding is", s)
		}
	}
	if !slices.ContainsFunc(list, func(s Setting) bool { return s.String() == "net.ipv4.conf.eth1.rp_filter=1" }) {
		t.Errorf("no strict rp_filter on the enclave in %v", list)
	}
}
