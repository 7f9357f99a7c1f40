package gate

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"testing"
	"time"
)

const (
	// idleConns is how many connections BenchmarkIdleConnections holds,
	// unless RBM_BENCH_IDLE_CONNS says otherwise (a smaller RLIMIT_NOFILE).
	idleConns = 10_000
	// idleFDs bounds the descriptors of one idle relayed connection in the
	// gate's process: its two sockets (an idle direction holds no splice
	// pipe). idleBaseFDs is the rest of the process (runtime, listener).
	idleFDs, idleBaseFDs = 2, 32
	// idleRound bounds one round of opening, and closing, every connection.
	idleRound = 3 * time.Minute
)

// BenchmarkIdleConnections reports what the gate holds per idle relayed
// connection. The clients and the server they reach run in a helper
// process (idleHelper), so this process holds only the gate, and its
// growth while the connections are held is the gate's share. One
// iteration is a whole round; run it with -benchtime 1x. Resident memory
// is the process's (VmRSS): the kernel's socket memory is not in it.
func BenchmarkIdleConnections(b *testing.B) {
	n := idleConns
	if v := os.Getenv("RBM_BENCH_IDLE_CONNS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("RBM_BENCH_IDLE_CONNS=%q: want a count of connections", v)
		}
	}
	raiseNofile(b, uint64(idleFDs*n+idleBaseFDs), n)
	server, client := startIdleHelper(b, "server"), startIdleHelper(b, "client")
	// The cap on connections at once is raised to n: the sentry's gate
	// keeps DefaultMaxConns.
	gateAddr := benchGateConns(b, idleSinkAddr(b, server.do(b, "listen")), n)
	var u idleUsage
	for range b.N {
		u = holdIdle(b, server, client, gateAddr, n)
	}
	b.ReportMetric(u.kib, "gate-KiB/conn")
	b.ReportMetric(u.fds, "gate-fds/conn")
	b.ReportMetric(u.goroutines, "gate-goroutines/conn")
}

// idleUsage is what the process grew by, per connection held.
type idleUsage struct{ kib, fds, goroutines float64 }

// holdIdle has the client helper open n connections through the gate at
// addr and measures this process once the server helper has read every
// payload; then has them closed and waits for the server to see them end.
func holdIdle(b *testing.B, server, client *idleHelper, addr string, n int) idleUsage {
	b.Helper()
	before := sample(b)
	client.do(b, fmt.Sprintf("open %s %d", addr, n))
	server.do(b, fmt.Sprintf("wait %d", n))
	steady(b, time.Now().Add(idleRound))
	after := sample(b)
	client.do(b, "close")
	server.do(b, "drained")
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
