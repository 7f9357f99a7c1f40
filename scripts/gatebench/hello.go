package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"time"
)

// clientHello records the first TLS record Go's TLS client sends for name
// (TLS 1.3 offered, the post-quantum key share included), over an
// in-memory pipe: nothing leaves the process.
func clientHello(name string) ([]byte, error) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	go tls.Client(client, &tls.Config{ServerName: name, InsecureSkipVerify: true}).Handshake()
	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(server, hdr); err != nil {
		return nil, fmt.Errorf("record a ClientHello for %q: %w", name, err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(server, body); err != nil {
		return nil, fmt.Errorf("record a ClientHello for %q: %w", name, err)
	}
	return append(hdr, body...), nil
}
