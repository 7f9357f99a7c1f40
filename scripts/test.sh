#!/usr/bin/env bash
# test.sh: everything the tests need, then every test. As root (as in CI)
# it installs the packages, sets up Podman, builds the test images and
# starts a Docker daemon, so the namespace, iptables, dnsmasq, Podman and
# Docker tests run; as another user those tests skip with a one-line reason.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/install-deps.sh
  bash scripts/podman-setup.sh
  bash scripts/build-images.sh
  # dockerd only for the tests: stopped (if we started it) however they end.
  trap 'bash scripts/docker-setup.sh stop' EXIT
  bash scripts/docker-setup.sh
else
  echo "test: not root: tests that need root or Podman will skip" >&2
fi

unformatted=$(gofmt -l cmd internal)
[ -z "$unformatted" ] || { echo "test: gofmt would change: $unformatted" >&2; exit 1; }
go vet ./...
go test -count=1 -timeout 45m ./...
# The lab's end-to-end tests once more on the other firewall backend (the
# battery, the learned-egress and the Podman tests run both already).
RBM_TEST_FIREWALL_BACKEND=nftables go test -count=1 -timeout 10m ./internal/lab
