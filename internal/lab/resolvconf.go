package lab

import (
	"fmt"
	"os"
	"path/filepath"
)

// netnsEtc is the directory whose files `ip netns exec` bind-mounts over
// /etc for commands run in ns.
func netnsEtc(ns string) string { return filepath.Join("/etc/netns", ns) }

// writeResolvConf makes programs in namespace ns resolve through server,
// as a runtime's --dns does for a container; why says so in the file.
func writeResolvConf(ns, server, why string) error {
	dir := netnsEtc(ns)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lab resolv.conf: %w", err)
	}
	text := "# written by rbm lab: " + why + "\nnameserver " + server + "\n"
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(text), 0o644); err != nil {
		return fmt.Errorf("lab resolv.conf: %w", err)
	}
	return nil
}
