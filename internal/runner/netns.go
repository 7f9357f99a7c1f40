package runner

import (
	"context"
	"io"
)

// InNetns runs every command inside the named network namespace through
// `ip netns exec`, so code written for "this namespace" works on any.
type InNetns struct {
	Name  string
	Inner interface {
		Runner
		Starter
	}
}

func (n InNetns) wrap(c Cmd) Cmd {
	return Cmd{Name: "ip", Args: append([]string{"netns", "exec", n.Name, c.Name}, c.Args...), Stdin: c.Stdin, Detach: c.Detach}
}

// Run runs c inside the namespace.
func (n InNetns) Run(ctx context.Context, c Cmd) ([]byte, error) {
	return n.Inner.Run(ctx, n.wrap(c))
}

// Start starts c inside the namespace.
func (n InNetns) Start(ctx context.Context, c Cmd, stdout, stderr io.Writer) (Proc, error) {
	return n.Inner.Start(ctx, n.wrap(c), stdout, stderr)
}
