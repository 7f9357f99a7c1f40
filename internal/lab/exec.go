package lab

import (
	"fmt"
	"strconv"
)

// ExecArgv returns the command line that runs argv inside the lab's role
// namespace. In the bottle it runs as the bottle's user with no
// capabilities at all and no way to gain any, as in the container.
func ExecArgv(info *Info, role string, argv []string) ([]string, error) {
	ns, ok := info.Namespaces[role]
	if !ok {
		return nil, fmt.Errorf("unknown lab namespace %q: expected %s, %s or %s", role, Wan, Sentry, Bottle)
	}
	out := []string{"ip", "netns", "exec", ns}
	if role == Bottle {
		out = append(out, BottlePrivileges(info.BottleUID)...)
	}
	return append(out, argv...), nil
}

// BottlePrivileges is the setpriv prefix that runs a command as the
// bottle's user with no capabilities except caps (e.g. "net_raw" for a
// hostile bottle). setpriv silently drops ambient capabilities that are
// not inheritable too, so each is named in all three sets.
func BottlePrivileges(uid int, caps ...string) []string {
	id := strconv.Itoa(uid)
	set := "-all"
	for _, c := range caps {
		set += ",+" + c
	}
	return []string{"setpriv", "--reuid", id, "--regid", id, "--clear-groups",
		"--inh-caps=" + set, "--ambient-caps=" + set, "--bounding-set=" + set, "--no-new-privs", "--"}
}
