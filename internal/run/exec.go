package run

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// ExecCmd runs argv in the bottle as its user: standard input always
// (-i), a terminal with tty (-t), the -e variables (a bare name: the
// runtime takes the host's value) and -w.
func ExecCmd(rt engine.Runtime, moniker string, tty bool, s *Spec, argv []string) runner.Cmd {
	args := []string{"exec", "-i"}
	if tty {
		args = append(args, "-t")
	}
	for _, e := range s.Env {
		args = append(args, "-e", e.Arg())
	}
	if s.Workdir != "" {
		args = append(args, "-w", s.Workdir)
	}
	args = append(args, engine.NamesFor(moniker).Bottle)
	return engine.Cmd(rt, append(args, argv...)...)
}

// DefaultCommand is the image's entrypoint and command, what it would run
// by itself (the bottle runs a keep-alive instead, see config.KeepAlive).
func DefaultCommand(ctx context.Context, rt engine.Runtime, r runner.Runner, image string) ([]string, error) {
	out, err := r.Run(ctx, engine.Cmd(rt, "image", "inspect", "--format", "{{json .Config.Entrypoint}}\t{{json .Config.Cmd}}", image))
	if err != nil {
		return nil, fmt.Errorf("read the default command of %s: %w", image, err)
	}
	return parseDefault(string(out), image)
}

func parseDefault(out, image string) ([]string, error) {
	ep, cmd, ok := strings.Cut(strings.TrimSpace(out), "\t")
	var a, b []string
	if !ok || json.Unmarshal([]byte(ep), &a) != nil || json.Unmarshal([]byte(cmd), &b) != nil {
		return nil, fmt.Errorf("read the default command of %s: unexpected answer %q", image, out)
	}
	argv := append(a, b...)
	if len(argv) == 0 {
		return nil, fmt.Errorf("image %s has no default command: give one after --", image)
	}
	return argv, nil
}
