package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// Proc is a started, long-running program (dnsmasq, a lab daemon).
type Proc interface {
	Pid() int
	Signal(sig os.Signal) error
	// Wait blocks until the program exits and returns its exit error.
	Wait() error
}

// Starter starts long-running programs; its output goes to the given writers.
type Starter interface {
	Start(ctx context.Context, c Cmd, stdout, stderr io.Writer) (Proc, error)
}

type execProc struct {
	cmd   *exec.Cmd
	group bool
}

func (p execProc) Pid() int    { return p.cmd.Process.Pid }
func (p execProc) Wait() error { return p.cmd.Wait() }

// Signal signals the program, or its whole process group when started with
// Group (the group outlives its leader while any member lives).
func (p execProc) Signal(sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !p.group || !ok {
		return p.cmd.Process.Signal(sig)
	}
	return syscall.Kill(-p.cmd.Process.Pid, s)
}

// Start starts c. When ctx ends the program gets SIGTERM, not SIGKILL, so it
// can clean up.
func (Exec) Start(ctx context.Context, c Cmd, stdout, stderr io.Writer) (Proc, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.Stdout, cmd.Stderr = stdout, stderr
	switch {
	case c.Detach:
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	case c.Group:
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if c.Stdin != "" {
		cmd.Stdin = strings.NewReader(c.Stdin)
	} else if c.In != nil {
		cmd.Stdin = c.In
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Name, err)
	}
	return execProc{cmd: cmd, group: c.Group && !c.Detach}, nil
}
