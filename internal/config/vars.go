// Package config loads rbm's variables from env files and the environment,
// validates all of them at once and resolves them into a policy.Policy.
package config

// Scope tells whether a variable is repository-wide or per bottle service.
type Scope string

// Scopes of variables.
const (
	Regime    Scope = "regime"    // RBRR_*: repository-wide
	Nameplate Scope = "nameplate" // RBRN_*: one bottle service
)

// Var describes one known variable. The table below is the single source for
// validation, typo suggestions, `rbm config check` and the README reference.
type Var struct {
	Name    string
	Scope   Scope
	Default string
	Doc     string
}

// Vars lists every variable rbm reads, in the order they are shown.
var Vars = []Var{
	{"RBRR_POD_SUBNET", Regime, "10.242.0.0/24", "enclave network (IPv4 CIDR) shared by the sentry and the bottle; must not overlap other networks. When it and both addresses are unset, rbm start takes the first /24 of 10.242.0.0/16 that overlaps no network of the runtime and no host route (10.242.0.0/24 when free), so several services need no configuration; a given subnet that overlaps stays an error"},
	{"RBRR_SENTRY_IP", Regime, "10.242.0.2", "the sentry's address on the enclave; the bottle's gateway and resolver; unset: .2 of the subnet"},
	{"RBRR_BOTTLE_IP", Regime, "10.242.0.3", "the bottle's address; the only source allowed out of the enclave; unset: .3 of the subnet"},
	{"RBRR_DNS_SERVER", Regime, "", "upstream resolver the sentry forwards allowed names to (IPv4 address); empty: the first IPv4 nameserver of the sentry container's own /etc/resolv.conf (filled by the runtime from the host's, past a local stub), read at start and on every rbm reload"},
	{"RBRR_BOTTLE_UID", Regime, "1000", "numeric user (and group) the bottle runs as; never 0"},
	{"RBRR_RUNTIME", Regime, "podman", "container runtime that runs the service: podman (rootful or rootless) or docker (the docker CLI and its daemon)"},
	{"RBRR_SENTRY_IMAGE", Regime, "localhost/rbm-sentry:dev", "image of the sentry (also used for the containers that set the bottle's routes)"},
	{"RBRR_FIREWALL_BACKEND", Regime, "iptables", "how the sentry filters: iptables (iptables-restore with ipset sets, what the request asks for) or nftables (one nft table, one transaction)"},
	{"RBRR_HOST_ADDRESSES", Regime, "", "the host's own IPv4 addresses, which neither global egress nor a learned answer opens (only RBRN_UPLINK_ALLOWED_CIDRS does); rbm start and rbm reload replace it with what they find: the host's interfaces' addresses, its default gateway (what pasta maps to the host) and 10.0.2.2 (slirp4netns)"},
	{"RBRR_UPLINK_NETWORK", Regime, "", "network of the runtime that gives the sentry its way out; empty: the runtime's default network (podman for Podman, bridge for Docker)"},
	{"RBRN_MONIKER", Nameplate, "bottle", "short name of this bottle service; names every container and network of it (lowercase letters, digits, hyphens)"},
	{"RBRN_BOTTLE_IMAGE", Nameplate, "", "image the bottle runs; required by `rbm plan` and `rbm start`"},
	{"RBRN_BOTTLE_COMMAND", Nameplate, "", "the bottle's command as a JSON array of strings, e.g. `[\"claude\", \"--verbose\"]` (single-quote it in a file); run without a shell, in place of the image's entrypoint and command; empty: the image's own. rbm run: the program it runs when no command follows `--`"},
	{"RBRN_BOTTLE_VOLUMES", Nameplate, "", "host paths mounted into the bottle, `HOST:BOTTLE` or `HOST:BOTTLE:ro`, separated by spaces: both absolute, the host path existing, no `,`, `:` or space inside a path; rbm run -v adds to them (a -v for the same bottle path replaces it)"},
	{"RBRN_BOTTLE_ENV", Nameplate, "", "names of variables the bottle gets from rbm's environment, separated by spaces or commas: names only, each passed as `-e NAME` so the runtime reads the value (never on a command line rbm prints or runs; the runtime keeps it in the bottle's container state); a name unset in rbm's environment is left unset; rbm run -e adds to them"},
	{"RBRN_BOTTLE_WORKDIR", Nameplate, "", "absolute directory in the bottle its command runs in; empty: the image's; rbm run -w replaces it"},
	{"RBRN_ENTRY_ENABLED", Nameplate, "false", "true: a workstation TCP port is forwarded to the bottle"},
	{"RBRN_ENTRY_PORT_WORKSTATION", Nameplate, "", "TCP port on the workstation (1-65535); required when the entry is enabled"},
	{"RBRN_ENTRY_PORT_ENCLAVE", Nameplate, "", "TCP port the bottle listens on (1-65535); required when the entry is enabled"},
	{"RBRN_ENTRY_BIND_ADDRESS", Nameplate, "127.0.0.1", "host address the workstation port listens on; 0.0.0.0 exposes the bottle's service to every network of the host"},
	{"RBRN_UPLINK_ACCESS_ENABLED", Nameplate, "false", "false: the bottle has no egress at all"},
	{"RBRN_UPLINK_ACCESS_GLOBAL", Nameplate, "false", "true: the internet: any destination except link-local, the enclave, the host's own addresses (RBRR_HOST_ADDRESSES), the uplink's subnet (the host's bridge address, neighbouring containers), private (RFC 1918, CGNAT 100.64.0.0/10) and reserved ranges, which open only through RBRN_UPLINK_ALLOWED_CIDRS; false: only RBRN_UPLINK_ALLOWED_CIDRS"},
	{"RBRN_UPLINK_ALLOWED_CIDRS", Nameplate, "", "IPv4 CIDRs the bottle may reach, separated by spaces or commas; with RBRN_UPLINK_ACCESS_GLOBAL=true, the private, uplink or reserved ranges it may reach besides the internet"},
	{"RBRN_UPLINK_DENY", Nameplate, "drop", "what a forbidden connection from the bottle meets: drop (silence; the program waits for its timeout) or reject (a TCP reset, or ICMP administratively prohibited: it fails at once)"},
	{"RBRN_UPLINK_LEARN_ADDRESSES", Nameplate, "true", "true: with egress and DNS both in allowlist mode, every IPv4 address the sentry's resolver returns for an allowed domain becomes an allowed destination for RBRN_UPLINK_LEARN_LIFETIME; false: only RBRN_UPLINK_ALLOWED_CIDRS"},
	{"RBRN_UPLINK_LEARN_LIFETIME", Nameplate, "600", "seconds a learned address stays allowed after the last upstream answer that returned it (2-86400); answers are given to the bottle and cached with at most half of it as TTL; established connections outlive it"},
	{"RBRN_UPLINK_LEARN_MAX", Nameplate, "65536", "most learned addresses held at once (1-1048576); when full, newly resolved addresses stay closed and the sentry logs it"},
	{"RBRN_UPLINK_NAME_CHECK", Nameplate, "learned", "learned: the sentry's name gate reads the TLS SNI or HTTP Host of the bottle's TCP to learned addresses on RBRN_UPLINK_NAME_PORTS and passes only an allowed name whose own answer carried that address (no SNI, ECH, QUIC and other ports refused); all: as learned, and TCP to RBRN_UPLINK_ALLOWED_CIDRS on those ports must carry an allowed name too (needs egress and DNS in allowlist mode); off: a learned address opens every name on it, on every port"},
	{"RBRN_UPLINK_NAME_PORTS", Nameplate, "443 80", "TCP ports whose connections to learned addresses the name gate reads (TLS or HTTP, told apart by their first bytes); at most 7, not 53"},
	{"RBRN_UPLINK_LEARN_PORTS", Nameplate, "80 443 22", "with RBRN_UPLINK_NAME_CHECK=learned: the only TCP ports a learned address opens; those not in RBRN_UPLINK_NAME_PORTS stay open to any name on the address (SSH to a code host); at most 7, not 53"},
	{"RBRN_UPLINK_NAME_ECH", Nameplate, "refuse", "refuse: an encrypted ClientHello (ECH, or its GREASE, which looks the same) is refused; allow: it passes on its outer name, a channel the gate cannot see into"},
	{"RBRN_UPLINK_DNS_ENABLED", Nameplate, "false", "false: no DNS at all (port 53 is rejected)"},
	{"RBRN_UPLINK_DNS_GLOBAL", Nameplate, "false", "true: every name resolves; false: only RBRN_UPLINK_ALLOWED_DOMAINS, others get NXDOMAIN"},
	{"RBRN_UPLINK_ALLOWED_DOMAINS", Nameplate, "", "names that resolve, separated by spaces or commas: `d` is d (and, with RBRN_DNS_MATCH=subdomains, every name under it); `*.d` is every name under d; `@name` is a preset's names (`rbm presets`), expanded by rbm on the host; special-use names (invalid, local, localhost, test, arpa, example, onion as a whole, anything under invalid, localhost, onion) are refused, a public suffix as a whole (com, co.uk) is warned about"},
	{"RBRN_DNS_MATCH", Nameplate, "subdomains", "what a plain allowed domain covers: subdomains (the name and every name under it) or exact (that name only: other names under it get NXDOMAIN from the sentry and never leave, closing the query-name data channel)"},
	{"RBRN_DNS_REBIND_OK_DOMAINS", Nameplate, "", "allowed domains whose answers may be private, loopback, link-local or documentation addresses (rebinding protection off for them)"},
	{"RBRN_DNS_INTERCEPT", Nameplate, "redirect", "redirect: the bottle's port-53 traffic to any server is answered by the sentry; reject: it is refused"},
}

// Lookup returns the known variable called name.
func Lookup(name string) (Var, bool) {
	for _, v := range Vars {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}
