package sentry

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/resolvconf"
)

// A reload's configuration is staged in the state directory, applied by
// SIGHUP, and kept there once the sentry applied it, so a restarted sentry
// container comes back with it.
const (
	PendingConfig = "config.pending.env" // staged by rbm reload, not yet applied
	LiveConfig    = "config.live.env"    // the last configuration a reload applied
	// MaxConfig bounds a staged configuration.
	MaxConfig = 1 << 20
)

// ConfigStore is the sentry's configuration in its state directory: a
// staged one, else the one the last reload applied, else the one it was
// started with. A staged or live file holds every variable, so the
// container's environment (from its start) does not override it.
type ConfigStore struct {
	Dir string
	// Started loads the configuration the sentry was started with (its
	// files and the environment).
	Started func() (*config.Config, error)
	// Log hears warnings and which resolver a configuration without
	// RBRR_DNS_SERVER forwards to; nil discards.
	Log io.Writer
	// ResolvConf is where the runtime's resolver is read when
	// RBRR_DNS_SERVER is unset; empty: resolvconf.Path.
	ResolvConf string
}

// InputError is a staged configuration refused as given: invalid, or a
// change only a restart applies.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func (s ConfigStore) log() io.Writer { return cmp.Or[io.Writer](s.Log, io.Discard) }

// Load is the configuration to apply: the sentry's Load.
func (s ConfigStore) Load() (*config.Config, error) {
	if c, ok, err := s.file(PendingConfig); ok {
		return s.WithResolver(c, err)
	}
	c, _, err := s.Live()
	return s.WithResolver(c, err)
}

// Live is the configuration running now (a staged one is not yet), and
// where it comes from, as configured: with RBRR_DNS_SERVER unset the
// resolver is not looked up (WithResolver does).
func (s ConfigStore) Live() (*config.Config, string, error) {
	if c, ok, err := s.file(LiveConfig); ok {
		return c, "reloaded (" + filepath.Join(s.Dir, LiveConfig) + ")", err
	}
	c, err := s.Started()
	return c, "as started (environment and files)", err
}

// WithResolver gives a configuration without RBRR_DNS_SERVER the resolver
// the runtime wrote into the sentry's resolv.conf, read at every load (a
// start, a reload), so a laptop that changed networks is followed.
func (s ConfigStore) WithResolver(c *config.Config, err error) (*config.Config, error) {
	if err != nil || !c.NeedsRuntimeResolver() {
		return c, err
	}
	path := cmp.Or(s.ResolvConf, resolvconf.Path)
	a, err := resolvconf.Read(path)
	if err == nil {
		err = c.UseRuntimeResolver(a, path)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(s.log(), "rbm sentry: RBRR_DNS_SERVER is unset: forwarding to %s, the runtime's resolver (from %s)\n", a, path)
	return c, nil
}

// file loads the state directory's file name alone, if it exists.
func (s ConfigStore) file(name string) (*config.Config, bool, error) {
	path := filepath.Join(s.Dir, name)
	if _, err := os.Stat(path); err != nil {
		return nil, false, nil
	}
	c, warnings, err := config.Load([]string{path}, nil)
	for _, w := range warnings {
		fmt.Fprintln(s.log(), "warning:", w)
	}
	return c, true, err
}

// Reloaded keeps a staged configuration the sentry applied, and drops one
// it refused: the live one stays what runs. The sentry's OnReload.
func (s ConfigStore) Reloaded(err error) {
	pending := filepath.Join(s.Dir, PendingConfig)
	if err != nil {
		os.Remove(pending)
		return
	}
	if _, statErr := os.Stat(pending); statErr == nil {
		os.Rename(pending, filepath.Join(s.Dir, LiveConfig))
	}
}

// Stage reads a whole configuration as env-file text from r (at most
// MaxConfig bytes), validates it, refuses changes that need a restart
// (both as an *InputError), stages it and signals the running sentry.
func (s ConfigStore) Stage(r io.Reader) error {
	text, err := io.ReadAll(io.LimitReader(r, MaxConfig+1))
	if err != nil || len(text) > MaxConfig {
		return &InputError{fmt.Errorf("read the configuration: %v (at most %d bytes)", err, MaxConfig)}
	}
	layer, err := config.ParseEnvFile("stdin", string(text))
	if err != nil {
		return &InputError{err}
	}
	next, _, err := config.Resolve(layer)
	if err != nil {
		return &InputError{err}
	}
	live, _, err := s.Live()
	if err != nil {
		return fmt.Errorf("the live configuration: %w", err)
	}
	if _, restart := next.Changes(live); len(restart) > 0 {
		return &InputError{config.RestartError(restart)}
	}
	m, err := ReadMarker(s.Dir)
	if err != nil {
		return fmt.Errorf("the sentry is not running here: %w", err)
	}
	pending := filepath.Join(s.Dir, PendingConfig)
	if err := writeAtomic(pending, []byte(strings.Join(next.Environ(), "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("stage the configuration: %w", err)
	}
	if err := syscall.Kill(m.PID, syscall.SIGHUP); err != nil {
		os.Remove(pending)
		return fmt.Errorf("signal the sentry (pid %d): %w", m.PID, err)
	}
	return nil
}

// IsInputError reports whether err is a refused configuration.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
