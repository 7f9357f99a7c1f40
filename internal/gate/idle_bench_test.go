package gate

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// idleConns is how many connections BenchmarkIdleConnections holds,
	// unless RBM_BENCH_IDLE_CONNS says otherwise (a smaller RLIMIT_NOFILE).
	idleConns = 10_000
	// idleFDs bounds the descriptors of one gated connection in this
	// process: the client's and the sink's sockets, the gate's two, and
	// a splice pipe (two descriptors) for each direction the gate relays,
	// which Go holds while a splice waits for data.
	idleFDs = 8
	// idleRound bounds one round of opening, and closing, every connection.
	idleRound = 2 * time.Minute
)

// BenchmarkIdleConnections reports what the gate holds per idle relayed
// connection. Client, gate and sink share this process, so it holds
// idleConns connections straight to the sink (direct), closes them, then
// as many through the gate (gated): the difference is the gate's share.
// One iteration is a whole round; run it with -benchtime 1x. Resident
// memory is the process's (VmRSS): the kernel's socket and pipe memory is
// not in it.
func BenchmarkIdleConnections(b *testing.B) {
	n := idleConns
	if v := os.Getenv("RBM_BENCH_IDLE_CONNS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("RBM_BENCH_IDLE_CONNS=%q: want a count of connections", v)
		}
	}
	raiseNofile(b, uint64(idleFDs*n+1024), n)
	// One application-data record after the hello ends the inspection:
	// the gate splices from then on, as for any TLS connection.
	payload := append(recordedHello(b), 23, 3, 3, 0, 1, 0)
	s := newIdleSink(b, len(payload), n)
	gateAddr := benchGate(b, s.addr)
	var direct, gated idleUsage
	for range b.N {
		direct = holdIdle(b, s, s.addr.String(), payload, n)
		gated = holdIdle(b, s, gateAddr, payload, n)
	}
	b.ReportMetric(gated.kib-direct.kib, "gate-KiB/conn")
	b.ReportMetric(gated.fds-direct.fds, "gate-fds/conn")
	b.ReportMetric(gated.goroutines-direct.goroutines, "gate-goroutines/conn")
	b.ReportMetric(direct.kib, "direct-KiB/conn")
	b.ReportMetric(gated.kib, "gated-KiB/conn")
}

// idleUsage is what the process grew by, per connection held.
type idleUsage struct{ kib, fds, goroutines float64 }

// holdIdle opens n connections to addr, each sending payload, and
// measures the process once the sink has read every payload; then closes
// them all and waits for the sink to see them end.
func holdIdle(b *testing.B, s *idleSink, addr string, payload []byte, n int) idleUsage {
	b.Helper()
	before := sample(b)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		s.waitClosed(b, time.Now().Add(idleRound))
	}()
	deadline := time.Now().Add(idleRound)
	// One at a time: benchGate's gate has DefaultMaxConns, past which a
	// new connection evicts any still being read; waiting for each to
	// reach the sink keeps none being read when the next arrives.
	for i := range n {
		c, err := net.DialTimeout("tcp4", addr, time.Until(deadline))
		if err != nil {
			b.Fatalf("connection %d to %s: %v", i+1, addr, err)
		}
		conns = append(conns, c)
		if _, err := c.Write(payload); err != nil {
			b.Fatalf("connection %d to %s: write: %v", i+1, addr, err)
		}
		select {
		case <-s.relayed:
		case <-time.After(time.Until(deadline)):
			b.Fatalf("connection %d to %s: the sink had not read it in %s", i+1, addr, idleRound)
		}
	}
	steady(b, deadline)
	after := sample(b)
	per := float64(n)
	return idleUsage{kib: (after.kib - before.kib) / per, fds: (after.fds - before.fds) / per,
		goroutines: (after.goroutines - before.goroutines) / per}
}

// steady waits until the descriptor count holds still: the gate's last
// connections move from reading the hello to splicing (a pipe each way)
// just after the sink has read their payload.
func steady(b *testing.B, deadline time.Time) {
	for last := -1.0; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		n := float64(countFDs(b))
		if n == last {
			return
		}
		last = n
	}
	b.Fatal("the descriptor count did not settle")
}

// sample measures the process after a collection that also returns freed
// memory to the system, so the previous round's garbage is not counted.
func sample(b *testing.B) idleUsage {
	debug.FreeOSMemory()
	return idleUsage{kib: float64(vmRSS(b)), fds: float64(countFDs(b)), goroutines: float64(runtime.NumGoroutine())}
}

// vmRSS is the process's resident memory in KiB.
func vmRSS(b *testing.B) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatalf("resident memory: %v", err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:")); ok {
			n, err := strconv.Atoi(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))))
			if err != nil {
				b.Fatalf("resident memory: VmRSS %q: %v", v, err)
			}
			return n
		}
	}
	b.Fatal("resident memory: no VmRSS in /proc/self/status")
	return 0
}

func countFDs(b *testing.B) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		b.Fatalf("open descriptors: %v", err)
	}
	return len(fds)
}

// raiseNofile raises the soft RLIMIT_NOFILE to need, up to the hard limit,
// or skips: an unprivileged test cannot raise the hard one.
func raiseNofile(b *testing.B, need uint64, conns int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatalf("RLIMIT_NOFILE: %v", err)
	}
	if lim.Max < need {
		b.Skipf("RLIMIT_NOFILE hard limit %d is below the %d descriptors %d connections need (ulimit -Hn, or fewer with RBM_BENCH_IDLE_CONNS)", lim.Max, need, conns)
	}
	if lim.Cur >= need {
		return
	}
	old := lim
	lim.Cur = need
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatalf("raise RLIMIT_NOFILE to %d: %v", need, err)
	}
	b.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// idleSink reads want bytes of each connection, says so on relayed, and
// then holds it with no buffer until the other side ends it.
type idleSink struct {
	addr    netip.AddrPort
	relayed chan struct{}

	mu   sync.Mutex
	open map[net.Conn]bool
}

func newIdleSink(b *testing.B, want, conns int) *idleSink {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &idleSink{addr: l.Addr().(*net.TCPAddr).AddrPort(), relayed: make(chan struct{}, conns), open: map[net.Conn]bool{}}
	b.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		for c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open[c] = true
			s.mu.Unlock()
			go s.serve(c, want)
		}
	}()
	return s
}

func (s *idleSink) serve(c net.Conn, want int) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
	}()
	if _, err := io.ReadFull(c, make([]byte, want)); err != nil {
		return
	}
	s.relayed <- struct{}{}
	var one [1]byte
	for {
		if _, err := c.Read(one[:]); err != nil {
			return
		}
	}
}

// waitClosed waits until the sink holds no connection.
func (s *idleSink) waitClosed(b *testing.B, deadline time.Time) {
	for {
		s.mu.Lock()
		n := len(s.open)
		s.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Errorf("the sink still holds %d connections", n) // not Fatal: called while a Fatal unwinds too
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
