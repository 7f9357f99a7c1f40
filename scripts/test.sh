#!/usr/bin/env bash
# test.sh: everything the tests need, then every test. As root (as in CI)
# it installs the packages, sets up Podman, builds the test images and
# starts a Docker daemon, so the namespace, iptables, dnsmasq, Podman and
# Docker tests run; as another user those tests skip with a one-line reason.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"
# What the rootless pass runs (see its end); the root pass runs everything.
# rbm run as a person would, piped and in a terminal, is among them (#24).
RBM_ROOTLESS_TESTS="${RBM_ROOTLESS_TESTS:-TestPodman(EndToEnd|Verify|FailedStartLeavesNothing|PublishedEntry|Run|RunTerminal)$}"
# Each phase says how long it took, so CI's time can be read from its log.
phase_start=$SECONDS
phase() { echo "test: $1 took $((SECONDS - phase_start))s" >&2; phase_start=$SECONDS; }

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/install-deps.sh
  bash scripts/podman-setup.sh
  bash scripts/build-images.sh
  # dockerd and the rootless user only for the tests: both go however they end.
  # Every step of the cleanup runs, whatever failed before it or in it, and
  # the script keeps the status it had (a failing command under set -e in
  # an EXIT trap would replace it: a bare `kill` with no jobs exits 2).
  cleanup() {
    local j
    j=$(jobs -p)
    [ -z "$j" ] || kill $j 2>/dev/null || true
    bash scripts/docker-setup.sh stop || true
    bash scripts/rootless-setup.sh remove || true
    ip netns del rbm-rootless 2>/dev/null || true
  }
  trap cleanup EXIT
  bash scripts/docker-setup.sh
  phase "set-up (packages, Podman, images, dockerd)"
else
  echo "test: not root: tests that need root or Podman will skip" >&2
fi

unformatted=$(gofmt -l cmd internal)
[ -z "$unformatted" ] || { echo "test: gofmt would change: $unformatted" >&2; exit 1; }
go vet ./...
# rbm's host side runs on macOS too (docs/macos.md): it must build and vet
# there, tests included, though nothing here can run it.
for arch in amd64 arm64; do
  CGO_ENABLED=0 GOOS=darwin GOARCH="$arch" go build -o /dev/null ./cmd/rbm
  CGO_ENABLED=0 GOOS=darwin GOARCH="$arch" go vet ./...
done
phase "gofmt, vet, darwin builds"
# Three streams run at once. The Podman package alone, the longest. The
# main one: every other package but Docker's, then fuzzing, with the lab
# on nftables beside the fuzzing. The side one: Docker's package, then
# the rootless pass. Docker's tests run in the
# daemon's network namespace (scripts/docker-setup.sh), where its bridges
# and rules are and where their lock is (testns.HostLockPath), so they
# need not wait for Podman's; the rootless pass runs in a namespace of its
# own too. Each stream writes its phases to its log.
docker_ns=()
if [ "$(id -u)" -eq 0 ]; then
  [ -z "$(ip netns pids rbm-docker 2>/dev/null)" ] || docker_ns=(nsenter --net=/run/netns/rbm-docker)
  export RBM_TEST_REQUIRE_DOCKER=1 # root runs them all: no Docker is a failure, not a skip
