package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/spf13/cobra"
)

// configFlags are the --regime and --nameplate files every command reads.
type configFlags struct {
	regime    string
	nameplate string
}

func (f *configFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.regime, "regime", "", "regime env file (RBRR_* variables), read first")
	cmd.Flags().StringVar(&f.nameplate, "nameplate", "", "nameplate env file (RBRN_* variables), read second; the environment overrides both")
}

func (f *configFlags) files() []string {
	var out []string
	for _, p := range []string{f.regime, f.nameplate} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// load reads and validates the configuration, printing warnings to stderr.
// Invalid configuration exits with status 2.
func (f *configFlags) load(stderr io.Writer) (*config.Config, error) {
	return f.loadOver(stderr, nil)
}

// loadOver is load with base layers under the files.
func (f *configFlags) loadOver(stderr io.Writer, base []map[string]config.Setting) (*config.Config, error) {
	c, warnings, err := config.LoadFromProcess(base, f.files())
	return loaded(stderr, c, warnings, err)
}

// loadUnder is load with top, a layer over the files and the environment
// (rbm run's flags).
func (f *configFlags) loadUnder(stderr io.Writer, top map[string]config.Setting) (*config.Config, error) {
	c, warnings, err := config.LoadWithTop(f.files(), os.Environ(), top)
	return loaded(stderr, c, warnings, err)
}

// loaded prints a load's warnings, and those about RBRN_BOTTLE_ENV names
// rbm's environment lacks; a configuration error exits 2.
func loaded(stderr io.Writer, c *config.Config, warnings []string, err error) (*config.Config, error) {
	if c != nil {
		warnings = append(warnings, c.EnvWarnings(os.LookupEnv)...)
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		return nil, &exitError{code: 2, err: err}
	}
	return c, err
}
