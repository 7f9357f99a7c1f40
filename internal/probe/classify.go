package probe

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// classify maps a socket error to an Outcome. The kernel reports what
// happened to a probe through errno values; these are the ones that tell a
// firewall's verdict apart from a plain failure.
func classify(err error) Outcome {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Timeout
	case errors.As(err, &ne) && ne.Timeout():
		return Timeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		// A TCP reset, or ICMP port unreachable on a connected socket.
		return Refused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.ENETDOWN), errors.Is(err, syscall.EHOSTDOWN),
		errors.Is(err, syscall.EAFNOSUPPORT), errors.Is(err, syscall.EADDRNOTAVAIL):
		// No route, an ICMP unreachable or admin-prohibited from a router,
		// no IPv6 stack at all, or no source address of that family (IPv6
		// disabled on the interface).
		return Unreachable
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		// No capability, a prohibit route, or a local firewall drop.
		return Denied
	}
	return Error
}

// failed builds the Result of a probe that ended with err.
func failed(err error) Result {
	return Result{Outcome: classify(err), Detail: err.Error()}
}
