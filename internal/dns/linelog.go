package dns

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
)

// maxLine bounds one logged line, so output without newlines cannot grow
// memory without limit.
const maxLine = 64 << 10

// lineLog copies dnsmasq's output to out one line at a time, each prefixed
// "dnsmasq: ", and remembers the first line that says dnsmasq cannot bind.
type lineLog struct {
	mu          sync.Mutex
	out         io.Writer
	each        func(string) // sees every line after it is logged; may be nil
	bindFailure string
}

// copyFrom logs every line read from r until EOF or a read error.
func (l *lineLog) copyFrom(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	for sc.Scan() {
		l.line(sc.Text())
	}
}

func (l *lineLog) line(text string) {
	text = strings.TrimRight(text, "\r")
	if strings.TrimSpace(text) == "" {
		return // dnsmasq puts a blank line before fatal errors
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.out, "dnsmasq: %s\n", text)
	if l.bindFailure == "" && isBindFailure(text) {
		l.bindFailure = text
	}
	if l.each != nil {
		l.each(text)
	}
}

// bindFailureLine returns the first bind failure seen, or "".
func (l *lineLog) bindFailureLine() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bindFailure
}

// isBindFailure recognises dnsmasq's "failed to create listening socket
// for ADDR: Address already in use" (another server holds port 53) and
// "...: Cannot assign requested address" (the address is on no interface).
func isBindFailure(line string) bool {
	l := strings.ToLower(line)
	return strings.Contains(l, "address already in use") ||
		strings.Contains(l, "cannot assign requested address")
}
