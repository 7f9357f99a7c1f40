package gate

import (
	"bytes"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tcpPair returns the two ends of one loopback TCP connection.
func tcpPair(t *testing.T) (*net.TCPConn, *net.TCPConn) {
	t.Helper()
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := net.DialTCP("tcp4", nil, l.Addr().(*net.TCPAddr))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	for _, c := range []*net.TCPConn{a, b} {
		c.SetDeadline(time.Now().Add(20 * time.Second)) // a bound on a hang, not a measurement
	}
	return a, b
}

// relayed returns a client and a server end with pipe relaying between
// them, as the gate does after its decision.
func relayed(t *testing.T) (client, server *net.TCPConn) {
	client, gateIn := tcpPair(t)
	gateOut, server := tcpPair(t)
	gateIn.SetDeadline(time.Time{})
	gateOut.SetDeadline(time.Time{})
	go pipe(gateIn, gateOut)
	return client, server
}

// TestRelayIdleThenBulk: data after the relay went idle (waiting with no
// splice pipe) arrives whole and in order, each direction's end is passed
// on as a half-close, and the other direction goes on after it.
func TestRelayIdleThenBulk(t *testing.T) {
	client, server := relayed(t)
	first := []byte("hello")
	client.Write(first)
	got := make([]byte, len(first))
	if _, err := io.ReadFull(server, got); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("first burst: got %q, %v", got, err)
	}
	// The relay now waits for data; a large second burst and the end.
	bulk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	go func() {
		client.Write(bulk)
		client.CloseWrite()
	}()
	rest, err := io.ReadAll(server)
	if err != nil || !bytes.Equal(rest, bulk) {
		t.Fatalf("second burst: got %d bytes (want %d, equal %v), %v", len(rest), len(bulk), bytes.Equal(rest, bulk), err)
	}
	// The server's direction still works after the client's end.
	server.Write([]byte("bye"))
	server.CloseWrite()
	back, err := io.ReadAll(client)
	if err != nil || string(back) != "bye" {
		t.Fatalf("the server's direction after the client's end: got %q, %v", back, err)
	}
}

// TestRelayReset: a reset on one side is a reset, not an end, on the other.
func TestRelayReset(t *testing.T) {
	client, server := relayed(t)
	client.Write([]byte("x"))
	if _, err := io.ReadFull(server, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	reset(server)
	_, err := io.ReadAll(client)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the client saw %v after the server's reset, want a reset", err)
	}
}

// TestRelayUrgentThenEnd: an urgent byte (MSG_OOB) that a splice never
// takes, then the end. The socket still counts the byte as queued, so a
// relay that trusted the count would splice nothing forever at full
// speed; it must pass the end on instead.
func TestRelayUrgentThenEnd(t *testing.T) {
	client, server := relayed(t)
	raw, err := client.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var sendErr error
	raw.Write(func(fd uintptr) bool {
		sendErr = unix.Sendto(int(fd), []byte{'!'}, unix.MSG_OOB, nil)
		return true
	})
	if sendErr != nil {
		t.Fatalf("send an urgent byte: %v", sendErr)
	}
	client.CloseWrite()
	if _, err := io.ReadAll(server); err != nil {
		t.Fatalf("after an urgent byte and the end, the server saw %v, want the end", err)
	}
}
