package capture

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/testns"
)

// TestLiveCapture: frames sent from one namespace to another over a veth
// pair are captured on the far end, written as pcap, read back and
// summarised; the count limit ends the capture.
func TestLiveCapture(t *testing.T) {
	testns.NeedRoot(t)
	a, b := testns.New(t, "rbmt-capa"), testns.New(t, "rbmt-capb")
	for _, c := range [][]string{
		{"ip", "netns", "exec", a, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"},
		{"ip", "netns", "exec", b, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"},
		{"ip", "link", "add", "tst0", "netns", a, "type", "veth", "peer", "name", "tst1", "netns", b},
		{"ip", "-n", a, "addr", "add", "192.0.2.1/24", "dev", "tst0"}, {"ip", "-n", a, "link", "set", "tst0", "up"},
		{"ip", "-n", b, "addr", "add", "192.0.2.2/24", "dev", "tst1"}, {"ip", "-n", b, "link", "set", "tst1", "up"},
		// No IPv6 chatter (router solicitations, MLD) to fill the count.
		{"ip", "netns", "exec", a, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"},
		{"ip", "netns", "exec", b, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", c, err, out)
		}
	}
	var pcap bytes.Buffer
	w, err := NewWriter(&pcap)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var n int
	go func() {
		done <- testns.Do(b, func() (err error) {
			n, err = Live(context.Background(), "tst1", Limits{Count: 4, Duration: 10 * time.Second}, w)
			return err
		})
	}()
	time.Sleep(300 * time.Millisecond)
	if err := testns.Do(a, func() error {
		c, err := net.Dial("udp4", "192.0.2.2:9")
		if err != nil {
			return err
		}
		defer c.Close()
		for range 6 {
			c.Write([]byte("rbm capture test"))
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("captured %d frames, want the count limit 4", n)
	}
	var lines []string
	if err := Read(&pcap, func(f Frame) error { lines = append(lines, f.Summary()); return nil }); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(lines, "\n")
	if len(lines) != 4 || !strings.Contains(all, "udp 192.0.2.1:") || !strings.Contains(all, "> 192.0.2.2:9 ") {
		t.Errorf("summary:\n%s", all)
	}
}

// TestLiveDurationLimit: with nothing to see, the capture ends at its time limit.
func TestLiveDurationLimit(t *testing.T) {
	testns.NeedRoot(t)
	ns := testns.New(t, "rbmt-capd")
	var pcap bytes.Buffer
	w, _ := NewWriter(&pcap)
	t0 := time.Now()
	err := testns.Do(ns, func() error {
		_, err := Live(context.Background(), "lo", Limits{Count: 10, Duration: 500 * time.Millisecond}, w)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 450*time.Millisecond || d > 3*time.Second {
		t.Errorf("an idle capture of 500 ms ended after %v", d)
	}
}
