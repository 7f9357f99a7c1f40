// Package podman builds and removes one bottle service with the podman CLI:
// the enclave network, the sentry, the bottle's pod (an init container and a
// guard that route it through the sentry) and the bottle.
//
// Plan is pure: it turns a validated configuration into the exact podman
// commands. Preflight, Start, Stop and Status run commands through one
// runner.Runner, so unit tests use runner.Fake and nothing else touches the
// system.
package podman
