package config

import (
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// Config is the validated configuration. Settings keeps each raw value with
// its origin, for display.
type Config struct {
	Settings map[string]Setting
	Warnings []string

	Subnet    netip.Prefix
	SentryIP  netip.Addr
	BottleIP  netip.Addr
	DNSServer netip.Addr // invalid when unset
	BottleUID int

	FirewallBackend string
	Runtime         string // RBRR_RUNTIME: podman or docker

	SentryImage   string
	UplinkNetwork string
	Moniker       string
	BottleImage   string

	EntryEnabled         bool
	EntryPortWorkstation uint16
	EntryPortEnclave     uint16
	EntryBind            netip.Addr

	AccessEnabled bool
	AccessGlobal  bool
	AllowedCIDRs  []netip.Prefix

	HostAddrs []netip.Addr // sorted, de-duplicated

	LearnAddresses bool
	LearnLifetime  uint64 // seconds
	LearnMax       uint64

	NameCheck  policy.NameCheck
	NamePorts  []uint16
	LearnPorts []uint16
	NameECH    string // refuse or allow

	DNSEnabled      bool
	DNSGlobal       bool
	AllowedDomains  []string // presets expanded: plain names only
	Presets         []string // presets named in RBRN_UPLINK_ALLOWED_DOMAINS, without @, in order
	RebindOKDomains []string
	DNSMatch        policy.Match
	Intercept       policy.Intercept
	Deny            policy.Deny

	Bottle Bottle // RBRN_BOTTLE_*; rbm run merges its flags in
}

// Load reads the env files in order, then the RBRR_/RBRN_ variables of
// environ on top, and validates the result. On *Error the returned warnings
// are still meaningful (a typo warning often explains an error).
func Load(files []string, environ []string) (*Config, []string, error) {
	return LoadOver(nil, files, environ)
}

// LoadOver is Load with base layers below the files (the lab's built-in
// example, for instance).
func LoadOver(base []map[string]Setting, files []string, environ []string) (*Config, []string, error) {
	layers, err := fileLayers(files)
	if err != nil {
		return nil, nil, err
	}
	return Resolve(append(append(slices.Clone(base), layers...), fromEnviron(environ))...)
}

func fileLayers(files []string) ([]map[string]Setting, error) {
	var layers []map[string]Setting
	for _, f := range files {
		m, err := LoadEnvFile(f)
		if err != nil {
			return nil, err
		}
		layers = append(layers, m)
	}
	return layers, nil
}

// LoadWithTop is Load with top over the environment (rbm run's flags).
func LoadWithTop(files []string, environ []string, top map[string]Setting) (*Config, []string, error) {
	layers, err := fileLayers(files)
	if err != nil {
		return nil, nil, err
	}
	return Resolve(append(layers, fromEnviron(environ), top)...)
}

// LoadFromProcess is LoadOver with the process environment.
func LoadFromProcess(base []map[string]Setting, files []string) (*Config, []string, error) {
	return LoadOver(base, files, os.Environ())
}

func fromEnviron(environ []string) map[string]Setting {
	out := map[string]Setting{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && isOurs(k) {
			out[k] = Setting{Value: v, Origin: "environment"}
		}
	}
	return out
}

// Resolve merges layers (later wins) over the defaults and validates. It is
// pure: no files, no environment.
func Resolve(layers ...map[string]Setting) (*Config, []string, error) {
	merged := map[string]Setting{}
	for _, v := range Vars {
		merged[v.Name] = Setting{Value: v.Default, Origin: originDefault}
	}
	for _, l := range layers {
		for k, s := range l {
			merged[k] = s
		}
	}
	warnings := unknownWarnings(merged)
	c, p := parse(merged)
	checkWarnings := c.check(p)
	if len(p.problems) > 0 {
		// Warnings about relations between values are noise next to errors.
		return nil, warnings, &Error{Problems: p.problems}
	}
	warnings = append(warnings, checkWarnings...)
	c.Warnings = warnings
	return c, warnings, nil
}

// Runtimes are the values of RBRR_RUNTIME, default first.
var Runtimes = []string{"podman", "docker"}

// DefaultUplinks are each runtime's default network, the uplink when
// RBRR_UPLINK_NETWORK is empty.
var DefaultUplinks = map[string]string{"podman": "podman", "docker": "bridge"}

// FirewallBackends are the values of RBRR_FIREWALL_BACKEND, default first.
var FirewallBackends = []string{"iptables", "nftables"}

var (
	monikerRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,30}$`)
	imageRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$`)
	networkRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
)

