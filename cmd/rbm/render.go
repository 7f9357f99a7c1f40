package main

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/sentry"
	"github.com/spf13/cobra"
)

// defaultUplinkPrefixes are the subnets of the runtimes' default uplink
// networks (config.DefaultUplinks), what rbm render assumes unless told.
var defaultUplinkPrefixes = map[string]string{"podman": "10.88.0.0/16", "docker": "172.17.0.0/16"}

// renderIfs are rbm render's stand-ins for what the sentry finds at run time.
type renderIfs struct {
	enclave, uplink, gateway, prefix string
}

func newRenderCmd() *cobra.Command {
	var f configFlags
	var only string
	var ri renderIfs
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print the plan the sentry would apply: rulesets, dnsmasq configuration, sysctls, parts",
		Long: `Validates the configuration and prints, without applying anything and
without root, the plan the sentry would apply (the same one it builds):
for the iptables backend the ipset document (allowed CIDRs and the learned
set), the iptables-restore document (filter and nat) and the
ip6tables-restore lockdown; for the nftables backend the one nft
document; then the dnsmasq configuration, the kernel settings (sysctl)
and which of the sentry's own parts run (parts).

The sentry finds its interfaces at run time; here they are given by
--enclave-if, --uplink-if, --uplink-gateway and --uplink-prefix.`,
		Example: `  rbm render --regime examples/regime.env --nameplate examples/allowlist.env
  rbm render --regime examples/regime.env --nameplate examples/allowlist.env --only iptables`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if c.NeedsRuntimeResolver() {
				return &exitError{code: 2, err: fmt.Errorf("RBRR_DNS_SERVER is unset: the sentry forwards to %s, known only when it starts; set RBRR_DNS_SERVER (a stand-in such as 198.51.100.53 will do) to render", config.RuntimeResolverText)}
			}
			fw, err := backends.New(c.FirewallBackend, nil) // rendering runs nothing
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			ifs, err := ri.interfaces(c.Runtime)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			docs := sentry.NewPlan(fw, c.Policy(), ifs).Docs()
			if only != "" && !slices.ContainsFunc(docs, func(d firewall.Doc) bool { return d.Name == only }) {
				return &exitError{code: 2, err: fmt.Errorf("--only %q: expected one of %s", only, docNames(docs))}
			}
			printDocs(cmd, docs, only)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&only, "only", "", "print one document: ipset, iptables, ip6tables (iptables backend), nft (nftables backend), dnsmasq, sysctl or parts")
	cmd.Flags().StringVar(&ri.enclave, "enclave-if", "eth1", "enclave interface name to render with")
	cmd.Flags().StringVar(&ri.uplink, "uplink-if", "eth0", "uplink interface name to render with")
	cmd.Flags().StringVar(&ri.gateway, "uplink-gateway", "", "the uplink's default gateway (found at run time): with an entry port on loopback the entry is limited to it")
	cmd.Flags().StringVar(&ri.prefix, "uplink-prefix", "", "the uplink's subnet (found at run time), which learned addresses never open; default: the runtime's default network (podman 10.88.0.0/16, docker 172.17.0.0/16); none: unknown")
	return cmd
}

// interfaces validates the flags into the interfaces the plan is built on.
func (ri renderIfs) interfaces(runtime string) (firewall.Interfaces, error) {
	ifs := firewall.Interfaces{Enclave: ri.enclave, Uplink: ri.uplink}
	if err := sentry.CheckInterfaceNames(ifs); err != nil {
		return ifs, fmt.Errorf("--enclave-if/--uplink-if: %w", err)
	}
	if ri.gateway != "" {
		gw, err := netip.ParseAddr(ri.gateway)
		if err != nil || !gw.Is4() {
			return ifs, fmt.Errorf("--uplink-gateway %q: expected an IPv4 address", ri.gateway)
		}
		ifs.UplinkGateway = gw
	}
	prefix := ri.prefix
	if prefix == "" {
		prefix = defaultUplinkPrefixes[runtime]
	}
	if prefix != "none" && prefix != "" {
		p, err := netip.ParsePrefix(prefix)
		if err != nil || !p.Addr().Is4() || p != p.Masked() {
			return ifs, fmt.Errorf("--uplink-prefix %q: expected an IPv4 subnet such as 10.88.0.0/16, or none", prefix)
		}
		ifs.UplinkPrefix = p
	}
	return ifs, nil
}

// printDocs prints every document under a heading, or only the one named.
func printDocs(cmd *cobra.Command, docs []firewall.Doc, only string) {
	out := cmd.OutOrStdout()
	for _, s := range docs {
		if only != "" && only != s.Name {
			continue
		}
		if only == "" {
			fmt.Fprintf(out, "### %s\n", s.Name)
		}
		if s.Text == "" && s.Name == sentry.DocDnsmasq {
			fmt.Fprintln(out, "# DNS is disabled: no resolver runs and port 53 is rejected")
		}
		fmt.Fprint(out, s.Text)
		if only == "" {
			fmt.Fprintln(out)
		}
	}
}

func docNames(docs []firewall.Doc) string {
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}
