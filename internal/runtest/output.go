package runtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// LockedBuffer is rbm's stderr, written by exec's copier while the test
// reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Reset empties the buffer for the next run.
func (l *LockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

// WaitRunning waits until rbm run's stderr names its service and
// running(moniker) says its bottle runs, and returns the moniker; it
// fails the test with the stderr after three minutes.
func WaitRunning(t testing.TB, stderr *LockedBuffer, running func(moniker string) bool) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if _, after, ok := strings.Cut(stderr.String(), "bottle service run-"); ok {
			m, _, _ := strings.Cut(after, " ")
			if m = "run-" + m; running(m) {
				time.Sleep(time.Second) // the exec starts right after
				return m
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("rbm run's bottle did not start:\n%s", stderr.String())
	return ""
}

// OnCommandLine reports whether any process's command line holds s.
func OnCommandLine(s string) bool {
	return anyCommandLine(func(b []byte) bool { return bytes.Contains(b, []byte(s)) })
}

// anyCommandLine reports whether match holds for any process's command
// line (its arguments, each ended by NUL).
func anyCommandLine(match func([]byte) bool) bool {
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && match(b) {
			return true
		}
	}
	return false
}

// waitProcess waits until a process runs with exactly argv, failing the
// test after three minutes: a signal sent before the bottle's exec began
// would find another process. (rbm's and the engine's own command lines
// hold argv too, but not alone.)
func waitProcess(t testing.TB, argv ...string) {
	t.Helper()
	want := []byte(strings.Join(argv, "\x00") + "\x00")
	exactly := func(b []byte) bool { return bytes.Equal(b, want) }
	for deadline := time.Now().Add(3 * time.Minute); !anyCommandLine(exactly); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no process ran %q", argv)
		}
	}
}
