package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/spf13/cobra"
)

func newProbeCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:     "probe",
		Example: "  rbm probe tcp 203.0.113.10:443\n  rbm probe dns --server 10.242.0.2 allowed.test",
		Short:   "Try to reach something from this network namespace (what verify runs in the bottle)",
		Long: `rbm probe tries one thing on the network and says what happened: connected,
answered, refused, timeout, unreachable, denied (the local kernel said no:
no NET_RAW or NET_ADMIN, a prohibit route, a local firewall), sent (raw packets
whose reply cannot be seen), changed (the kernel accepted a route or sysctl
change; the probe undid or avoided it) or error.

The probes need nothing from the image they run in. rbm verify runs
"rbm probe batch" inside the bottle with the bottle's privileges.
Single probes exit 0 when the outcome is connected, answered or changed
(the attempt succeeded), else 1.`,
	}
	cmd.PersistentFlags().DurationVar(&timeout, "timeout", probe.DefaultTimeout,
		"give up after this long (in a batch: for specs that set no timeout)")
	cmd.AddCommand(
		newProbeBatchCmd(&timeout),
		newProbeTCPCmd(&timeout),
		newProbeDNSCmd(&timeout),
		newProbeHTTPCmd(probe.KindHTTP, &timeout),
		newProbeHTTPCmd(probe.KindHTTPS, &timeout),
		newProbeICMPCmd(&timeout),
		newProbeRouteCmd(&timeout),
		newProbeSysctlCmd(&timeout),
	)
	return cmd
}

func newProbeBatchCmd(timeout *time.Duration) *cobra.Command {
	var parallel int
	cmd := &cobra.Command{
		Use:   "batch",
		Short: "Run a JSON array of probe specs from stdin, print a JSON array of results",
		Long: `Reads a JSON array of probe specs on stdin and prints a JSON array of results,
in the same order, on stdout. Spec fields: kind (tcp, tcp6, udp, dns, http,
https, icmp, raw-spoof, raw-frag, raw-proto, route, sysctl), target, server,
name, qtype, qclass, tcp, url, ca_file, resolve, source, proto, payload,
timeout ("1.5s").
The exit status is 0 whatever the outcomes: comparing them is the caller's job.`,
		Example: `  echo '[{"kind":"dns","server":"192.0.2.53","name":"web.test"},
         {"kind":"tcp","target":"198.51.100.7:443","timeout":"1s"}]' | rbm probe batch`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var specs []probe.Spec
			dec := json.NewDecoder(cmd.InOrStdin())
			dec.DisallowUnknownFields()
			if err := dec.Decode(&specs); err != nil {
				return fmt.Errorf("probe batch: read specs from stdin: %w", err)
			}
			for i := range specs {
				if specs[i].Timeout == 0 {
					specs[i].Timeout = probe.Duration(*timeout)
				}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(probe.RunBatch(cmd.Context(), specs, parallel))
		},
	}
	cmd.Flags().IntVar(&parallel, "parallel", 1,
		"probes run at a time (1 keeps each probe's counter changes apart)")
	return cmd
}

func newProbeTCPCmd(timeout *time.Duration) *cobra.Command {
	var six bool
	cmd := &cobra.Command{
		Use:   "tcp ADDR:PORT",
		Short: "Try a TCP handshake",
		Example: `  rbm probe tcp 192.0.2.10:443
  rbm probe tcp --ipv6 '[2001:db8::10]:443'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := probe.KindTCP
			if six {
				kind = probe.KindTCP6
			}
			return runProbe(cmd, probe.Spec{Kind: kind, Target: args[0], Timeout: probe.Duration(*timeout)})
		},
	}
	cmd.Flags().BoolVar(&six, "ipv6", false, "connect over IPv6 only")
	return cmd
}

func newProbeDNSCmd(timeout *time.Duration) *cobra.Command {
	s := probe.Spec{Kind: probe.KindDNS}
	cmd := &cobra.Command{
		Use:   "dns --server ADDR [--tcp] [--type A] NAME",
		Short: "Send one DNS query",
		Example: `  rbm probe dns --server 192.0.2.53 web.test
  rbm probe dns --server 203.0.113.53:5353 --tcp --type AAAA web.test
  rbm probe dns --server 192.0.2.53 --type AXFR web.test
  rbm probe dns --server 192.0.2.53 --class CHAOS --type TXT version.bind`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.Name, s.Timeout = args[0], probe.Duration(*timeout)
			return runProbe(cmd, s)
		},
	}
	cmd.Flags().StringVar(&s.Server, "server", "", "resolver address, port 53 unless given (required)")
	cmd.Flags().BoolVar(&s.TCP, "tcp", false, "query over TCP (zone transfers always are)")
	cmd.Flags().StringVar(&s.QType, "type", "A", "query type: A, AAAA, TXT, AXFR, ...")
	cmd.Flags().StringVar(&s.QClass, "class", "IN", "query class: IN or CHAOS")
	_ = cmd.MarkFlagRequired("server")
	return cmd
}

func newProbeHTTPCmd(kind probe.Kind, timeout *time.Duration) *cobra.Command {
	s := probe.Spec{Kind: kind}
	cmd := &cobra.Command{
		Use:   string(kind) + " URL",
		Short: "Send one GET request over " + strings.ToUpper(string(kind)),
		Example: fmt.Sprintf(`  rbm probe %[1]s %[1]s://web.test/
  rbm probe %[1]s --resolve web.test:%[2]s:192.0.2.10 %[1]s://web.test/`, kind, map[probe.Kind]string{probe.KindHTTP: "80", probe.KindHTTPS: "443"}[kind]),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.URL, s.Timeout = args[0], probe.Duration(*timeout)
			return runProbe(cmd, s)
		},
	}
	cmd.Flags().StringVar(&s.Resolve, "resolve", "", "NAME:PORT:ADDR: connect to ADDR for NAME:PORT, without DNS")
	if kind == probe.KindHTTPS {
		cmd.Flags().StringVar(&s.CAFile, "ca", "", "PEM file of the CA to trust instead of the system's")
		cmd.Example += "\n  rbm probe https --ca /run/rbm/standin-ca.pem https://web.test/"
	}
	return cmd
}

