package probe

import (
	"context"
	"fmt"
	"math/rand/v2"

	"golang.org/x/sys/unix"
)

// probeRawTCP sends one TCP segment with s.Flags to s.Target, belonging to
// no connection, and watches for what comes back: a reset from the far
// host means the segment got through (refused), silence means it did not
// (or, for a reset, that nothing answers one: only counters tell).
func probeRawTCP(ctx context.Context, s Spec) Result {
	dst, dport, err := hostPort4(ctx, s.Target)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("raw-tcp probe: %v", err)}
	}
	flags, err := tcpFlags(s.Flags)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}
	}
	src, err := localAddrFor(dst)
	if err != nil {
		return failed(fmt.Errorf("raw-tcp probe: %w", err))
	}
	w, err := openWatcher(unix.IPPROTO_TCP, unix.IPPROTO_ICMP)
	if err != nil {
		return failed(err)
	}
	defer w.close()
	sport := randPort()
	seg := tcpSegment(src, dst, sport, dport, rand.Uint32(), flags)
	if err := sendRaw(dst, append(ipv4Header(src, dst, unix.IPPROTO_TCP, rand.IntN(0xfffe)+1, 0, false, len(seg)), seg...)); err != nil {
		return failed(err)
	}
	r := w.wait(ctx, synReply(dst, dport, sport))
	if r.Outcome == Timeout && flags&tcpRST != 0 {
		return Result{Outcome: Sent, Detail: fmt.Sprintf("TCP %s to %s: no reply expected", s.Flags, s.Target)}
	}
	return r
}

// tcpFlags parses "S", "A", "R", "F" (and combinations).
func tcpFlags(s string) (byte, error) {
	var f byte
	for _, c := range s {
		switch c {
		case 'S':
			f |= tcpSYN
		case 'A':
			f |= tcpACK
		case 'R':
			f |= tcpRST
		case 'F':
			f |= 0x01
		default:
			return 0, fmt.Errorf("raw-tcp probe: flag %q: want S, A, R or F", c)
		}
	}
	if f == 0 {
		return 0, fmt.Errorf("raw-tcp probe: no flags")
	}
	return f, nil
}
