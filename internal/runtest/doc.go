// Package runtest drives `rbm run` as a person would, for the end-to-end
// tests of every runtime: a real terminal (tmux) to type into and read,
// rbm's stderr read while it runs, and a look at every command line. Only
// tests import it.
package runtest
