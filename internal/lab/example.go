package lab

import "github.com/recipe-bottle/rbm/internal/config"

// exampleEnv is the lab's built-in bottle: an allowlist bottle with DNS
// filtering, the seed's DNS interception and an entry port. The enclave is
// private to the lab's namespaces; the internet side is documentation
// addresses. allowed.test is exempt from rebinding protection because the
// stand-in answers with documentation addresses, which dnsmasq counts as
// private; bait.test is not, so rebinding protection is exercised too.
const exampleEnv = `
RBRR_POD_SUBNET=10.242.0.0/24
RBRR_SENTRY_IP=10.242.0.2
RBRR_BOTTLE_IP=10.242.0.3
RBRR_DNS_SERVER=198.51.100.53
RBRR_BOTTLE_UID=1000
RBRN_MONIKER=lab
RBRN_ENTRY_ENABLED=true
RBRN_ENTRY_PORT_WORKSTATION=8888
RBRN_ENTRY_PORT_ENCLAVE=8000
RBRN_UPLINK_ACCESS_ENABLED=true
RBRN_UPLINK_ACCESS_GLOBAL=false
RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24
RBRN_UPLINK_DNS_ENABLED=true
RBRN_UPLINK_DNS_GLOBAL=false
RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test bait.test
RBRN_DNS_REBIND_OK_DOMAINS=allowed.test
RBRN_DNS_INTERCEPT=redirect
`

// Example returns the built-in configuration as a base layer.
func Example() []map[string]config.Setting {
	m, err := config.ParseEnvFile("built-in example", exampleEnv)
	if err != nil {
		panic(err) // a constant; covered by tests
	}
	return []map[string]config.Setting{m}
}
