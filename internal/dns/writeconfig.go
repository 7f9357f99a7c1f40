package dns

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteConfig writes text to path atomically: a reader (dnsmasq at a
// restart) sees either the old file or the new one, never half of it.
// The file is 0644: it holds no secret and operators read it when debugging.
func WriteConfig(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write dnsmasq configuration: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := fill(tmp, text); err != nil {
		return fmt.Errorf("write dnsmasq configuration %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write dnsmasq configuration: %w", err)
	}
	return nil
}

// fill writes, flushes and closes f with mode 0644.
func fill(f *os.File, text string) error {
	_, err := f.WriteString(text)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
