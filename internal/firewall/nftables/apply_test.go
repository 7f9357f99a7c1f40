package nftables

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// kernelWith answers "nft -j -t list set inet rbm learn4" with a set of
// the given timeout and size (or, with timeout 0, as nft does when the set
// is missing) and every other command with success.
func kernelWith(timeout, size int) *runner.Fake {
	return &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		if !slices.Contains(c.Args, "list") {
			return nil, nil
		}
		if timeout == 0 {
			return nil, &runner.ExitError{Cmd: c, Stderr: "Error: No such file or directory\n"}
		}
		return []byte(`{"nftables": [{"metainfo": {}}, {"set": {"family": "inet", "table": "rbm", "name": "learn4", "size": ` +
			strconv.Itoa(size) + `, "timeout": ` + strconv.Itoa(timeout) + `}}]}`), nil
	}}
}

// TestApplyKeepsOrDeletesLearned: the document goes to one nft -f as it
// is unless the kernel's learn4 differs from the one it declares (or it
// declares none): then learn4 is deleted first, in the same transaction.
func TestApplyKeepsOrDeletesLearned(t *testing.T) {
	learning := RenderDoc(testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect), testIfs)
	plain := RenderDoc(testPolicy(policy.EgressGlobal, policy.DNSGlobal, false, policy.InterceptRedirect), testIfs)
	const del = "add table inet rbm\nflush table inet rbm\ndelete set inet rbm learn4\n"
	for _, c := range []struct {
		name          string
		doc           string
		timeout, size int
		deletes       bool
	}{
		{"absent", learning, 0, 0, false},
		{"same", learning, 600, 65536, false},
		{"other lifetime", learning, 300, 65536, true},
		{"other size", learning, 600, 10, true},
		{"no longer learning", plain, 600, 65536, true},
		{"never learned", plain, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := kernelWith(c.timeout, c.size)
			if err := Apply(context.Background(), f, c.doc); err != nil {
				t.Fatal(err)
			}
			if len(f.Calls) != 2 || f.Calls[1].String() != "nft -f -" {
				t.Fatalf("calls = %q, want a read and one nft -f -", f.Commands())
			}
			want := c.doc
			if c.deletes {
				want = del + c.doc
			}
			if f.Calls[1].Stdin != want {
				t.Errorf("stdin starts %q, want deletion %v", f.Calls[1].Stdin[:120], c.deletes)
			}
		})
	}
}

// TestRefreshAddsWithTimeout: one nft -f re-adding every IPv4 address with
// the set's own timeout as timeout and expiry.
func TestRefreshAddsWithTimeout(t *testing.T) {
	f := kernelWith(600, 100)
	addrs := []netip.Addr{netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:198.51.100.2")}
	if err := Refresh(context.Background(), f, addrs); err != nil {
		t.Fatal(err)
	}
	want := "add element inet rbm learn4 { 198.51.100.1 timeout 600s expires 600s, 198.51.100.2 timeout 600s expires 600s }\n"
	if len(f.Calls) != 2 || f.Calls[1].Stdin != want {
		t.Errorf("calls = %q, stdin %q", f.Commands(), f.Calls[len(f.Calls)-1].Stdin)
	}
	if err := Refresh(context.Background(), kernelWith(0, 0), addrs); err != nil {
		t.Errorf("refresh without learn4: %v", err)
	}
}
