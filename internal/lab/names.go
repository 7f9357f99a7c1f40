package lab

import (
	"fmt"
	"path/filepath"
	"regexp"
)

// Roles of the lab's namespaces.
const (
	Wan    = "wan"
	Sentry = "sentry"
	Bottle = "bottle"
)

// Roles lists the namespaces in creation order.
var Roles = []string{Wan, Sentry, Bottle}

// Interface names inside the namespaces (names are per namespace).
const (
	sentryEnclaveIf = "enc0"
	sentryUplinkIf  = "up0"
	peerIf          = "eth0"
)

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)

// CheckPrefix validates a lab prefix: it names namespaces and a directory.
func CheckPrefix(prefix string) error {
	if !prefixRE.MatchString(prefix) {
		return fmt.Errorf("lab prefix %q: expected 1 to 12 lowercase letters and digits, starting with a letter", prefix)
	}
	return nil
}

// Namespace is the name of the lab namespace for role.
func Namespace(prefix, role string) string { return prefix + "-" + role }

// StateDir is where a lab keeps its configuration, logs and pids.
func StateDir(prefix string) string { return filepath.Join("/run/rbm/lab", prefix) }
