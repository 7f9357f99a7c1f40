package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// VersionAtLeast reports whether a runtime version v ("4.3.1", "5.0.0-rc1",
// "20.10.24+dfsg1") is at least min (major, minor).
func VersionAtLeast(v string, min [2]int) (bool, error) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false, fmt.Errorf("unexpected version %q", v)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(leadingDigits(parts[1]))
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("unexpected version %q", v)
	}
	return major > min[0] || major == min[0] && minor >= min[1], nil
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
