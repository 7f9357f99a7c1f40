// Package probe runs small, bounded network probes from inside the bottle's
// network namespace, with the bottle's privileges (non-root, no capabilities).
// They are written in Go so they need nothing from the bottle image; the
// verifier runs a batch of them and compares each Outcome to an expectation.
package probe

// Kind names what a probe tries.
type Kind string

// Probe kinds.
const (
	KindTCP Kind = "tcp" // TCP connect to Target
	KindUDP Kind = "udp" // one datagram to Target, wait for any reply
	KindDNS Kind = "dns" // one DNS query to Server
	// KindResolveTCP asks Server for Name, then connects to the answer's
	// first address on port Target.
	KindResolveTCP Kind = "resolve-tcp"
	KindHTTP       Kind = "http"      // GET URL
	KindHTTPS      Kind = "https"     // GET URL over TLS, verified against CAFile
	KindICMP       Kind = "icmp"      // one ICMP echo request to Target
	KindTCP6       Kind = "tcp6"      // TCP connect over IPv6 only
	KindRawSpoof   Kind = "raw-spoof" // UDP with a forged Source (needs NET_RAW)
	KindRawFrag    Kind = "raw-frag"  // TCP SYN split into IP fragments (needs NET_RAW)
	KindRawProto   Kind = "raw-proto" // a packet of IP protocol Proto (needs NET_RAW)
	KindRoute      Kind = "route"     // add, then remove, a route to prefix Target (needs NET_ADMIN)
	KindSysctl     Kind = "sysctl"    // write network sysctl Target's own value back
	// KindRawTCP sends one TCP segment with Flags ("R": a forged reset,
	// "A": a lone ACK) to Target, for no connection (needs NET_RAW).
	KindRawTCP Kind = "raw-tcp"
	// KindARPClaim broadcasts Count gratuitous ARP replies saying that
	// address Target is at this namespace's MAC (needs NET_RAW).
	KindARPClaim Kind = "arp-claim"
	// KindMACFlood broadcasts Count Ethernet frames, each from a different
	// random source MAC, on the interface toward Target (needs NET_RAW).
	KindMACFlood Kind = "mac-flood"
	// KindUDPFlood opens Count UDP flows to Target, one datagram each from
	// its own source port: that many conntrack entries on the way.
	KindUDPFlood Kind = "udp-flood"
	// KindDNSForge sends Count DNS responses (every query id from a random
	// start) to Server, each answering Name with address Source, as an
	// off-path cache poisoner would; no reply is expected.
	KindDNSForge Kind = "dns-forge"
	// KindTLSHello sends one hand-shaped ClientHello for Name to Target
	// (Pad, Record, ECH shape it) and reads the server's first record: a
	// ServerHello is the handshake going on. No handshake is finished.
	KindTLSHello Kind = "tls-hello"
	// KindHTTPRaw sends Requests, as written, on one connection to Target,
	// each after the answer to the one before (keep-alive).
	KindHTTPRaw Kind = "http-raw"
	// KindTCPSilent opens Count connections to Target that send nothing and
	// holds them open while Then runs.
	KindTCPSilent Kind = "tcp-silent"
)

