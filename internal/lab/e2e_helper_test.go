package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The test binary doubles as a tiny TCP client and server run inside a lab
// namespace with `ip netns exec`: a separate process is the only clean way
// to act in another namespace (a Go thread that entered one may be the
// main thread, which never dies, leaving the test process inside the lab).
const (
	envHelper     = "RBM_E2E_HELPER" // "serve" or "dial"
	envHelperAddr = "RBM_E2E_ADDR"
	envHelperMsg  = "RBM_E2E_MSG"
	envHelperHold = "RBM_E2E_HOLD"   // dial: echo again after this long on the same connection
	helperLife    = 30 * time.Second // a forgotten server exits by itself
)

// helperMain runs in the re-executed test binary; it returns the exit status.
func helperMain(mode string) int {
	addr := os.Getenv(envHelperAddr)
	switch mode {
	case "serve":
		return helperServe(addr)
	case "dial":
		return helperDial(addr, os.Getenv(envHelperMsg))
	case "flood":
		return helperFlood(addr, os.Getenv(envHelperMsg))
	case "dnsflood":
		return helperDNSFlood(addr, os.Getenv(envHelperMsg))
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

// helperServe echoes TCP on addr, printing "ready" once listening and
// "peer IP" for every connection.
func helperServe(addr string) int {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	time.AfterFunc(helperLife, func() { os.Exit(0) })
	fmt.Println("ready")
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		fmt.Println("peer", c.RemoteAddr().(*net.TCPAddr).IP)
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.Copy(c, io.LimitReader(c, 1<<16))
		}()
	}
}

// helperDial connects to addr, sends msg and expects it back. Exit status:
// 0 echoed, 1 no connection, 2 connected but no echo.
func helperDial(addr, msg string) int {
	c, err := net.DialTimeout("tcp4", addr, 2*time.Second)
	if err != nil {
		fmt.Println("dial:", err)
		return 1
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	got := make([]byte, len(msg))
	if _, err := io.WriteString(c, msg); err != nil {
		fmt.Println("write:", err)
		return 2
	}
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, []byte(msg)) {
		fmt.Printf("echo: %q, %v\n", got, err)
		return 2
	}
	if hold, err := time.ParseDuration(os.Getenv(envHelperHold)); err == nil {
		time.Sleep(hold)
		_ = c.SetDeadline(time.Now().Add(3 * time.Second))
		if _, err := io.WriteString(c, msg); err != nil {
			fmt.Println("write after hold:", err)
			return 2
		}
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, []byte(msg)) {
			fmt.Printf("echo after hold: %q, %v\n", got, err)
			return 2
		}
	}
	fmt.Println("echo ok")
	return 0
}

// helperFlood sends count (msg) small UDP datagrams to addr as fast as it
// can, and prints how many the kernel took.
func helperFlood(addr, count string) int {
	var n int
	if _, err := fmt.Sscan(count, &n); err != nil {
		fmt.Fprintln(os.Stderr, "flood count:", err)
		return 2
	}
	c, err := net.Dial("udp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	sent := 0
	for range n {
		if _, err := c.Write([]byte("flood")); err == nil {
			sent++
		}
	}
	fmt.Println("sent", sent)
	return 0
}

// helperDNSFlood asks the resolver at addr for count (msg) random names
// under flood.test, one after the other (each answer awaited, at most
// 200 ms), and prints how many were answered.
func helperDNSFlood(addr, count string) int {
	var n int
	if _, err := fmt.Sscan(count, &n); err != nil || n > 20000 {
		fmt.Fprintln(os.Stderr, "dnsflood count (at most 20000):", count, err)
		return 2
	}
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	conn, err := c.Dial(addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	answered := 0
	for i := range n {
		m := new(dns.Msg).SetQuestion(fmt.Sprintf("r%d-%x.flood.test.", i, rand.Uint32()), dns.TypeA)
		if _, _, err := c.ExchangeWithConn(m, conn); err == nil {
			answered++
		}
	}
	fmt.Println("answered", answered)
	return 0
}

// helperCmd is the test binary re-executed in namespace ns as a helper.
func helperCmd(t *testing.T, ctx context.Context, ns, mode, addr, msg string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, self)
	cmd.Env = append(os.Environ(), envHelper+"="+mode, envHelperAddr+"="+addr, envHelperMsg+"="+msg)
	return cmd
}

// serveEcho starts an echo server on addr in namespace ns, stopped when the
// test ends; the channel receives the peer address of every connection.
func serveEcho(t *testing.T, ns, addr string) <-chan string {
	t.Helper()
	cmd := helperCmd(t, context.Background(), ns, "serve", addr, "")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready, peers := make(chan struct{}), make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			switch line := sc.Text(); {
			case line == "ready":
				close(ready)
			case strings.HasPrefix(line, "peer "):
				peers <- strings.TrimPrefix(line, "peer ")
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("echo server on %s in %s did not start: %s", addr, ns, stderr.String())
	}
	return peers
}

// dialHolding is dialEcho that echoes a second time after hold on the same
// connection. It may run on any goroutine.
func dialHolding(t *testing.T, ns, addr string, hold time.Duration) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), hold+15*time.Second)
	defer cancel()
	cmd := helperCmd(t, ctx, ns, "dial", addr, "held")
	cmd.Env = append(cmd.Env, envHelperHold+"="+hold.String())
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), strings.TrimSpace(string(out) + string(ee.Stderr))
	}
	return 0, strings.TrimSpace(string(out))
}

// dialEcho connects from namespace ns to addr and checks the echo; it
// returns the helper's exit status (0 echoed, 1 no connection, 2 no echo)
// and what it said.
func dialEcho(t *testing.T, ns, addr, msg string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := helperCmd(t, ctx, ns, "dial", addr, msg).Output()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, strings.TrimSpace(string(out))
	case errors.As(err, &ee):
		return ee.ExitCode(), strings.TrimSpace(string(out) + string(ee.Stderr))
	}
	t.Fatalf("run the dial helper in %s: %v", ns, err)
	return -1, ""
}
