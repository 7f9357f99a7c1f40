//go:build !linux

package gate

import (
	"io"
	"net"
)

// relayData copies src to dst until src ends.
func relayData(dst, src *net.TCPConn) error {
	_, err := io.Copy(dst, src)
	return err
}
