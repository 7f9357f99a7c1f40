package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/standin"
	"github.com/spf13/cobra"
)

func newStandinCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "standin --config FILE.json",
		Short: "Run the stand-in internet (used by the lab)",
		Long: `Runs the lab's stand-in internet until SIGTERM or SIGINT: a resolver with fixed
records (NXDOMAIN for every other name), "foreign public resolvers" that
answer any name (UDP/TCP 53 and 5353, TCP 853), HTTP and HTTPS servers, TCP
and UDP echo, and counters of everything that reached them, served as JSON
at GET /stats on a unix socket. Only documentation addresses (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) or loopback, and names under
.test, are accepted. The addresses must already exist on an interface.
Prints "ready" on stdout once every listener is up.`,
		Example: `  rbm standin --config wan.json

  wan.json:
  {
    "resolver": {"addr": "192.0.2.53", "records": {"web.test": ["192.0.2.10"]}},
    "foreign": ["203.0.113.53"],
    "web": ["192.0.2.10"],
    "ca_file": "/run/rbm/standin-ca.pem",
    "echo": ["198.51.100.7:443"],
    "stats_socket": "/run/rbm/standin.sock"
  }`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := standin.LoadConfig(path)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			srv, err := standin.Serve(ctx, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ready")
			<-ctx.Done()
			srv.Wait()
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "JSON configuration file (required)")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}
