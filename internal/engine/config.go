package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// LiveConfig reads the configuration the running sentry applies (after a
// reload, not its container's environment) and where it comes from.
func LiveConfig(ctx context.Context, rt Runtime, r runner.Runner, n Names) (*config.Config, string, error) {
	return liveConfig(ctx, rt, r, n)
}

// ResolvedConfig is LiveConfig with an unset RBRR_DNS_SERVER filled by the
// resolver the sentry forwards to (its runtime's): what verify judges the
// upstream by. A sentry image older than that flag gives LiveConfig's.
func ResolvedConfig(ctx context.Context, rt Runtime, r runner.Runner, n Names) (*config.Config, string, error) {
	c, source, err := liveConfig(ctx, rt, r, n, "--resolved")
	var ee *runner.ExitError
	if errors.As(err, &ee) && strings.Contains(ee.Stderr, "unknown flag: --resolved") {
		return liveConfig(ctx, rt, r, n)
	}
	return c, source, err
}

func liveConfig(ctx context.Context, rt Runtime, r runner.Runner, n Names, flags ...string) (*config.Config, string, error) {
	out, err := r.Run(ctx, Exec(rt, n.Sentry, false, append([]string{"rbm", "sentry", "config"}, flags...)...))
	if err != nil {
		return nil, "", fmt.Errorf("read the live configuration of %s (is the service running? rbm status): %w", n.Sentry, err)
	}
	source := ""
	var env []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, "# live configuration: "); ok {
			source = s
			continue
		}
		if line != "" {
			env = append(env, line)
		}
	}
	c, _, err := config.Load(nil, env)
	if err != nil {
		return nil, "", fmt.Errorf("the sentry's live configuration: %w", err)
	}
	return c, source, nil
}

// InstallConfigCmd stages cfg in the running sentry and signals it to
// apply it (rbm sentry install-config, in the sentry's container).
func InstallConfigCmd(rt Runtime, n Names, cfg *config.Config) runner.Cmd {
	c := Exec(rt, n.Sentry, true, "rbm", "sentry", "install-config")
	c.Stdin = strings.Join(cfg.Environ(), "\n") + "\n"
	return c
}
