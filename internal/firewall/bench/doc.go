// Package bench holds the firewall backends' connection-rate benchmarks
// (bench_test.go): new TCP connections per second from a bottle namespace
// through a sentry namespace loaded by a real backend, with one allowed
// CIDR or learned address against 10,000, measured alternately in one run.
package bench
