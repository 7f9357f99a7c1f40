// Package run is `rbm run`: a bottle service started for one command and
// removed when it ends. It turns run's flags into a configuration layer
// that goes through the same loading and start as `rbm start`, runs the
// command by exec in the bottle, and sums up what the sentry refused.
package run

import (
	"fmt"
	"net/netip"
	"regexp"
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

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// origin marks settings from run's flags in rbm config check's manner.
const origin = "rbm run"

// Check validates every flag and returns the Spec, or one error listing
// every bad value (naming the flag, the value and what was expected).
func (f Flags) Check(image string) (*Spec, error) {
	var probs []config.Problem
	bad := func(flag, v, want string) { probs = append(probs, config.Problem{Var: flag, Value: v, Want: want}) }
	s := &Spec{Layer: map[string]config.Setting{}, Workdir: f.Workdir, Keep: f.Keep}
	set := func(name, v string) { s.Layer[name] = config.Setting{Value: v, Origin: origin} }
	if image == "" || strings.HasPrefix(image, "-") {
		bad("IMAGE", image, "expected an image reference such as docker.io/library/debian:bookworm")
	}
	set("RBRN_BOTTLE_IMAGE", image)
	domains := splitList(f.Allow)
	for _, d := range domains {
		if strings.HasPrefix(d, "@") && !regexp.MustCompile(`^@[a-z0-9-]{1,32}$`).MatchString(d) {
			bad("--allow", d, "expected a preset name such as @github (rbm presets lists them)")
		}
	}
	if len(domains) > 0 {
		set("RBRN_UPLINK_ALLOWED_DOMAINS", strings.Join(domains, " "))
		set("RBRN_UPLINK_DNS_ENABLED", "true")
		set("RBRN_UPLINK_ACCESS_ENABLED", "true")
	}
	cidrs := splitList(f.AllowCIDR)
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err != nil || !p.Addr().Is4() {
			bad("--allow-cidr", c, "expected an IPv4 CIDR such as 203.0.113.0/24")
		}
	}
	if len(cidrs) > 0 {
		set("RBRN_UPLINK_ALLOWED_CIDRS", strings.Join(cidrs, " "))
		set("RBRN_UPLINK_ACCESS_ENABLED", "true")
	}
	if f.Global {
		for _, n := range []string{"RBRN_UPLINK_ACCESS_ENABLED", "RBRN_UPLINK_ACCESS_GLOBAL", "RBRN_UPLINK_DNS_ENABLED", "RBRN_UPLINK_DNS_GLOBAL"} {
			set(n, "true")
		}
	}
	switch f.Deny {
	case "":
	case "drop", "reject":
		set("RBRN_UPLINK_DENY", f.Deny)
	default:
		bad("--deny", f.Deny, "expected drop or reject")
	}
	switch f.Runtime {
	case "":
	case "podman", "docker":
		set("RBRR_RUNTIME", f.Runtime)
	default:
		bad("--runtime", f.Runtime, "expected podman or docker")
	}
	if f.Publish != "" {
		if !publish(f.Publish, set) {
			bad("-p", f.Publish, "expected [ADDR:]WORKSTATION_PORT:BOTTLE_PORT such as 127.0.0.1:8888:8888 (ports 1-65535, ADDR an IPv4 address)")
		}
	}
	for _, e := range f.Env {
		env, ok := parseEnv(e)
		if !ok {
			name, _, _ := strings.Cut(e, "=") // never the value: it may be a secret
			bad("-e", name, "expected NAME or NAME=VALUE (NAME: letters, digits, '_', not starting with a digit)")
			continue
		}
		s.Env = append(s.Env, env)
	}
	for _, v := range f.Volumes {
		vol, err := config.ParseVolume("-v", v)
		if err != nil {
			probs = append(probs, problems(err)...)
			continue
		}
		s.Volumes = append(s.Volumes, vol)
	}
	if f.Workdir != "" && (!strings.HasPrefix(f.Workdir, "/") || strings.ContainsFunc(f.Workdir, isControl)) {
		bad("-w", f.Workdir, "expected an absolute path in the bottle")
	}
	if len(probs) > 0 {
		return nil, &config.Error{Problems: probs}
	}
	return s, nil
}

func parseEnv(s string) (Env, bool) {
	name, value, has := strings.Cut(s, "=")
	if !envNameRE.MatchString(name) || strings.ContainsRune(value, 0) {
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
