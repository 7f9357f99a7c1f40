package lab

import (
	"fmt"
	"io"
	"os"
)

// copyExecutable copies the rbm binary into the lab's state directory
// (mode 0755 under /run/rbm, 0755). The bottle's probes run as the bottle's
// user, who may not be able to reach the binary where it was built (a home
// directory, go test's private build directory).
func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("lab: copy rbm: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("lab: copy rbm: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("lab: copy rbm: %w", err)
	}
	return out.Close()
}