fi
side() {
  "${docker_ns[@]}" go test -count=1 -timeout 30m ./internal/docker
  phase "go test ./internal/docker${docker_ns:+ (in the Docker daemon namespace)}"
  # The Podman end-to-end tests and the battery once more with rootless
  # Podman, as a dedicated user: root builds the test binary and rbm (that
  # user has no Go toolchain of its own); the user runs them with its own
  # image store, in a network namespace of its own that stands in for the
  # workstation (loopback, and 192.0.2.254 on a veth pair that leads
  # nowhere). Rootless Podman refuses a subnet the namespace it runs in
  # already routes, and the root tests' stand-ins use the same ones in the
  # host's; its slirp4netns there has no way out either.
  [ "$(id -u)" -eq 0 ] || return 0
  local user uid bin ns=rbm-rootless
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link show rbm-host0 >/dev/null 2>&1 || ip -n "$ns" link add rbm-host0 type veth peer name rbm-host1
  ip -n "$ns" addr replace 192.0.2.254/32 dev rbm-host0
  ip -n "$ns" link set rbm-host0 up
  ip -n "$ns" link set rbm-host1 up
  user=$(nsenter --net="/run/netns/$ns" bash scripts/rootless-setup.sh)
  uid=$(id -u "$user")
  bin=$(mktemp -d /tmp/rbm-rootless.XXXXXX)
  go test -c -o "$bin/podman.test" ./internal/podman
  CGO_ENABLED=0 go build -o "$bin/rbm" ./cmd/rbm
  chmod 0755 "$bin" "$bin/podman.test" "$bin/rbm"
  (cd internal/podman && nsenter --net="/run/netns/$ns" runuser -u "$user" -- env HOME="$(getent passwd "$user" | cut -d: -f6)" \
    XDG_RUNTIME_DIR="/run/user/$uid" PATH="$PATH" RBM_TEST_ROOTLESS=1 RBM_TEST_RBM="$bin/rbm" \
    "$bin/podman.test" -test.count=1 -test.timeout 30m -test.run "$RBM_ROOTLESS_TESTS")
  rm -rf "$bin"
  phase "rootless Podman"
}
sidelog=$(mktemp /tmp/rbm-side.XXXXXX)
(set -e; side) >"$sidelog" 2>&1 &
sidepid=$!

podlog=$(mktemp /tmp/rbm-podman.XXXXXX)
(set -e; go test -count=1 -timeout 45m ./internal/podman; phase "go test ./internal/podman") >"$podlog" 2>&1 &
podpid=$!

# verify is the longest of the rest: named first, it starts first instead
# of after half the alphabet, and the others share the other slot.
go test -count=1 -timeout 45m ./internal/verify $(go list ./... | grep -v -e '/internal/docker$' -e '/internal/podman$')
phase "go test ./... but Podman's and Docker's"
# The lab's end-to-end tests once more on the other firewall backend (the
# battery, the learned-egress and the Podman tests run both already),
# beside the fuzzing: the lab's namespaces are its own.
lablog=$(mktemp /tmp/rbm-lab-nftables.XXXXXX)
RBM_TEST_FIREWALL_BACKEND=nftables go test -count=1 -timeout 10m ./internal/lab >"$lablog" 2>&1 &
labpid=$!
# Fuzzing budgets are counts of executions, not durations: a duration races
# Go 1.26's fuzz coordinator at its deadline on a loaded machine and fails
# with a bare "context deadline exceeded" and no input (golang/go#75804,
# fixed in Go 1.27). 200,000 runs take 4-18 s per target here.
fuzz=(-fuzztime=200000x -fuzzminimizetime=5s)
# The name gate's parsers read what the bottle sends: fuzz each briefly.
for target in FuzzReadFirst FuzzFollow; do
  go test -run='^$' -fuzz="^$target\$" "${fuzz[@]}" ./internal/clienthello
done
for target in FuzzStream FuzzReadStatus; do
  go test -run='^$' -fuzz="^$target\$" "${fuzz[@]}" ./internal/httphead
done
# What rbm reads from a file a person wrote and from the sentry's event
# stream (names the bottle chose), the escaping that shows them, the DNS
# guard's handling of every message the bottle sends, and the refused
# packets' headers the kernel copies into NFLOG.
for pkg_target in internal/config:FuzzParseEnvFile internal/events:FuzzDecode internal/safetext:FuzzEscape \
    internal/dnsguard:FuzzName internal/dnsguard:FuzzAnswer internal/denials:FuzzParseIPv4; do
  go test -run='^$' -fuzz="^${pkg_target#*:}\$" "${fuzz[@]}" "./${pkg_target%%:*}"
done
phase "fuzzing"
# collect waits for a stream run beside (its pid, its log, what it is),
# prints its log, and fails the run if it failed.
collect() {
  local pid=$1 log=$2 what=$3 rc=0
  wait "$pid" || rc=$?
  echo "test: $what:" >&2
  cat "$log"
  rm -f "$log"
  [ "$rc" -eq 0 ] || { echo "test: $what failed (status $rc)" >&2; exit 1; }
  phase "waiting for $what"
}
collect "$labpid" "$lablog" "the lab on nftables"
collect "$podpid" "$podlog" "the Podman package"
collect "$sidepid" "$sidelog" "Docker's tests and the rootless pass"
