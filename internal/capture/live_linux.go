package capture

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// Live captures frames on the interface ifname of the current network
// namespace, in both directions, and writes them to w until a limit is
// reached or ctx ends. It returns how many frames it wrote.
func Live(ctx context.Context, ifname string, lim Limits, w *Writer) (int, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return 0, fmt.Errorf("capture: %w", err)
	}
	proto := htons(unix.ETH_P_ALL)
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(proto))
	if err != nil {
		return 0, fmt.Errorf("capture: packet socket (needs NET_RAW): %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifi.Index}); err != nil {
		return 0, fmt.Errorf("capture: bind to %s: %w", ifname, err)
	}
	end := time.Now().Add(lim.Duration)
	buf := make([]byte, Snap)
	n := 0
	for n < lim.Count && ctx.Err() == nil {
		left := time.Until(end)
		if left <= 0 {
			break
		}
		// Wake at least every 200 ms to see ctx and the deadline.
		tv := unix.NsecToTimeval(min(left, 200*time.Millisecond).Nanoseconds())
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return n, fmt.Errorf("capture: %w", err)
		}
		size, _, err := unix.Recvfrom(fd, buf, unix.MSG_TRUNC)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("capture: %w", err)
		}
		kept := min(size, len(buf))
		if err := w.Packet(time.Now(), buf[:kept], size); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
