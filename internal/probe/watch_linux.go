package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/net/icmp"
	"golang.org/x/sys/unix"
)

// matcher inspects one received IPv4 packet and says whether it decides
// the probe's outcome, with a word on what it saw.
type matcher func(p ipv4Fields) (o Outcome, detail string, done bool)

// watcher holds raw sockets that see incoming packets of some protocols,
// opened before a raw probe sends so that no reply can be missed.
type watcher struct{ conns map[int]net.Conn }

// openWatcher opens one raw socket per protocol. Without NET_RAW this
// fails with EPERM, which the probe reports as denied.
func openWatcher(protos ...int) (*watcher, error) {
	w := &watcher{conns: map[int]net.Conn{}}
	for _, p := range protos {
		c, err := socketConn(unix.SOCK_RAW, p, netip.Addr{})
		if err != nil {
			w.close()
			return nil, err
		}
		w.conns[p] = c
	}
	return w, nil
}

// close closes every socket, which also ends pending reads.
func (w *watcher) close() {
	for _, c := range w.conns {
		c.Close()
	}
}

// wait reads all sockets until match decides or ctx's deadline passes.
func (w *watcher) wait(ctx context.Context, match matcher) Result {
	decided := make(chan Result, len(w.conns))
	for _, c := range w.conns {
		setDeadline(ctx, c)
		go func() { decided <- readUntil(c, match) }()
	}
	for range w.conns {
		if r := <-decided; r.Outcome != Timeout {
			return r
		}
	}
	return Result{Outcome: Timeout, Detail: "no reply"}
}

// readUntil reads packets from c until match decides; any read error
// (the deadline, or c closed by wait) ends with Timeout.
func readUntil(c net.Conn, match matcher) Result {
	buf := make([]byte, 2048)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return Result{Outcome: Timeout}
		}
		if p, ok := parseIPv4(buf[:n]); ok {
			if o, detail, done := match(p); done {
				return Result{Outcome: o, Detail: detail}
			}
		}
	}
}

// icmpError is an ICMP error message about a packet we sent.
type icmpError struct {
	orig    ipv4Fields // the quoted original header and first bytes
	outcome Outcome
	detail  string
}

// icmpAbout parses p as an ICMP error: destination unreachable (refused
// for protocol or port unreachable, else unreachable) or time exceeded.
func icmpAbout(p ipv4Fields) (e icmpError, ok bool) {
	if p.proto != unix.IPPROTO_ICMP {
		return e, false
	}
	m, err := icmp.ParseMessage(1, p.payload)
	if err != nil {
		return e, false
	}
	var data []byte
	switch b := m.Body.(type) {
	case *icmp.DstUnreach:
		data, e.outcome = b.Data, Unreachable
		if m.Code == 2 || m.Code == 3 { // protocol or port unreachable
			e.outcome = Refused
		}
	case *icmp.TimeExceeded:
		data, e.outcome = b.Data, Unreachable
	default:
		return e, false
	}
	e.detail = fmt.Sprintf("ICMP %v code %d from %s", m.Type, m.Code, p.src)
	e.orig, ok = parseIPv4(data)
	return e, ok
}
