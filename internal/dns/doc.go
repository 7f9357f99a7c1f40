// Package dns renders the sentry's dnsmasq configuration from a policy,
// runs dnsmasq under supervision, and tells when it really answers.
//
// Facts about dnsmasq 2.90 this package relies on (checked with the real
// program, see e2e_test.go):
//   - address=/#/ with no address answers NXDOMAIN for every name that no
//     more specific server=/domain/ line forwards; server=/d/ covers d and
//     all its subdomains, on whole labels only.
//   - stop-dns-rebind rejects answers in the private, loopback, link-local
//     and ULA ranges and also in the documentation ranges 192.0.2.0/24,
//     198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 (but not in
//     100.64.0.0/10). A rejected answer reaches the client as NOERROR with
//     an empty answer section and EDE 15 (Blocked).
//   - rebind-domain-ok=/d/ exempts d and all its subdomains, whatever the
//     address (metadata and private addresses included).
//   - CHAOS TXT version.bind, servers.bind (which lists the upstream) and
//     the rest are answered locally even with address=/#/; no-ident turns
//     them into NOTIMP. server=/invalid/ answers a name under it NXDOMAIN
//     locally in every mode: the readiness query.
//   - server=/d/ covers d and every name under it, server=/*.d/ only the
//     names under d; the most specific line wins (2.90 checked), so
//     server=/d/up plus server=/*.d/ (no server: NXDOMAIN) allows d alone.
//   - A child forked for a TCP connection outlives a killed dnsmasq and
//     keeps its sockets and output: until that client lets go, a restart
//     fails with "Address already in use".
package dns
