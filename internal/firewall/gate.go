package firewall

// The name gate's place in the ruleset. The sentry redirects the bottle's
// TCP to learned addresses on the checked ports to GatePort on its own
// enclave address; the gate dials the original destination itself, from a
// socket marked GateMark, which the sentry's OUTPUT lets out (only to
// learned addresses outside the guard, on the checked ports).
const (
	GatePort = 7355
	GateMark = 0x7355
)
