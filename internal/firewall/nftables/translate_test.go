package nftables

import (
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// TestTranslatesEveryKind: every match term and verdict of the model has a
// translation (an unknown kind would panic while rendering).
func TestTranslatesEveryKind(t *testing.T) {
	for k := firewall.InIface; k <= firewall.Limit; k++ {
		if s := term(firewall.Term{Kind: k, Proto: "tcp", Ports: []uint16{443}, Iface: "eth0"}); s == "" {
			t.Errorf("term kind %d translates to nothing", k)
		}
	}
	for k := firewall.Accept; k <= firewall.Masquerade; k++ {
		if s := verdict(firewall.Verdict{Kind: k, Chain: firewall.ChainForward}); s == "" {
			t.Errorf("verdict kind %d translates to nothing", k)
		}
	}
}