func newProbeICMPCmd(timeout *time.Duration) *cobra.Command {
	var size int
	cmd := &cobra.Command{
		Use:   "icmp ADDR",
		Short: "Send one ICMP echo request (ping)",
		Long: `Sends one ICMP echo request. Without privileges this needs the process's
group in net.ipv4.ping_group_range; otherwise the outcome is "denied".`,
		Example: `  rbm probe icmp 192.0.2.10
  rbm probe icmp --size 1200 192.0.2.10`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProbe(cmd, probe.Spec{Kind: probe.KindICMP, Target: args[0], Payload: size, Timeout: probe.Duration(*timeout)})
		},
	}
	cmd.Flags().IntVar(&size, "size", 0, "payload bytes (32 when unset)")
	return cmd
}

func newProbeRouteCmd(timeout *time.Duration) *cobra.Command {
	return &cobra.Command{
		Use:   "route [PREFIX]",
		Short: "Try to add a route (then remove it at once)",
		Long: `Asks the kernel over rtnetlink to add a blackhole route to PREFIX
(` + probe.DefaultRouteTarget + ` by default) and, if it accepts, removes it again.
"denied" without NET_ADMIN, "changed" with it. No packet is sent.`,
		Example: `  rbm probe route
  rbm probe route 2001:db8:bad::/48`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s := probe.Spec{Kind: probe.KindRoute, Target: probe.DefaultRouteTarget, Timeout: probe.Duration(*timeout)}
			if len(args) == 1 {
				s.Target = args[0]
			}
			return runProbe(cmd, s)
		},
	}
}

func newProbeSysctlCmd(timeout *time.Duration) *cobra.Command {
	return &cobra.Command{
		Use:   "sysctl [KEY]",
		Short: "Try to write a network sysctl (its own value back)",
		Long: `Reads the network sysctl KEY (` + probe.DefaultSysctlKey + ` by
default) and writes the same value back, so nothing changes even when allowed.
"denied" when the kernel refuses the write, "changed" when it accepts it.`,
		Example: `  rbm probe sysctl
  rbm probe sysctl net.ipv4.ip_forward
  rbm probe sysctl net/ipv4/conf/eth0.100/rp_filter`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s := probe.Spec{Kind: probe.KindSysctl, Target: probe.DefaultSysctlKey, Timeout: probe.Duration(*timeout)}
			if len(args) == 1 {
				s.Target = args[0]
			}
			return runProbe(cmd, s)
		},
	}
}

// runProbe runs s, prints one line, and fails unless the attempt
// succeeded: it got through, or the kernel accepted the change.
func runProbe(cmd *cobra.Command, s probe.Spec) error {
	r := probe.Run(cmd.Context(), s)
	fmt.Fprintln(cmd.OutOrStdout(), probeLine(r))
	if !r.Outcome.OK() && r.Outcome != probe.Changed {
		return &exitError{code: 1, err: fmt.Errorf("probe %s: %s", s.Kind, r.Outcome)}
	}
	return nil
}

// probeLine is the one-line, human form of a result.
func probeLine(r probe.Result) string {
	s := r.Spec
	what := s.Target
	switch s.Kind {
	case probe.KindDNS:
		what = fmt.Sprintf("%s %s @%s", s.Name, s.QType, s.Server)
	case probe.KindHTTP, probe.KindHTTPS:
		what = s.URL
	}
	line := fmt.Sprintf("%s %s: %s", s.Kind, what, r.Outcome)
	if r.Rcode != "" {
		line += " " + r.Rcode
	}
	if len(r.Answers) > 0 {
		line += " " + strings.Join(r.Answers, ", ")
	}
	line += fmt.Sprintf(" (%s)", time.Duration(r.Elapsed).Round(100*time.Microsecond))
	if r.Detail != "" {
		line += " " + r.Detail
	}
	return line
}
