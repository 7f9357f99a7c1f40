package podman

import (
	"context"
	"fmt"
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
