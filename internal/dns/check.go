package dns

import (
	"context"
	"fmt"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// binary is the dnsmasq program, found through PATH.
const binary = "dnsmasq"

// Check asks dnsmasq itself to parse the configuration at confPath
// (dnsmasq --test), so a bad file fails with dnsmasq's own message before
// anything is started. It checks syntax only: an address that cannot be
// bound is found when dnsmasq starts.
func Check(ctx context.Context, r runner.Runner, confPath string) error {
	c := runner.Cmd{Name: binary, Args: []string{"--test", "--conf-file=" + confPath}}
	if _, err := r.Run(ctx, c); err != nil {
		return fmt.Errorf("check dnsmasq configuration %s: %w", confPath, err)
	}
	return nil
}

// startCmd runs dnsmasq in the foreground: --keep-in-foreground (unlike
// --no-daemon) still drops privileges and forks for TCP as in production.
// --conf-file also keeps the distribution's /etc/dnsmasq.conf out.
func startCmd(confPath string) runner.Cmd {
	// Its own process group: stopping dnsmasq also stops the children it
	// forks per TCP connection, which would otherwise hold port 53.
	return runner.Cmd{Name: binary, Args: []string{"--keep-in-foreground", "--conf-file=" + confPath}, Group: true}
}
