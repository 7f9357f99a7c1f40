package podman

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// MinVersion is the oldest Podman rbm is tested with.
var MinVersion = [2]int{4, 3}

// Version returns the podman client's version string, e.g. "4.3.1".
func Version(ctx context.Context, r runner.Runner) (string, error) {
	out, err := r.Run(ctx, podman("version", "--format", "{{.Client.Version}}"))
	if err != nil {
		if runner.IsNotFound(err) {
			return "", fmt.Errorf("podman not found: install Podman %d.%d or newer", MinVersion[0], MinVersion[1])
		}
		return "", fmt.Errorf("podman version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// versionAtLeast reports whether v ("4.3.1", "5.0.0-rc1") is at least min.
func versionAtLeast(v string, min [2]int) (bool, error) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false, fmt.Errorf("unexpected podman version %q", v)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(leadingDigits(parts[1]))
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("unexpected podman version %q", v)
	}
	return major > min[0] || major == min[0] && minor >= min[1], nil
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
