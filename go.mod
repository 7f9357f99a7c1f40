module github.com/recipe-bottle/rbm

go 1.26.8

require (
	github.com/florianl/go-nflog/v2 v2.3.0 // denied packets from netfilter's log group (NFLOG) over netlink
	github.com/miekg/dns v1.1.73 // DNS probes, the stand-in resolver, the readiness query
	github.com/spf13/cobra v1.10.2 // the CLI
	github.com/vishvananda/netns v0.0.5 // test servers bound inside a network namespace
	golang.org/x/crypto v0.59.0 // cryptobyte: the name gate's ClientHello parser
	golang.org/x/net v0.62.0 // ICMP and raw-packet probes
	golang.org/x/sys v0.50.0 // netlink, raw sockets, setsockopt for the probes
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/mdlayher/netlink v1.9.1-0.20260312172110-2a932c0fc1ae // indirect
	github.com/mdlayher/socket v0.5.1 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
	golang.org/x/sync v0.22.0 // indirect
)
