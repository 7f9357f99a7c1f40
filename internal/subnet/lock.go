package subnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// LockPath is the lock two rbm starts take around their choice: per user,
// as rootless runtimes' networks are per user too.
func LockPath() string {
	if os.Geteuid() == 0 {
		return "/run/rbm/subnet.lock"
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "rbm", "subnet.lock")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("rbm-%d", os.Geteuid()), "subnet.lock")
}

// pollLock is how often a waiting start tries the lock again.
const pollLock = 100 * time.Millisecond

// Lock takes the exclusive lock at path, waiting until ctx ends. The
// returned release may be called more than once; the kernel drops the
// lock anyway when the process exits.
func Lock(ctx context.Context, path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("subnet lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("subnet lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			var once sync.Once
			return func() { once.Do(func() { f.Close() }) }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("subnet lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("subnet lock %s: another rbm start holds it: %w", path, ctx.Err())
		case <-time.After(pollLock):
		}
	}
}
