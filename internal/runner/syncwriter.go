package runner

import (
	"io"
	"sync"
)

// syncWriter serialises writes to w (nil discards).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	if s.w == nil {
		return len(p), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Serialised returns a writer that several goroutines may share: a program's
// log lines and its supervisor's notices go to one place without
// interleaving. A writer it already returned is passed through as is.
func Serialised(w io.Writer) io.Writer {
	if s, ok := w.(*syncWriter); ok {
		return s
	}
	return &syncWriter{w: w}
}
