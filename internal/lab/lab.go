package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// startTimeout bounds the wait for the stand-in internet and the sentry.
const startTimeout = 20 * time.Second

// Lab is one lab instance, named by its prefix.
type Lab struct {
	Prefix string
	RBM    string // path of the rbm binary run inside the namespaces
	Runner interface {
		runner.Runner
		runner.Starter
	}
}

// Info describes a running lab; it is saved in the state directory.
type Info struct {
	Prefix     string            `json:"prefix"`
	Namespaces map[string]string `json:"namespaces"`
	Addresses  Addresses         `json:"addresses"`
	Policy     policy.Policy     `json:"policy"`
	BottleUID  int               `json:"bottle_uid"`
	CAFile     string            `json:"ca_file"`
	Stats      string            `json:"stats_socket"`
	SentryDir  string            `json:"sentry_state_dir"`
	RBM        string            `json:"rbm"` // the lab's own copy of rbm, runnable by the bottle's user
	Records    map[string]string `json:"records"`
	Firewall   string            `json:"firewall"` // the sentry's RBRR_FIREWALL_BACKEND
}

// Up builds the lab for cfg and starts the stand-in internet and the real
// sentry. On any failure everything created so far is removed.
func (l *Lab) Up(ctx context.Context, cfg *config.Config) (*Info, error) {
	if err := CheckPrefix(l.Prefix); err != nil {
		return nil, err
	}
	if existing := l.existing(ctx); len(existing) > 0 {
		return nil, fmt.Errorf("lab %q is already up (namespaces %s); run `rbm lab down --prefix %s` first", l.Prefix, strings.Join(existing, ", "), l.Prefix)
	}
	info, err := l.up(ctx, cfg)
	if err != nil {
		if derr := l.Down(context.WithoutCancel(ctx)); derr != nil {
			err = errors.Join(err, fmt.Errorf("cleanup: %w", derr))
		}
		return nil, err
	}
	return info, nil
}

func (l *Lab) up(ctx context.Context, cfg *config.Config) (*Info, error) {
	a, err := PlanAddresses(cfg.Policy())
	if err != nil {
		return nil, err
	}
	if err := WithHost(cfg, a); err != nil {
		return nil, err
	}
	p := cfg.Policy()
	dir := StateDir(l.Prefix)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab state directory: %w", err)
	}
	info := l.info(cfg, p, a, dir)
	if err := copyExecutable(l.RBM, info.RBM); err != nil {
		return nil, err
	}
	if err := build(ctx, l.Runner, topology(l.Prefix, p, a, cfg.BottleUID)); err != nil {
		return nil, err
	}
	if err := writeResolvConf(Namespace(l.Prefix, Bottle), p.SentryIP.String(), "the bottle resolves through the sentry"); err != nil {
		return nil, err
	}
	// The sentry's "runtime resolver" is the stand-in upstream, as a
	// container runtime writes the host's into the sentry's resolv.conf:
	// with RBRR_DNS_SERVER unset the lab's sentry forwards there, never to
	// the machine's own resolver.
	if err := writeResolvConf(Namespace(l.Prefix, Sentry), a.Upstream.String(), "the sentry's runtime resolver is the stand-in upstream"); err != nil {
		return nil, err
	}
	if err := l.startWan(ctx, info); err != nil {
		return nil, err
	}
	if err := l.startSentry(ctx, cfg, info); err != nil {
		return nil, err
	}
	return info, saveInfo(dir, info)
}

func (l *Lab) info(cfg *config.Config, p policy.Policy, a Addresses, dir string) *Info {
	ns := map[string]string{}
	for _, r := range Roles {
		ns[r] = Namespace(l.Prefix, r)
	}
	return &Info{
		Prefix: l.Prefix, Namespaces: ns, Addresses: a, Policy: p, BottleUID: cfg.BottleUID,
		CAFile: filepath.Join(dir, "ca.pem"), Stats: filepath.Join(dir, "wan.sock"),
		SentryDir: filepath.Join(dir, "sentry"), Records: records(p, a), RBM: filepath.Join(dir, "rbm"),
		Firewall: cfg.FirewallBackend,
	}
}

// existing lists this lab's namespaces that already exist.
func (l *Lab) existing(ctx context.Context) []string {
	out, err := l.Runner.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "list"}})
	if err != nil {
		return nil
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		for _, r := range Roles {
			if name == Namespace(l.Prefix, r) {
				found = append(found, name)
			}
		}
	}
	return found
}

func saveInfo(dir string, info *Info) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "lab.json"), b, 0o644)
}

// Load returns the saved description of the running lab with prefix.
func Load(prefix string) (*Info, error) {
	b, err := os.ReadFile(filepath.Join(StateDir(prefix), "lab.json"))
	if err != nil {
		return nil, fmt.Errorf("lab %q is not up (run `rbm lab up`): %w", prefix, err)
	}
	var info Info
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, fmt.Errorf("read lab description: %w", err)
	}
	return &info, nil
}
