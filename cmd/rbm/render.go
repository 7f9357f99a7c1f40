package main

import (
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/spf13/cobra"
)

func newRenderCmd() *cobra.Command {
	var f configFlags
	var only, enclave, uplink, gateway string
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print the rulesets and the dnsmasq configuration the sentry would apply",
		Long: `Validates the configuration and prints, without applying anything and
without root: the iptables-restore document (filter and nat), the
ip6tables-restore lockdown, and the dnsmasq configuration.

The sentry finds its interface names at run time; here they are the
placeholders given by --enclave-if and --uplink-if.`,
		Example: `  rbm render --regime examples/regime.env --nameplate examples/allowlist.env
  rbm render --regime examples/regime.env --nameplate examples/allowlist.env --only iptables`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch only {
			case "", "iptables", "ip6tables", "dnsmasq":
			default:
				return &exitError{code: 2, err: fmt.Errorf("--only %q: expected iptables, ip6tables or dnsmasq", only)}
			}
			c, err := f.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			p := c.Policy()
			out := cmd.OutOrStdout()
			ifs := firewall.Interfaces{Enclave: enclave, Uplink: uplink}
			if gateway != "" {
				gw, err := netip.ParseAddr(gateway)
				if err != nil || !gw.Is4() {
					return &exitError{code: 2, err: fmt.Errorf("--uplink-gateway %q: expected an IPv4 address", gateway)}
				}
				ifs.UplinkGateway = gw
			}
			sections := []struct{ name, text string }{
				{"iptables", firewall.RenderIPv4(p, ifs)},
				{"ip6tables", firewall.RenderIPv6()},
				{"dnsmasq", dns.RenderDnsmasq(p)},
			}
			for _, s := range sections {
				if only != "" && only != s.name {
					continue
				}
				if only == "" {
					fmt.Fprintf(out, "### %s\n", s.name)
				}
				if s.text == "" {
					fmt.Fprintln(out, "# DNS is disabled: no resolver runs and port 53 is rejected")
				}
				fmt.Fprint(out, s.text)
				if only == "" {
					fmt.Fprintln(out)
				}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&only, "only", "", "print one document: iptables, ip6tables or dnsmasq")
	cmd.Flags().StringVar(&enclave, "enclave-if", "eth1", "enclave interface name to render with")
	cmd.Flags().StringVar(&uplink, "uplink-if", "eth0", "uplink interface name to render with")
	cmd.Flags().StringVar(&gateway, "uplink-gateway", "", "the uplink's default gateway (found at run time): with an entry port on loopback the entry is limited to it")
	return cmd
}
