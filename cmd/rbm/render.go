package main

import (
	"fmt"
	"github.com/recipe-bottle/rbm/internal/config"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/spf13/cobra"
)

func newRenderCmd() *cobra.Command {
	var f configFlags
	var only, enclave, uplink, gateway string
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print the rulesets and the dnsmasq configuration the sentry would apply",
		Long: `Validates the configuration and prints, without applying anything and
without root, what the sentry would load: for the iptables backend the
ipset document (allowed CIDRs and the learned set), the iptables-restore
document (filter and nat) and the ip6tables-restore lockdown; for the
nftables backend the one nft document; then the dnsmasq configuration.

The sentry finds its interface names at run time; here they are the
placeholders given by --enclave-if and --uplink-if.`,
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
			p := c.Policy()
			fw, err := backends.New(c.FirewallBackend, nil) // rendering runs nothing
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			out := cmd.OutOrStdout()
			ifs := firewall.Interfaces{Enclave: enclave, Uplink: uplink}
			if gateway != "" {
				gw, err := netip.ParseAddr(gateway)
				if err != nil || !gw.Is4() {
					return &exitError{code: 2, err: fmt.Errorf("--uplink-gateway %q: expected an IPv4 address", gateway)}
				}
				ifs.UplinkGateway = gw
			}
			directive, target := fw.ResolverSet()
			docs := append(fw.Render(p, ifs).Docs, firewall.Doc{Name: "dnsmasq", Text: dns.RenderDnsmasq(p, dns.LearnSet{Directive: directive, Target: target})})
			if only != "" && !slices.ContainsFunc(docs, func(d firewall.Doc) bool { return d.Name == only }) {
				return &exitError{code: 2, err: fmt.Errorf("--only %q: expected one of %s", only, docNames(docs))}
			}
			for _, s := range docs {
				if only != "" && only != s.Name {
					continue
				}
				if only == "" {
					fmt.Fprintf(out, "### %s\n", s.Name)
				}
				if s.Text == "" && s.Name == "dnsmasq" {
					fmt.Fprintln(out, "# DNS is disabled: no resolver runs and port 53 is rejected")
				}
				fmt.Fprint(out, s.Text)
				if only == "" {
					fmt.Fprintln(out)
				}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&only, "only", "", "print one document: ipset, iptables, ip6tables (iptables backend), nft (nftables backend) or dnsmasq")
	cmd.Flags().StringVar(&enclave, "enclave-if", "eth1", "enclave interface name to render with")
	cmd.Flags().StringVar(&uplink, "uplink-if", "eth0", "uplink interface name to render with")
	cmd.Flags().StringVar(&gateway, "uplink-gateway", "", "the uplink's default gateway (found at run time): with an entry port on loopback the entry is limited to it")
	return cmd
}

func docNames(docs []firewall.Doc) string {
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}
