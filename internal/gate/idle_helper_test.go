package gate

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// idleRoleEnv makes the test binary one of BenchmarkIdleConnections'
// helper processes (TestIdleHelper): "client" or "server". Each holds one
// descriptor per connection, so the gate's process, with two, is the one
// RLIMIT_NOFILE bounds.
const idleRoleEnv = "RBM_GATE_IDLE_ROLE"

// idleHelper is a helper process, driven a line at a time: it answers
// each command with "ok" or "error: ...".
type idleHelper struct {
	in  io.WriteCloser
	out *bufio.Scanner
}

func startIdleHelper(b *testing.B, role string) *idleHelper {
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleHelper$")
	cmd.Env = append(os.Environ(), idleRoleEnv+"="+role)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the %s helper: %v", role, err)
	}
	// A bound on a hung helper; it ends when its input does.
	kill := time.AfterFunc(3*idleRound, func() { cmd.Process.Kill() })
	b.Cleanup(func() { in.Close(); cmd.Wait(); kill.Stop() })
	return &idleHelper{in: in, out: bufio.NewScanner(out)}
}

// do sends command and returns the helper's answer after "ok".
func (h *idleHelper) do(b *testing.B, command string) string {
	b.Helper()
	fmt.Fprintln(h.in, command)
	if !h.out.Scan() {
		b.Fatalf("helper: no answer to %q", command)
	}
	answer, ok := strings.CutPrefix(h.out.Text(), "ok")
	if !ok {
		b.Fatalf("helper: %q: %s", command, h.out.Text())
	}
	return strings.TrimSpace(answer)
}

// TestIdleHelper is a helper process of BenchmarkIdleConnections, run only
// by it. Commands: the server's "listen" (answers its address), "wait N"
// (until N connections sent their payload) and "drained" (until it holds
// none); the client's "open ADDR N" and "close".
func TestIdleHelper(t *testing.T) {
	role := os.Getenv(idleRoleEnv)
	if role == "" {
		t.Skip("a helper process of BenchmarkIdleConnections")
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	payload := append(recordedHello(t), 23, 3, 3, 0, 1, 0)
	s := &idleServer{want: len(payload), open: map[net.Conn]bool{}}
	var conns []net.Conn
	for sc := bufio.NewScanner(os.Stdin); sc.Scan(); {
		f := strings.Fields(sc.Text())
		var answer string
		var err error
		switch {
		case role == "server" && len(f) == 1 && f[0] == "listen":
			answer, err = s.listen()
		case role == "server" && len(f) == 2 && f[0] == "wait":
			err = s.wait(f[1])
		case role == "server" && len(f) == 1 && f[0] == "drained":
			err = s.drained()
		case role == "client" && len(f) == 3 && f[0] == "open":
			conns, err = openIdle(f[1], f[2], payload)
		case role == "client" && len(f) == 1 && f[0] == "close":
			for _, c := range conns {
				c.Close()
			}
			conns = nil
		default:
			err = fmt.Errorf("%s helper: unknown command %q", role, sc.Text())
		}
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println("ok", answer)
	}
}

// openIdle opens n connections to addr, each sending payload.
func openIdle(addr, count string, payload []byte) ([]net.Conn, error) {
	n, err := strconv.Atoi(count)
	if err != nil {
		return nil, fmt.Errorf("open: count %q: %w", count, err)
	}
	conns := make([]net.Conn, 0, n)
	for i := range n {
		c, err := net.DialTimeout("tcp4", addr, idleRound)
		if err == nil {
			_, err = c.Write(payload)
			conns = append(conns, c)
		}
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			return nil, fmt.Errorf("connection %d to %s: %w", i+1, addr, err)
		}
	}
	return conns, nil
}

// idleServer reads each connection's payload, counts it, then holds the
// connection with no buffer until the other side ends it.
type idleServer struct {
	want int

	mu      sync.Mutex
	open    map[net.Conn]bool
	relayed int
}

func (s *idleServer) listen() (string, error) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open[c] = true
			s.mu.Unlock()
			go s.serve(c)
		}
	}()
	return l.Addr().String(), nil
}

func (s *idleServer) serve(c net.Conn) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
	}()
	if _, err := io.ReadFull(c, make([]byte, s.want)); err != nil {
		return
	}
	s.mu.Lock()
	s.relayed++
	s.mu.Unlock()
	var one [1]byte
	for {
		if _, err := c.Read(one[:]); err != nil {
			return
		}
	}
}

// wait waits until count connections have sent their payload since the
// last wait.
func (s *idleServer) wait(count string) error {
	n, err := strconv.Atoi(count)
	if err != nil {
		return fmt.Errorf("wait: count %q: %w", count, err)
	}
	return s.until(func() bool {
		if s.relayed < n {
			return false
		}
		s.relayed -= n
		return true
	}, fmt.Sprintf("%d payloads", n))
}

func (s *idleServer) drained() error {
	return s.until(func() bool { return len(s.open) == 0 }, "no connection held")
}

// until polls done, under the lock, for at most idleRound.
func (s *idleServer) until(done func() bool, what string) error {
	for deadline := time.Now().Add(idleRound); ; time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		ok := done()
		s.mu.Unlock()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not reached in %s", what, idleRound)
		}
	}
}

// idleSinkAddr parses the server helper's address.
func idleSinkAddr(b *testing.B, s string) netip.AddrPort {
	a, err := netip.ParseAddrPort(s)
	if err != nil {
		b.Fatalf("server helper: address %q: %v", s, err)
	}
	return a
}
