package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/recipe-bottle/rbm/internal/enginehost"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Where tells where rt's containers run. A runtime that cannot say (an old
// engine, a fake) is taken to run them on this machine when that is Linux,
// as before; on any other OS they run in a VM whatever it says.
func Where(ctx context.Context, rt Runtime, r runner.Runner) (enginehost.Host, error) {
	h, err := rt.Host(ctx, r)
	if err != nil && runtime.GOOS == "linux" {
		return enginehost.Host{Engine: rt.Name(), OS: "linux"}, err
	}
	if runtime.GOOS != "linux" && !h.InVM() {
		h.Remote = true // a Mac's engine is never on the Mac itself
	}
	return h, err
}

// hostRoutes reads the IPv4 routes where the containers run: this
// machine's, or, with the engine in a VM, the VM's, through a throwaway
// container on the VM's host network from image (the sentry image, which
// has ip). Unparsable output is no routes (the runtime's own overlap check
// still stands behind).
func hostRoutes(ctx context.Context, r runner.Runner, rt Runtime, h enginehost.Host, image string) ([]hostRoute, error) {
	cmd := cmdIP("-j", "-4", "route", "show")
	if h.InVM() {
		if image == "" {
			return nil, fmt.Errorf("the engine runs in a VM and no image is at hand to read its routes with")
		}
		cmd = Cmd(rt, append([]string{"run", "--rm", "--network", "host", "--entrypoint", "ip", image}, cmd.Args...)...)
	}
	out, err := r.Run(ctx, cmd)
	if err != nil {
		return nil, err
	}
	var routes []hostRoute
	if json.Unmarshal(out, &routes) != nil {
		return nil, nil
	}
	return routes, nil
}
