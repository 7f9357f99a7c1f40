package runner

import (
	"context"
	"sync"
)

// Fake records commands and answers them from a script of expectations,
// in order. It stands in for the kernel in unit tests of pure logic only.
type Fake struct {
	mu    sync.Mutex
	Calls []Cmd
	// Respond, when set, answers every call; otherwise calls succeed with no output.
	Respond func(c Cmd) ([]byte, error)
}

// Run records c and answers it.
func (f *Fake) Run(_ context.Context, c Cmd) ([]byte, error) {
	f.mu.Lock()
	f.Calls = append(f.Calls, c)
	f.mu.Unlock()
	if f.Respond != nil {
		return f.Respond(c)
	}
	return nil, nil
}

// Commands returns the recorded command lines, for assertions.
func (f *Fake) Commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.Calls))
	for i, c := range f.Calls {
		out[i] = c.String()
	}
	return out
}
