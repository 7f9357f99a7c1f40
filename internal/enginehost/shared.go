package enginehost

import (
	"path/filepath"
	"strings"
)

// sharedByDefault are the directories of the Mac each VM shares with its
// Linux guest at the same path unless the user changed it: a bind mount
// of anything else gives the container the guest's own (usually empty or
// missing) directory, not the Mac's. "~" is the user's home.
var sharedByDefault = map[string][]string{
	// podman machine init's default --volume list on macOS.
	"Podman machine": {"~", "/private/folders", "/var/folders"},
	// Docker Desktop's default file sharing (Settings, Resources, File sharing).
	"Docker Desktop": {"/Users", "/Volumes", "/private", "/tmp", "/var/folders"},
	// colima's default mounts.
	"colima": {"~", "/tmp/colima"},
}

// Unshared returns the paths of hostPaths (absolute, on the machine rbm
// runs on) that h's VM does not share by default, and the directories it
// does; nothing when the engine is not in a VM rbm knows the defaults of.
func (h Host) Unshared(hostPaths []string, home string) (unshared, shared []string) {
	roots, ok := sharedByDefault[h.VM]
	if !ok {
		return nil, nil
	}
	for _, r := range roots {
		if r == "~" {
			r = home
		}
		if r != "" {
			shared = append(shared, r)
		}
	}
	for _, p := range hostPaths {
		if !under(filepath.Clean(p), shared) {
			unshared = append(unshared, p)
		}
	}
	return unshared, shared
}

func under(p string, roots []string) bool {
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			return true
		}
	}
	return false
}
