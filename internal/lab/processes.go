package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// daemon starts the lab's rbm with args inside the namespace of role,
// detached, with its output in dir/<name>.log.
func (l *Lab) daemon(ctx context.Context, info *Info, role, name string, args ...string) (string, runner.Proc, error) {
	logPath := filepath.Join(StateDir(l.Prefix), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return "", nil, fmt.Errorf("lab log: %w", err)
	}
	defer f.Close()
	ns := runner.InNetns{Name: Namespace(l.Prefix, role), Inner: l.Runner}
	proc, err := ns.Start(context.WithoutCancel(ctx), runner.Cmd{Name: info.RBM, Args: args, Detach: true}, f, f)
	if err != nil {
		return "", nil, fmt.Errorf("start %s: %w", name, err)
	}
	go proc.Wait() // reap it if it dies while rbm still runs
	return logPath, proc, nil
}

// startWan runs the stand-in internet and waits until it listens.
func (l *Lab) startWan(ctx context.Context, info *Info) error {
	path := filepath.Join(StateDir(l.Prefix), "wan.json")
	if err := writeJSON(path, wanConfig(info)); err != nil {
		return err
	}
	logPath, _, err := l.daemon(ctx, info, Wan, "wan", "standin", "--config", path)
	if err != nil {
		return err
	}
	return waitFor(ctx, "the stand-in internet", logPath, func(context.Context) error {
		b, _ := os.ReadFile(logPath)
		if bytes.Contains(b, []byte("ready")) {
			return nil
		}
		return fmt.Errorf("not listening yet")
	})
}

// startSentry runs the real `rbm sentry` with the lab's configuration and
// waits until `rbm sentry ready` holds.
func (l *Lab) startSentry(ctx context.Context, cfg *config.Config, info *Info) error {
	env := filepath.Join(StateDir(l.Prefix), "sentry.env")
	text := "# written by rbm lab up: the resolved configuration\n" + strings.Join(cfg.Environ(), "\n") + "\n"
	if err := os.WriteFile(env, []byte(text), 0o644); err != nil {
		return fmt.Errorf("lab sentry env: %w", err)
	}
	logPath, _, err := l.daemon(ctx, info, Sentry, "sentry", "sentry", "--regime", env, "--state-dir", info.SentryDir)
	if err != nil {
		return err
	}
	ns := runner.InNetns{Name: Namespace(l.Prefix, Sentry), Inner: l.Runner}
	return waitFor(ctx, "the sentry", logPath, func(ctx context.Context) error {
		_, err := ns.Run(ctx, runner.Cmd{Name: info.RBM, Args: []string{"sentry", "ready", "--state-dir", info.SentryDir}})
		return err
	})
}

// waitFor polls check until it passes; on timeout the error carries the
// daemon's last log lines, which usually say why.
func waitFor(ctx context.Context, what, logPath string, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not become ready: %v\n--- %s (last lines) ---\n%s", what, err, logPath, tail(logPath, 15))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
