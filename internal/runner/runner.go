// Package runner is the one seam through which rbm runs other programs
// (iptables-restore, dnsmasq, ip, podman). Tests replace it with a Fake.
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Cmd is one program invocation. Stdin, when set, is fed whole.
type Cmd struct {
	Name  string
	Args  []string
	Stdin string
	// Detach starts the program in its own session, so it outlives rbm
	// (lab daemons). Only Start honours it.
	Detach bool
	// Group starts the program in its own process group and makes
	// Proc.Signal signal the whole group, so children it forked (dnsmasq's
	// TCP workers) go with it. Only Start honours it.
	Group bool
	// In is the program's standard input for Start when Stdin is empty: a
	// stream that stays open (rbm observe holds podman exec's open, and
	// closes it to end the program inside the container).
	In io.Reader
}

// String renders the command line as a user would type it (for plans and logs).
func (c Cmd) String() string {
	parts := append([]string{c.Name}, c.Args...)
	for i, p := range parts {
		parts[i] = Quote(p)
	}
	return strings.Join(parts, " ")
}

// Runner runs commands and returns their standard output.
type Runner interface {
	Run(ctx context.Context, c Cmd) ([]byte, error)
}

// Exec runs commands on the real system.
type Exec struct{}

// ExitError carries the failing command and its standard error.
type ExitError struct {
	Cmd    Cmd
	Stderr string
	Err    error
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		return fmt.Sprintf("%s: %v", e.Cmd.Name, e.Err)
	}
	return fmt.Sprintf("%s: %v: %s", e.Cmd.Name, e.Err, msg)
}

func (e *ExitError) Unwrap() error { return e.Err }

// Run executes c and returns its standard output; a non-zero exit is an *ExitError.
func (Exec) Run(ctx context.Context, c Cmd) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if c.Stdin != "" {
		cmd.Stdin = strings.NewReader(c.Stdin)
	}
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), &ExitError{Cmd: c, Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// IsNotFound reports whether err means the program does not exist.
func IsNotFound(err error) bool {
	return errors.Is(err, exec.ErrNotFound)
}

// Quote shell-quotes s when it needs it, so printed commands can be pasted.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