// Spec describes one probe. It is what `rbm probe batch` reads as JSON.
type Spec struct {
	Kind Kind `json:"kind"`
	// Target is host:port (tcp, tcp6, udp, raw-spoof, raw-frag), an
	// address (icmp, raw-proto), a prefix (route, DefaultRouteTarget by
	// default) or a sysctl key (sysctl, DefaultSysctlKey by default).
	Target string `json:"target,omitempty"`

	// Server is the resolver, addr or addr:port (port 53 by default).
	Server string `json:"server,omitempty"`
	// Name is the queried name; QType ("A" by default, "AXFR" for a zone
	// transfer) and QClass ("IN" by default, "CHAOS" allowed) qualify it.
	Name   string `json:"name,omitempty"`
	QType  string `json:"qtype,omitempty"`
	QClass string `json:"qclass,omitempty"`
	// TCP sends the DNS query over TCP (AXFR always uses TCP).
	TCP bool `json:"tcp,omitempty"`

	// URL is fetched by http and https probes; SNI and Host come from it.
	URL string `json:"url,omitempty"`
	// CAFile is a PEM file of CA certificates trusted instead of the
	// system's, so tests can trust the stand-in's own CA.
	CAFile string `json:"ca_file,omitempty"`
	// Insecure skips the verification of the server's certificate, for a
	// probe about whether a connection gets through (the name gate), not
	// about the server: the SNI is still the URL's host.
	Insecure bool `json:"insecure,omitempty"`
	// Segment, when set, writes at most this many bytes per TCP segment
	// (http and https), a pause between them: a ClientHello or a request
	// then arrives split over many segments, as some clients send them.
	Segment int `json:"segment,omitempty"`
	// Resolve pins "name:port:addr" (as curl --resolve does), so a name can
	// be reached at a chosen address without asking DNS.
	Resolve string `json:"resolve,omitempty"`

	// Pad makes a tls-hello's ClientHello at least this many bytes (a
	// padding extension), as post-quantum key shares make real ones large.
	Pad int `json:"pad,omitempty"`
	// Record is the most handshake bytes per TLS record of a tls-hello
	// (0: one record), so a ClientHello arrives split across records.
	Record int `json:"record,omitempty"`
	// ECH adds an encrypted_client_hello extension to a tls-hello, shaped
	// as the GREASE one browsers send.
	ECH bool `json:"ech,omitempty"`
	// Requests are the raw HTTP requests of an http-raw probe.
	Requests []string `json:"requests,omitempty"`

	// Source is the forged IPv4 source address of a raw-spoof probe.
	Source string `json:"source,omitempty"`
	// Proto is the IP protocol number of a raw-proto probe (47, GRE, by default).
	Proto int `json:"proto,omitempty"`
	// Payload is the number of payload bytes to send (udp, icmp, raw probes).
	Payload int `json:"payload,omitempty"`
	// TTL sets the IP time-to-live of tcp and udp probes (0: the system's).
	TTL int `json:"ttl,omitempty"`
	// Flags of a raw-tcp segment: any of "S", "A", "R", "F".
	Flags string `json:"flags,omitempty"`
	// Count of packets, flows or connections for arp-claim, mac-flood,
	// udp-flood, dns-forge and tcp-silent (at most MaxCount).
	Count int `json:"count,omitempty"`
	// Then is probed right after this one, within the same timeout, and
	// its outcome is the result's (the first one's detail is kept): "after
	// the flood, does the resolver still answer".
	Then *Spec `json:"then,omitempty"`
	// Timeout bounds the whole probe (2s by default), as "1.5s" in JSON.
	Timeout Duration `json:"timeout,omitempty"`
}

// Outcome is what a probe observed, from a small closed vocabulary.
type Outcome string

// Outcomes.
const (
	// Connected: a TCP handshake completed (tcp, tcp6, http and https with
	// any HTTP response, a SYN-ACK to raw-frag, a reply to raw-proto).
	Connected Outcome = "connected"
	// Answered: a datagram came back (udp, icmp echo reply, dns with Rcode).
	Answered Outcome = "answered"
	// Refused: actively rejected (TCP reset, ICMP port or protocol unreachable).
	Refused Outcome = "refused"
	// Timeout: nothing came back in time.
	Timeout Outcome = "timeout"
	// Unreachable: no route, or ICMP host/net unreachable or prohibited.
	Unreachable Outcome = "unreachable"
	// Denied: the local kernel refused (EPERM/EACCES): no NET_RAW or
	// NET_ADMIN, ping not allowed for this group, a prohibit route, a local
	// firewall rule, a read-only /proc/sys.
	Denied Outcome = "denied"
	// Sent: a raw packet left whose reply cannot be observed (raw-spoof:
	// replies go to the forged source). Only counters can tell what happened.
	Sent Outcome = "sent"
	// Changed: the kernel accepted a change to the namespace's setup (a
	// route added, a sysctl written). The probes undo or avoid the change
	// itself: a route is removed at once, a sysctl gets its own value back.
	Changed Outcome = "changed"
	// Error: anything else (bad spec, TLS failure, name not resolved); see Detail.
	Error Outcome = "error"
)

// OK reports whether the outcome means the probe got through to a peer.
// Changed is not OK: it says nothing about reaching anything, and whether
// it is expected is for the caller to judge.
func (o Outcome) OK() bool { return o == Connected || o == Answered }

// Result is the observed outcome of one Spec. It is what `rbm probe batch`
// writes as JSON.
type Result struct {
	Spec    Spec    `json:"spec"`
	Outcome Outcome `json:"outcome"`
	// Rcode and Answers are set for dns probes that were answered. A and
	// AAAA answers are bare addresses, others are in zone-file form.
	Rcode   string   `json:"rcode,omitempty"`
	Answers []string `json:"answers,omitempty"`
	TTL     uint32   `json:"ttl,omitempty"` // the lowest TTL of the answers
	// Detail is for humans: the error text, the HTTP status line, ...
	Detail  string   `json:"detail,omitempty"`
	Elapsed Duration `json:"elapsed"`
}
