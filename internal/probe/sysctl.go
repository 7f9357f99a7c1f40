package probe

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultSysctlKey is the sysctl a sysctl probe writes when its Spec sets
// no Target.
const DefaultSysctlKey = "net.ipv4.conf.all.forwarding"

// sysctlRoot is where the kernel shows sysctls; /proc/sys/net shows those
// of the reader's network namespace.
const sysctlRoot = "/proc/sys"

// probeSysctl reads the network sysctl s.Target (DefaultSysctlKey when
// unset) and writes the same value back, so that it changes nothing even
// when allowed. Denied when the kernel refuses the write (EACCES, EPERM,
// or EROFS for a read-only /proc/sys), Changed when it accepts it.
func probeSysctl(ctx context.Context, s Spec) Result {
	key := cmp.Or(s.Target, DefaultSysctlKey)
	file, err := sysctlPath(key)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("sysctl probe: %v", err)}
	}
	if err := ctx.Err(); err != nil {
		return failed(fmt.Errorf("sysctl probe: %w", err))
	}
	old, err := os.ReadFile(file)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("sysctl probe: read %s: %v", key, err)}
	}
	if len(old) == 0 {
		return Result{Outcome: Error, Detail: fmt.Sprintf("sysctl probe: %s reads empty: nothing to write back", key)}
	}
	// Writes to /proc/sys do not wait on the network: no deadline needed.
	if err := writeSysctl(file, old); err != nil {
		return sysctlFailed(key, err)
	}
	return Result{Outcome: Changed, Detail: fmt.Sprintf("wrote %s = %q back", key, bytes.TrimSpace(old))}
}

// sysctlPath maps a network sysctl key to its file, as sysctl(8) does:
// "net.ipv4.ip_forward" with dots, or "net/ipv4/conf/eth0.1/forwarding"
// with slashes when a name holds a dot. Only keys under net are allowed.
func sysctlPath(key string) (string, error) {
	rel := key
	if !strings.Contains(key, "/") {
		rel = strings.ReplaceAll(key, ".", "/")
	}
	parts := strings.Split(rel, "/")
	if len(parts) < 2 || parts[0] != "net" {
		return "", fmt.Errorf("%q is not a network sysctl (net.*)", key)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return "", fmt.Errorf("sysctl key %q: empty, . or .. component", key)
		}
	}
	return path.Join(sysctlRoot, rel), nil
}

// writeSysctl writes value to a sysctl file in one write, as the kernel
// wants it.
func writeSysctl(file string, value []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(value); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sysctlFailed builds the Result of a sysctl write that failed.
func sysctlFailed(key string, err error) Result {
	detail := fmt.Sprintf("write %s: %v", key, err)
	var errno unix.Errno
	if errors.As(err, &errno) {
		detail += " (" + unix.ErrnoName(errno) + ")"
	}
	switch {
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM), errors.Is(err, unix.EROFS):
		return Result{Outcome: Denied, Detail: detail}
	}
	return Result{Outcome: Error, Detail: detail}
}
