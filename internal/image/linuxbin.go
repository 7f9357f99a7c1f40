package image

import (
	"debug/elf"
	"fmt"
)

// machines maps GOARCH to the ELF machine of its binaries.
var machines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// CheckLinux refuses what cannot be the image's rbm for eng: not an ELF
// binary (a macOS rbm is Mach-O), another architecture's, or dynamically
// linked (see Static).
func CheckLinux(path string, eng Platform) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not a Linux binary (ELF): %w; build one with %s", path, err, BuildHint(eng))
	}
	m := f.Machine
	f.Close()
	if want, ok := machines[eng.Arch]; !ok || m != want {
		return fmt.Errorf("%s is a Linux binary for %v, but the engine runs %s: build one with %s", path, m, eng, BuildHint(eng))
	}
	return Static(path)
}
