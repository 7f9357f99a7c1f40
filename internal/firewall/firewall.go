// Package firewall is the seam between the sentry and the kernel's packet
// filter: the Backend interface, the values that cross it (interfaces,
// rendered rulesets, counters) and the rule model (Build): every rule, its
// id, chain role, match and verdict, decided once from the policy.
// Backends live in their own packages (iptables, nftables) and only
// translate the model into their syntax, so both hold the same rules with
// the same ids and verification and counters do not know which one runs.
package firewall

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// Interfaces names the sentry's two links. The sentry finds them at run time
// by address and validates them before rendering: renderers paste them into
// rules unchecked, so they must be trusted, validated values.
type Interfaces struct {
	Enclave string // faces the bottle
	Uplink  string // faces the workstation and the outside
	// UplinkGateway is the uplink's default gateway, if it has one: with
	// Podman, where traffic from the host's published port comes from.
	UplinkGateway netip.Addr
	// UplinkPrefix is the uplink's own subnet: a learned address never
	// opens it (the host and neighbouring containers live there).
	UplinkPrefix netip.Prefix
}

// IDInterfaces are the interfaces the backends' RuleIDs render with: ids
// do not depend on names, and the uplink's subnet (a stand-in) is known, as
// it is to a running sentry, so its rules are listed too.
var IDInterfaces = Interfaces{Enclave: "enclave", Uplink: "uplink", UplinkPrefix: netip.MustParsePrefix("192.0.2.0/24")}

// Backend loads the sentry's rules into one kind of kernel ruleset. Render
// is pure; every other method has side effects through the backend's own
// runner. Implementations: iptables (with ipset) and nftables.
type Backend interface {
	// Name is the value of RBRR_FIREWALL_BACKEND that selects the backend.
	Name() string
	// Check refuses a namespace that already holds rules of another
	// ruleset that packets would also cross (a *SplitError).
	Check(ctx context.Context) error
	// Render returns what Apply loads for p; deterministic.
	Render(p policy.Policy, ifs Interfaces) Ruleset
	// Apply replaces the sentry's rules with rs, each document in one
	// atomic step. Learned addresses survive when the learned set keeps
	// its lifetime and size; a document the kernel refuses changes nothing
	// of that document.
	Apply(ctx context.Context, rs Ruleset) error
	// Lockdown loads the fail-closed ruleset: nothing but loopback passes.
	Lockdown(ctx context.Context) error
	// Counters reads the packets per rule id and per set element.
	Counters(ctx context.Context) (Snapshot, error)
	// Learned lists the learned addresses with their remaining lifetime.
	Learned(ctx context.Context) ([]Learned, error)
	// Forget removes learned addresses (names no longer allowed).
	Forget(ctx context.Context, addrs []netip.Addr) error
	// Refresh gives learned addresses their full lifetime again, after the
	// resolver answered them anew. Backends whose resolver-side add already
	// refreshes (ipset) do nothing.
	Refresh(ctx context.Context, addrs []netip.Addr) error
	// Holds reports whether addr is in the learned set now: after the
	// resolver said it added addr, false means the set was full.
	Holds(ctx context.Context, addr netip.Addr) (bool, error)
	// ResolverSet is the dnsmasq directive that fills the learned set, and
	// its target: ("ipset", "rbm-learn4") or ("nftset", "4#inet#rbm#learn4").
	ResolverSet() (directive, target string)
}

// ErrLearnedFull says the learned set holds its maximum
// (RBRN_UPLINK_LEARN_MAX) and refused new addresses: they stay closed.
var ErrLearnedFull = errors.New("the learned set is full")

// Ruleset is a rendered plan: named documents, applied in order.
type Ruleset struct {
	Docs []Doc
}

// Doc is one document fed to one program ("ipset", "iptables", "nft", ...).
type Doc struct {
	Name string // what loads it, as rbm render labels it
	Text string
}

// Text returns the document called name, or "".
func (rs Ruleset) Text(name string) string {
	for _, d := range rs.Docs {
		if d.Name == name {
			return d.Text
		}
	}
	return ""
}

// Learned is one address the resolver opened.
type Learned struct {
	Addr    netip.Addr
	Expires time.Duration // remaining lifetime
	Counter Counter
}
