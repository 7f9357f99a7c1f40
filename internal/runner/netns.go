package runner

import (
	"context"
	"fmt"
	"io"
)

// InNetns runs every command inside the named network namespace through
// `ip netns exec`, so code written for "this namespace" works on any.
type InNetns struct {
	Name  string
	Inner Runner // must also be a Starter for Start
}

func (n InNetns) wrap(c Cmd) Cmd {
	return Cmd{Name: "ip", Args: append([]string{"netns", "exec", n.Name, c.Name}, c.Args...), Stdin: c.Stdin, Detach: c.Detach, Group: c.Group}
}

// Run runs c inside the namespace.
func (n InNetns) Run(ctx context.Context, c Cmd) ([]byte, error) {
	return n.Inner.Run(ctx, n.wrap(c))
}

// Start starts c inside the namespace.
func (n InNetns) Start(ctx context.Context, c Cmd, stdout, stderr io.Writer) (Proc, error) {
	st, ok := n.Inner.(Starter)
	if !ok {
		return nil, fmt.Errorf("start %s in %s: the runner cannot start programs", c.Name, n.Name)
	}
	return st.Start(ctx, n.wrap(c), stdout, stderr)
}
