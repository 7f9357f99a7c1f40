#!/usr/bin/env bash
# demo.sh: the main job. Installs what the lab needs, builds rbm and runs
# `rbm demo`: the whole system in network namespaces (needs root), the
# request's checks with counter deltas, then everything is removed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"
[ "$(id -u)" -eq 0 ] || { echo "demo: the lab creates network namespaces: run as root (sudo $0)" >&2; exit 1; }
bash scripts/install-deps.sh
mkdir -p bin
CGO_ENABLED=0 go build -trimpath -o bin/rbm ./cmd/rbm
exec bin/rbm demo "$@"
