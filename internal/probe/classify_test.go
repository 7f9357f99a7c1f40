package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	wrap := func(e error) error {
		return fmt.Errorf("probe: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)})
	}
	cases := []struct {
		err  error
		want Outcome
	}{
		{wrap(syscall.ECONNREFUSED), Refused},
		{wrap(syscall.ECONNRESET), Refused},
		{wrap(syscall.EHOSTUNREACH), Unreachable},
		{wrap(syscall.ENETUNREACH), Unreachable},
		{wrap(syscall.EAFNOSUPPORT), Unreachable},
		{wrap(syscall.EADDRNOTAVAIL), Unreachable},
		{wrap(syscall.EACCES), Denied},
		{wrap(syscall.EPERM), Denied},
		{wrap(os.ErrDeadlineExceeded), Timeout},
		{context.DeadlineExceeded, Timeout},
		{wrap(syscall.EINVAL), Error},
		{errors.New("tls: unknown authority"), Error},
	}
	for _, c := range cases {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}
