package nftables_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
)

// TestCheckForeignReal: a namespace holding only table inet rbm passes;
// an iptables-legacy rule, an iptables-nft rule and another nft table with
// a base chain each make Check refuse with *ForeignRulesError naming them.
func TestCheckForeignReal(t *testing.T) {
	needRoot(t, "iptables-legacy", "iptables-nft")
	ctx := context.Background()
	cases := map[string]struct {
		setup []string
		shown string
	}{
		"legacy":       {[]string{"iptables-legacy", "-A", "FORWARD", "-d", "192.0.2.9", "-j", "DROP"}, "192.0.2.9"},
		"iptables-nft": {[]string{"iptables-nft", "-A", "OUTPUT", "-d", "192.0.2.8", "-j", "ACCEPT"}, "192.0.2.8"},
		"nft table":    {[]string{"nft", "add chain ip other c { type filter hook input priority 10; policy accept; }"}, "table ip other chain c"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ns := newNetns(t)
			fw := nftables.Firewall{Runner: ns}
			if err := fw.Lockdown(ctx); err != nil {
				t.Fatal(err)
			}
			if err := fw.Check(ctx); err != nil {
				t.Fatalf("only rbm's table: %v", err)
			}
			if c.setup[0] == "nft" {
				ns.Must(t, "nft", "add", "table", "ip", "other")
			}
			ns.Must(t, c.setup[0], c.setup[1:]...)
			err := fw.Check(ctx)
			var foreign *nftables.ForeignRulesError
			if !errors.As(err, &foreign) {
				t.Fatalf("err = %v, want *ForeignRulesError", err)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.shown) {
				t.Errorf("error does not show %q: %v", c.shown, err)
			}
		})
	}
}
