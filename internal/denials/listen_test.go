package denials

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// TestListenReadsTheKernelsLog: a packet that an NFLOG rule logs under an
// rbm prefix reaches Listen with its rule and addresses; one logged under
// another prefix does not. The namespace's only link is a veth pair with
// both ends in it, so nothing sent leaves it.
func TestListenReadsTheKernelsLog(t *testing.T) {
	testns.NeedRoot(t, "iptables")
	ns := testns.NewRunner(t, "rbmt-nflog")
	ns.Must(t, "ip", "link", "add", "tst0", "type", "veth", "peer", "name", "tst1")
	ns.Must(t, "ip", "addr", "add", "192.0.2.1/24", "dev", "tst0")
	ns.Must(t, "ip", "link", "set", "tst0", "up")
	ns.Must(t, "ip", "link", "set", "tst1", "up")
	for _, r := range [][2]string{{"192.0.2.99", firewall.IDPrefix + "fwd-drop"}, {"192.0.2.98", "someone-else"}} {
		ns.Must(t, "iptables", "-A", "OUTPUT", "-d", r[0], "-j", "NFLOG", "--nflog-group", fmt.Sprint(firewall.LogGroup), "--nflog-prefix", r[1], "--nflog-size", fmt.Sprint(firewall.LogSnap))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan Denial, 16)
	err := testns.Do(ns.Name, func() error {
		if err := Listen(ctx, func(d Denial) { got <- d }); err != nil {
			return err
		}
		for _, dst := range []string{"192.0.2.98:7", "192.0.2.99:4433"} {
			c, err := net.Dial("udp", dst)
			if err != nil {
				return err
			}
			c.Write([]byte("rbm denial test"))
			c.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-got:
		if d.Rule != "rbm:fwd-drop" || d.Proto != "udp" || d.Dst.String() != "192.0.2.99" || d.Port != 4433 || d.Src.String() != "192.0.2.1" {
			t.Errorf("denial = %+v, want rbm:fwd-drop udp 192.0.2.1 -> 192.0.2.99:4433", d)
		}
		if time.Since(d.Time) > time.Minute || time.Until(d.Time) > time.Minute {
			t.Errorf("denial time %v is not now", d.Time)
		}
	case <-ctx.Done():
		t.Fatal("no denial read within 10 s")
	}
	select {
	case d := <-got:
		t.Errorf("a second denial %+v: the foreign prefix must be ignored", d)
	case <-time.After(300 * time.Millisecond):
	}
}
