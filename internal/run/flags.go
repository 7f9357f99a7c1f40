// Package run is `rbm run`: a bottle service started for one command and
// removed when it ends. It turns run's flags into a configuration layer
// that goes through the same loading and start as `rbm start`, runs the
// command by exec in the bottle, and sums up what the sentry refused.
package run

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
)

// Flags are rbm run's options as typed.
type Flags struct {
	Allow     []string // names, *.d, @preset
	AllowCIDR []string
	Global    bool
	Env       []string // NAME or NAME=VALUE
	Volumes   []string // HOST:BOTTLE[:ro]
	Workdir   string
	Runtime   string
	Deny      string
	Publish   string // [ADDR:]WS:ENCLAVE, the entry port
	Keep      bool
}

// Spec is what the flags mean once checked: a configuration layer over the
// files and environment, the bottle's mounts, and how the command is run.
type Spec struct {
	Layer   map[string]config.Setting
	Volumes []config.Volume
	Env     []Env
	Workdir string
	Keep    bool
}

// Env is one -e: a bare name takes the host's value through the runtime.
type Env struct {
	Name, Value string
	HasValue    bool
}

// Arg is the value of the runtime's -e option: NAME alone when the value
// is the host's, so it never appears on a command line.
func (e Env) Arg() string {
	if !e.HasValue {
		return e.Name
	}
	return e.Name + "=" + e.Value
}

// origin marks settings from run's flags in rbm config check's manner.
const origin = "rbm run"

// checker gathers every bad value and the layer's settings.
type checker struct {
	probs []config.Problem
	s     *Spec
}

func (c *checker) bad(flag, v, want string) {
	c.probs = append(c.probs, config.Problem{Var: flag, Value: v, Want: want})
}

func (c *checker) set(name, v string) { c.s.Layer[name] = config.Setting{Value: v, Origin: origin} }

var presetRE = regexp.MustCompile(`^@[a-z0-9-]{1,32}$`)

// Check validates every flag and returns the Spec, or one error listing
// every bad value (naming the flag, the value and what was expected). The
// layer's values are checked again by config, as every variable is.
func (f Flags) Check(image string) (*Spec, error) {
	c := &checker{s: &Spec{Layer: map[string]config.Setting{}, Workdir: f.Workdir, Keep: f.Keep}}
	if image == "" || strings.HasPrefix(image, "-") {
		c.bad("IMAGE", image, "expected an image reference such as docker.io/library/debian:bookworm")
	}
	c.set("RBRN_BOTTLE_IMAGE", image)
	f.checkNetwork(c)
	f.checkBottle(c)
	if len(c.probs) > 0 {
		return nil, &config.Error{Problems: c.probs}
	}
	return c.s, nil
}

// checkNetwork: what the sentry lets through, the entry port, the runtime.
func (f Flags) checkNetwork(c *checker) {
	domains := splitList(f.Allow)
	for _, d := range domains {
		if strings.HasPrefix(d, "@") && !presetRE.MatchString(d) {
			c.bad("--allow", d, "expected a preset name such as @github (rbm presets lists them)")
		}
	}
	if len(domains) > 0 {
		c.set("RBRN_UPLINK_ALLOWED_DOMAINS", strings.Join(domains, " "))
		c.set("RBRN_UPLINK_DNS_ENABLED", "true")
		c.set("RBRN_UPLINK_ACCESS_ENABLED", "true")
	}
	cidrs := splitList(f.AllowCIDR)
	for _, v := range cidrs {
		if p, err := netip.ParsePrefix(v); err != nil || !p.Addr().Is4() {
			c.bad("--allow-cidr", v, "expected an IPv4 CIDR such as 203.0.113.0/24")
		}
	}
	if len(cidrs) > 0 {
		c.set("RBRN_UPLINK_ALLOWED_CIDRS", strings.Join(cidrs, " "))
		c.set("RBRN_UPLINK_ACCESS_ENABLED", "true")
	}
	if f.Global {
		for _, n := range []string{"RBRN_UPLINK_ACCESS_ENABLED", "RBRN_UPLINK_ACCESS_GLOBAL", "RBRN_UPLINK_DNS_ENABLED", "RBRN_UPLINK_DNS_GLOBAL"} {
			c.set(n, "true")
		}
	}
	c.oneOf("--deny", f.Deny, "RBRN_UPLINK_DENY", "drop", "reject")
	c.oneOf("--runtime", f.Runtime, "RBRR_RUNTIME", config.Runtimes...)
	if f.Publish != "" && !publish(f.Publish, c.set) {
		c.bad("-p", f.Publish, "expected [ADDR:]WORKSTATION_PORT:BOTTLE_PORT such as 127.0.0.1:8888:8888 (ports 1-65535, ADDR an IPv4 address)")
	}
}

// oneOf sets variable to v when it is one of words (empty: unset).
func (c *checker) oneOf(flag, v, variable string, words ...string) {
	switch {
	case v == "":
	case slices.Contains(words, v):
		c.set(variable, v)
	default:
		c.bad(flag, v, "expected "+strings.Join(words, " or "))
	}
}

// checkBottle: the program's environment, mounts and directory.
func (f Flags) checkBottle(c *checker) {
	for _, e := range f.Env {
		env, ok := parseEnv(e)
		if !ok {
			name, _, _ := strings.Cut(e, "=") // never the value: it may be a secret
			c.bad("-e", name, "expected NAME or NAME=VALUE (NAME: letters, digits, '_', not starting with a digit)")
			continue
		}
		c.s.Env = append(c.s.Env, env)
	}
	for _, v := range f.Volumes {
		vol, err := config.ParseVolume("-v", v)
		if err != nil {
			c.probs = append(c.probs, problems(err)...)
			continue
		}
		c.s.Volumes = append(c.s.Volumes, vol)
	}
	if f.Workdir != "" && (!strings.HasPrefix(f.Workdir, "/") || strings.ContainsFunc(f.Workdir, isControl)) {
		c.bad("-w", f.Workdir, "expected an absolute path in the bottle")
	}
}

func parseEnv(s string) (Env, bool) {
	name, value, has := strings.Cut(s, "=")
	if !config.EnvNameRE.MatchString(name) || strings.ContainsRune(value, 0) {
		return Env{}, false
	}
	return Env{Name: name, Value: value, HasValue: has}, true
}

// splitList splits repeated, comma- or space-separated flag values.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func problems(err error) []config.Problem {
	if ce, ok := err.(*config.Error); ok {
		return ce.Problems
	}
	return []config.Problem{{Var: "-v", Value: "", Want: fmt.Sprint(err)}}
}

// publish sets the entry port's variables from -p [ADDR:]WS:ENCLAVE.
func publish(v string, set func(name, v string)) bool {
	parts := strings.Split(v, ":")
	if len(parts) == 3 {
		a, err := netip.ParseAddr(parts[0])
		if err != nil || !a.Is4() {
			return false
		}
		set("RBRN_ENTRY_BIND_ADDRESS", a.String())
		parts = parts[1:]
	}
	if len(parts) != 2 || !portRE.MatchString(parts[0]) || !portRE.MatchString(parts[1]) {
		return false
	}
	set("RBRN_ENTRY_ENABLED", "true")
	set("RBRN_ENTRY_PORT_WORKSTATION", parts[0])
	set("RBRN_ENTRY_PORT_ENCLAVE", parts[1])
	return true
}

// portRE is 1-65535 without leading zeros.
var portRE = regexp.MustCompile(`^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$`)
