//go:build !linux

package capture

import (
	"context"
	"errors"
)

// Live needs a Linux packet socket; elsewhere (rbm on macOS) the capture
// runs inside the sentry container, through `rbm capture --moniker`.
func Live(context.Context, string, Limits, *Writer) (int, error) {
	return 0, errors.New("capture: a live capture runs on Linux only (inside the sentry; use rbm capture --moniker)")
}
