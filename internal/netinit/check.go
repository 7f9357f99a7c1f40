package netinit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// route is one entry of `ip -j -4 route show`.
type route struct {
	Type    string `json:"type"`
	Dst     string `json:"dst"`
	Gateway string `json:"gateway"`
}

// Check verifies that the only default route goes via r.Via and that
// r.Block is prohibited.
func Check(ctx context.Context, run runner.Runner, r Routes) error {
	out, err := run.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"-j", "-4", "route", "show"}})
	if err != nil {
		return fmt.Errorf("netinit: read routes: %w", err)
	}
	var routes []route
	if err := json.Unmarshal(out, &routes); err != nil {
		return fmt.Errorf("netinit: parse `ip -j -4 route show`: %w", err)
	}
	return verify(routes, r)
}

func verify(routes []route, r Routes) error {
	var defaults []string
	blocked := false
	for _, rt := range routes {
		switch {
		case rt.Dst == "default":
			defaults = append(defaults, rt.Gateway)
		case rt.Type == "prohibit" && (rt.Dst == r.Block.String() || rt.Dst == r.Block.String()+"/32"):
			blocked = true
		}
	}
	if len(defaults) != 1 || defaults[0] != r.Via.String() {
		return fmt.Errorf("netinit: default routes via %v, want exactly one via %s", defaults, r.Via)
	}
	if !blocked {
		return fmt.Errorf("netinit: no prohibit route for the bridge address %s", r.Block)
	}
	return nil
}
