package main

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

const defaultLabPrefix = "rbmlab"

func newLabCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "lab",
		Example: "  sudo rbm lab up && sudo rbm verify --lab && sudo rbm lab down",
		Short:   "The whole system in network namespaces, without Podman (needs root)",
		Long: `The lab builds rbm's topology from plain network namespaces and veth pairs:
<prefix>-wan (a stand-in internet on documentation addresses: a resolver, a
"foreign public resolver", HTTP and HTTPS servers), <prefix>-sentry (the real
rbm sentry) and <prefix>-bottle (routed only through the sentry). Nothing
links to the host's network.

Without --regime/--nameplate the lab uses a built-in allowlist bottle; files
given are layered on top of it.`,
	}
	cmd.AddCommand(newLabUpCmd(), newLabDownCmd(), newLabExecCmd())
	return cmd
}

func newLabUpCmd() *cobra.Command {
	var f configFlags
	var prefix string
	cmd := &cobra.Command{
		Use:     "up",
		Short:   "Build the lab and start the stand-in internet and the sentry",
		Example: "  sudo rbm lab up\n  sudo rbm lab up --nameplate examples/offline.env --prefix rbmoff",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := newLab(prefix)
			if err != nil {
				return err
			}
			c, err := f.loadOver(cmd.ErrOrStderr(), lab.Example())
			if err != nil {
				return err
			}
			info, err := l.Up(cmd.Context(), c)
			if err != nil {
				return err
			}
			printLabInfo(cmd, info)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&prefix, "prefix", defaultLabPrefix, "names the namespaces <prefix>-wan, -sentry, -bottle")
	return cmd
}

func newLabDownCmd() *cobra.Command {
	var prefix string
	cmd := &cobra.Command{
		Use:     "down",
		Short:   "Stop every lab process and delete the namespaces",
		Example: "  sudo rbm lab down",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := newLab(prefix)
			if err != nil {
				return err
			}
			return l.Down(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", defaultLabPrefix, "the lab to remove")
	return cmd
}

func newLabExecCmd() *cobra.Command {
	var prefix string
	cmd := &cobra.Command{
		Use:   "exec wan|sentry|bottle -- COMMAND [ARG...]",
		Short: "Run a command in a lab namespace (in the bottle: as the bottle's user, no capabilities)",
		Example: `  sudo rbm lab exec bottle -- rbm probe dns --server 10.242.0.2 allowed.test
  sudo rbm lab exec sentry -- rbm counters`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			info, err := lab.Load(prefix)
			if err != nil {
				return err
			}
			argv, err := lab.ExecArgv(info, args[0], args[1:])
			if err != nil {
				return err
			}
			path, err := exec.LookPath(argv[0])
			if err != nil {
				return err
			}
			return syscall.Exec(path, argv, os.Environ())
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", defaultLabPrefix, "the lab to use")
	return cmd
}

func newLab(prefix string) (*lab.Lab, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("the lab creates network namespaces: run it as root")
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the rbm binary: %w", err)
	}
	return &lab.Lab{Prefix: prefix, RBM: self, Runner: runner.Exec{}}, nil
}

func printLabInfo(cmd *cobra.Command, info *lab.Info) {
	a, p := info.Addresses, info.Policy
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "lab %s is up\n", info.Prefix)
	fmt.Fprintf(out, "  namespaces   %s, %s, %s\n", info.Namespaces[lab.Wan], info.Namespaces[lab.Sentry], info.Namespaces[lab.Bottle])
	fmt.Fprintf(out, "  enclave      %s  sentry %s  bottle %s\n", p.Subnet, p.SentryIP, p.BottleIP)
	fmt.Fprintf(out, "  uplink       %s  sentry %s  wan %s\n", a.LinkNet, a.SentryUplink, a.WanGateway)
	fmt.Fprintf(out, "  upstream DNS %s   foreign resolver %s\n", a.Upstream, a.Foreign)
	allowed := "none (no allowed CIDR)"
	if a.Allowed.IsValid() {
		allowed = a.Allowed.String()
	}
	fmt.Fprintf(out, "  web servers  allowed %s  forbidden %s  learned %s %s (HTTP and HTTPS; CA %s)\n", allowed, a.Forbidden, a.Learned, a.Learned2, info.CAFile)
	for _, name := range slices.Sorted(maps.Keys(info.Records)) {
		fmt.Fprintf(out, "  name         %s -> %s\n", name, info.Records[name])
	}
	fmt.Fprintf(out, "try: rbm lab exec bottle -- %s probe dns --server %s %s\n", info.RBM, p.SentryIP, lab.AllowedName(p))
	if p.Learns() {
		fmt.Fprintf(out, "     rbm lab exec bottle -- %s probe tcp %s:443   # closed until the bottle resolves %s\n", info.RBM, a.Learned, lab.LearnName(p))
		fmt.Fprintf(out, "     rbm lab exec sentry -- %s counters --state-dir %s   # learned addresses with their names\n", info.RBM, info.SentryDir)
	}
	prefix := ""
	if info.Prefix != defaultLabPrefix {
		prefix = " --prefix " + info.Prefix
	}
	fmt.Fprintf(out, "watch: rbm observe --lab%s   # in another terminal: each query, refusal and learned address as it happens\n", prefix)
	fmt.Fprintf(out, "       rbm suggest --lab%s   # afterwards: the nameplate lines that would allow what was refused\n", prefix)
}