func parse(s map[string]Setting) (*Config, *parser) {
	deriveHosts(s)
	p := &parser{settings: s}
	c := &Config{Settings: s}
	if pfx, ok := p.prefix("RBRR_POD_SUBNET", p.raw("RBRR_POD_SUBNET")); ok {
		c.Subnet = pfx
	}
	c.SentryIP = p.addr("RBRR_SENTRY_IP", true)
	c.BottleIP = p.addr("RBRR_BOTTLE_IP", true)
	c.DNSServer = p.addr("RBRR_DNS_SERVER", false)
	c.BottleUID = p.uid("RBRR_BOTTLE_UID")
	c.FirewallBackend = p.oneOf("RBRR_FIREWALL_BACKEND", FirewallBackends...)
	c.SentryImage = p.word("RBRR_SENTRY_IMAGE", imageRE, "expected an image reference such as localhost/rbm-sentry:dev")
	c.Runtime = p.oneOf("RBRR_RUNTIME", Runtimes...)
	c.UplinkNetwork = p.word("RBRR_UPLINK_NETWORK", networkRE, "expected a network name (letters, digits, '.', '_', '-')")
	if c.UplinkNetwork == "" {
		c.UplinkNetwork = DefaultUplinks[c.Runtime]
	}
	c.Moniker = p.word("RBRN_MONIKER", monikerRE, "expected 1 to 31 lowercase letters, digits or hyphens, starting with a letter or digit")
	c.BottleImage = p.word("RBRN_BOTTLE_IMAGE", imageRE, "expected an image reference such as docker.io/library/debian:bookworm")
	c.Bottle = p.bottle()
	c.EntryEnabled = p.boolean("RBRN_ENTRY_ENABLED")
	c.EntryPortWorkstation = p.port("RBRN_ENTRY_PORT_WORKSTATION", c.EntryEnabled)
	c.EntryPortEnclave = p.port("RBRN_ENTRY_PORT_ENCLAVE", c.EntryEnabled)
	c.EntryBind = p.addr("RBRN_ENTRY_BIND_ADDRESS", true)
	c.AccessEnabled = p.boolean("RBRN_UPLINK_ACCESS_ENABLED")
	c.AccessGlobal = p.boolean("RBRN_UPLINK_ACCESS_GLOBAL")
	c.AllowedCIDRs = p.cidrs("RBRN_UPLINK_ALLOWED_CIDRS")
	c.HostAddrs = p.hostAddrs("RBRR_HOST_ADDRESSES")
	c.LearnAddresses = p.boolean("RBRN_UPLINK_LEARN_ADDRESSES")
	c.LearnLifetime = p.count("RBRN_UPLINK_LEARN_LIFETIME", 2, 86400, "seconds")
	c.LearnMax = p.count("RBRN_UPLINK_LEARN_MAX", 1, 1<<20, "addresses")
	c.NameCheck = policy.NameCheck(p.oneOf("RBRN_UPLINK_NAME_CHECK", string(policy.NameCheckLearned), string(policy.NameCheckAll), string(policy.NameCheckOff)))
	c.NamePorts = p.ports("RBRN_UPLINK_NAME_PORTS", maxGatePorts)
	c.LearnPorts = p.ports("RBRN_UPLINK_LEARN_PORTS", maxGatePorts)
	c.NameECH = p.oneOf("RBRN_UPLINK_NAME_ECH", "refuse", "allow")
	c.DNSEnabled = p.boolean("RBRN_UPLINK_DNS_ENABLED")
	c.DNSGlobal = p.boolean("RBRN_UPLINK_DNS_GLOBAL")
	c.AllowedDomains, c.Presets = p.allowedDomains("RBRN_UPLINK_ALLOWED_DOMAINS")
	c.RebindOKDomains = p.domains("RBRN_DNS_REBIND_OK_DOMAINS", false)
	c.DNSMatch = policy.Match(p.oneOf("RBRN_DNS_MATCH", string(policy.MatchSubdomains), string(policy.MatchExact)))
	switch v := p.raw("RBRN_DNS_INTERCEPT"); v {
	case string(policy.InterceptRedirect), string(policy.InterceptReject):
		c.Intercept = policy.Intercept(v)
	default:
		p.fail("RBRN_DNS_INTERCEPT", v, "expected redirect or reject")
	}
	c.Deny = policy.Deny(p.oneOf("RBRN_UPLINK_DENY", string(policy.DenyDrop), string(policy.DenyReject)))
	return c, p
}
