// Package capture records a bounded packet capture on one interface of
// the current network namespace (the sentry's enclave side), writes it as
// pcap, and summarises pcap for a person. Nothing needs to run in the bottle.
package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Snap is the most of each packet kept.
const Snap = 65535

const (
	pcapMagic    = 0xa1b2c3d4 // microsecond timestamps
	linkEthernet = 1
)

// Writer writes pcap (the classic format Wireshark and tcpdump read).
type Writer struct{ w io.Writer }

// NewWriter writes the file header.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagic)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], Snap)
	binary.LittleEndian.PutUint32(h[20:], linkEthernet)
	if _, err := w.Write(h[:]); err != nil {
		return nil, err
	}
	return &Writer{w}, nil
}

// Packet writes one frame seen at t, of length orig on the wire.
func (p *Writer) Packet(t time.Time, frame []byte, orig int) error {
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(h[4:], uint32(t.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(h[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(h[12:], uint32(orig))
	if _, err := p.w.Write(h[:]); err != nil {
		return err
	}
	_, err := p.w.Write(frame)
	return err
}

// Frame is one packet read back from pcap.
type Frame struct {
	Time time.Time
	Data []byte
	Orig int
}

// Read calls fn for each frame of the pcap stream r.
func Read(r io.Reader, fn func(Frame) error) error {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return fmt.Errorf("pcap header: %w", err)
	}
	if binary.LittleEndian.Uint32(h[0:]) != pcapMagic || binary.LittleEndian.Uint32(h[20:]) != linkEthernet {
		return errors.New("not an Ethernet pcap stream written by rbm")
	}
	for {
		var ph [16]byte
		if _, err := io.ReadFull(r, ph[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("pcap record: %w", err)
		}
		n := binary.LittleEndian.Uint32(ph[8:])
		if n > Snap {
			return fmt.Errorf("pcap record of %d bytes", n)
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("pcap record: %w", err)
		}
		t := time.Unix(int64(binary.LittleEndian.Uint32(ph[0:])), int64(binary.LittleEndian.Uint32(ph[4:]))*1000)
		if err := fn(Frame{Time: t, Data: data, Orig: int(binary.LittleEndian.Uint32(ph[12:]))}); err != nil {
			return err
		}
	}
}
