package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sysctls reads and writes kernel parameters of the current network
// namespace. It is the seam for /proc/sys, as Runner is for programs.
type Sysctls interface {
	Get(key string) (string, error)
	Set(key, value string) error
}

// ProcSys is the real /proc/sys.
type ProcSys struct{}

func sysctlPath(key string) string {
	return filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
}

// Get returns the current value of key, e.g. net.ipv4.ip_forward.
func (ProcSys) Get(key string) (string, error) {
	b, err := os.ReadFile(sysctlPath(key))
	if err != nil {
		return "", fmt.Errorf("read sysctl %s: %w", key, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Set writes value to key.
func (ProcSys) Set(key, value string) error {
	if err := os.WriteFile(sysctlPath(key), []byte(value), 0o644); err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", key, value, err)
	}
	return nil
}
