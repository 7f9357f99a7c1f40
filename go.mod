module github.com/recipe-bottle/rbm

go 1.26.8

require (
	github.com/miekg/dns v1.1.73 // DNS probes, the stand-in resolver, the readiness query
	github.com/spf13/cobra v1.10.2 // the CLI
	github.com/vishvananda/netns v0.0.5 // test servers bound inside a network namespace
	golang.org/x/net v0.57.0 // ICMP and raw-packet probes
	golang.org/x/sys v0.47.0 // netlink, raw sockets, setsockopt for the probes
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
