package probe

import (
	"context"
	"net"
	"strings"
	"testing"
)

func TestTCPFlags(t *testing.T) {
	for in, want := range map[string]byte{"R": tcpRST, "A": tcpACK, "SA": tcpSYN | tcpACK, "F": 0x01} {
		if got, err := tcpFlags(in); err != nil || got != want {
			t.Errorf("tcpFlags(%q) = %#x, %v; want %#x", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "X", "RST"} {
		if _, err := tcpFlags(bad); err == nil {
			t.Errorf("tcpFlags(%q): no error", bad)
		}
	}
}

// TestCountedProbesAreBounded: a flood from a spec cannot be made
// unbounded, and a bad count is an error outcome, not a panic.
func TestCountedProbesAreBounded(t *testing.T) {
	for _, k := range []Kind{KindUDPFlood, KindMACFlood, KindARPClaim, KindDNSForge} {
		for _, n := range []int{-1, MaxCount + 1} {
			r := Run(context.Background(), Spec{Kind: k, Target: "192.0.2.1:9", Server: "192.0.2.1", Name: "a.test", Source: "192.0.2.9", Count: n})
			if r.Outcome != Error {
				t.Errorf("%s count %d: %s, want error", k, n, r.Outcome)
			}
		}
	}
}

// TestThenRunsAfterAndReports: three UDP flows to a loopback echo, then a
// UDP probe to it: the result is the follow-up's, with both details.
func TestThenRunsAfterAndReports(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	seen := make(chan int, 1)
	go func() {
		buf := make([]byte, 64)
		for n := 0; ; n++ {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				seen <- n
				return
			}
			pc.WriteTo(buf[:k], from)
		}
	}()
	addr := pc.LocalAddr().String()
	r := Run(context.Background(), Spec{Kind: KindUDPFlood, Target: addr, Count: 3, Then: &Spec{Kind: KindUDP, Target: addr}})
	if r.Outcome != Answered || !strings.Contains(r.Detail, "3 UDP flows") || !strings.Contains(r.Detail, "then answered") {
		t.Errorf("flood then probe: %s %q; want answered, both details", r.Outcome, r.Detail)
	}
	pc.Close()
	if n := <-seen; n != 4 {
		t.Errorf("the echo saw %d datagrams, want 3 flows and 1 probe", n)
	}
}
