package iptables_test

import (
	"errors"
	"net"
	"testing"
	"time"
)

// probeTimeout bounds every connection attempt: a dropped packet shows as a
// timeout, a rejected one as an error well before it.
const probeTimeout = time.Second

// serveTCP listens on addr inside ns; every connection gets banner and is
// closed. The peers' addresses are sent on the returned channel.
func serveTCP(t *testing.T, ns nsRunner, addr, banner string) <-chan string {
	t.Helper()
	var ln net.Listener
	err := inNetns(ns, func() (err error) {
		ln, err = net.Listen("tcp4", addr)
		return err
	})
	if err != nil {
		t.Fatalf("listen %s in %s: %v", addr, ns.Name, err)
	}
	t.Cleanup(func() { ln.Close() })
	peers := make(chan string, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			peers <- c.RemoteAddr().(*net.TCPAddr).IP.String()
			_, _ = c.Write([]byte(banner))
			c.Close()
		}
	}()
	return peers
}

// serveUDP answers every datagram on addr inside ns with banner.
func serveUDP(t *testing.T, ns nsRunner, addr, banner string) {
	t.Helper()
	var pc net.PacketConn
	err := inNetns(ns, func() (err error) {
		pc, err = net.ListenPacket("udp4", addr)
		return err
	})
	if err != nil {
		t.Fatalf("listen udp %s in %s: %v", addr, ns.Name, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo([]byte(banner), from)
		}
	}()
}

// dialTCP connects from ns (from local, when not empty) and returns the
// server's banner.
func dialTCP(ns nsRunner, addr, local string) (string, error) {
	var banner string
	err := inNetns(ns, func() error {
		d := net.Dialer{Timeout: probeTimeout}
		if local != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
		}
		c, err := d.Dial("tcp4", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		banner, err = readBanner(c)
		return err
	})
	return banner, err
}

// askUDP sends one datagram from ns on a connected socket, so an ICMP
// port-unreachable comes back as ECONNREFUSED, and returns the answer.
func askUDP(ns nsRunner, addr string) (string, error) {
	var banner string
	err := inNetns(ns, func() error {
		c, err := net.DialTimeout("udp4", addr, probeTimeout)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write([]byte("q")); err != nil {
			return err
		}
		banner, err = readBanner(c)
		return err
	})
	return banner, err
}

func readBanner(c net.Conn) (string, error) {
	_ = c.SetDeadline(time.Now().Add(probeTimeout))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if n > 0 {
		return string(buf[:n]), nil
	}
	return "", err
}

// isTimeout reports a dropped probe.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
