// Command gatebench is the client and server of scripts/bench-gate.sh: a
// bulk flow and a connection rate through the sentry's name gate over a
// real REDIRECT. iperf3 sends no ClientHello, so the gate would refuse its
// connections; this pair sends a ClientHello of Go's TLS client for an
// allowed name and one application-data record first (the gate then
// splices, as for any TLS connection), and only then the bulk, over plain
// TCP so TLS crypto does not dominate.
//
//	gatebench server -listen ADDR
//	gatebench bulk -to ADDR -name NAME -seconds S
//	gatebench connect -to ADDR -name NAME -count N
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"time"
)

// appData is one TLS application-data record: it ends the gate's reading.
var appData = []byte{23, 3, 3, 0, 1, 0}

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: gatebench server|bulk|connect [flags]"))
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	listen := fs.String("listen", "", "server: the address to listen on")
	to := fs.String("to", "", "bulk, connect: the server's address")
	name := fs.String("name", "", "bulk, connect: the SNI of the ClientHello")
	seconds := fs.Float64("seconds", 5, "bulk: how long to send")
	count := fs.Int("count", 2000, "connect: how many connections, one after another")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "server":
		err = serve(*listen)
	case "bulk":
		err = bulk(*to, *name, time.Duration(*seconds*float64(time.Second)))
	case "connect":
		err = connect(*to, *name, *count)
	default:
		err = fmt.Errorf("gatebench %q: expected server, bulk or connect", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gatebench:", err)
	os.Exit(1)
}

// serve reads each connection's ClientHello record and the record after
// it, answers one byte, then discards the rest until the client ends.
func serve(addr string) error {
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		go func() {
			defer c.Close()
			for range 2 { // the ClientHello, the application-data record
				if err := skipRecord(c); err != nil {
					return
				}
			}
			if _, err := c.Write([]byte{1}); err != nil {
				return
			}
			io.CopyBuffer(io.Discard, c, make([]byte, 256<<10))
		}()
	}
}

func skipRecord(r io.Reader) error {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	_, err := io.CopyN(io.Discard, r, int64(hdr[3])<<8|int64(hdr[4]))
	return err
}

// open connects, sends the ClientHello and the application-data record,
// and waits for the server's byte: the connection is then relayed.
func open(to string, hello []byte) (*net.TCPConn, error) {
	c, err := net.DialTimeout("tcp4", to, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", to, err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(append(hello[:len(hello):len(hello)], appData...)); err != nil {
		c.Close()
		return nil, fmt.Errorf("write the ClientHello to %s: %w", to, err)
	}
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		c.Close()
		return nil, fmt.Errorf("%s: no answer to the ClientHello (refused by the gate?): %w", to, err)
	}
	c.SetDeadline(time.Time{})
	return c.(*net.TCPConn), nil
}

// bulk sends for d after the hello and prints the rate until the server
// has read everything (it closes once it saw the end).
func bulk(to, name string, d time.Duration) error {
	hello, err := clientHello(name)
	if err != nil {
		return err
	}
	c, err := open(to, hello)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 256<<10)
	var sent int64
	start := time.Now()
	for end := start.Add(d); time.Now().Before(end); {
		n, err := c.Write(buf)
		sent += int64(n)
		if err != nil {
			return fmt.Errorf("send to %s after %d bytes: %w", to, sent, err)
		}
	}
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		return fmt.Errorf("%s: the server did not end after the bulk: %v", to, err)
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("bulk %.2f Gbit/s (%d MiB in %.2f s)\n", float64(sent)*8/secs/1e9, sent>>20, secs)
	return nil
}

// connect opens count connections one after another and prints the rate
// and the time from connect to the server's first byte.
func connect(to, name string, count int) error {
	if count < 1 {
		return fmt.Errorf("-count %d: expected at least 1", count)
	}
	hello, err := clientHello(name)
	if err != nil {
		return err
	}
	times := make([]time.Duration, 0, count)
	start := time.Now()
	for range count {
		t := time.Now()
		c, err := open(to, hello)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t))
		c.Close()
	}
	secs := time.Since(start).Seconds()
	slices.Sort(times)
	fmt.Printf("connect %.0f conn/s, first byte p50 %.3f ms p90 %.3f ms\n", float64(count)/secs,
		ms(times[len(times)/2]), ms(times[len(times)*9/10]))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
