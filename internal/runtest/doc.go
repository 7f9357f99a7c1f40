// Package runtest drives `rbm run` as a person would, for the end-to-end
// tests of every runtime: a real terminal (tmux) to type into and read,
// rbm's stderr read while it runs, and a look at every command line; and
// what their stand-in worlds share (a listener on a host address, probes
// from an ordinary container on a network). Only tests import it.
package runtest
