#!/usr/bin/env bash
# bench-start.sh: how long `rbm start` to a healthy, routed bottle and `rbm
# stop` take under Docker, paired with the same under rootful Podman (the
# baseline), measured by farm-bench in one call so machine drift moves
# both alike. Each runtime gets its own --internal uplink on a private
# test subnet (no stand-ins, egress off: nothing is sent anywhere).
# Needs root, Podman, Docker (scripts/docker-setup.sh) and farm-bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-5}"
dir=$(mktemp -d)
cleanup() {
  "$dir/rbm" stop --moniker rbmbd >/dev/null 2>&1 || true
  RBRR_RUNTIME=podman "$dir/rbm" stop --moniker rbmbp >/dev/null 2>&1 || true
  docker network rm rbmb-up >/dev/null 2>&1 || true
  podman network rm -f rbmb-up >/dev/null 2>&1 || true
  tail -n 3 "$dir"/*.log 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
go build -o "$dir/rbm" ./cmd/rbm
docker network create --internal --subnet 10.249.41.0/24 rbmb-up >/dev/null
podman network create --internal --disable-dns --subnet 10.249.43.0/24 rbmb-up >/dev/null
plate() { # runtime moniker subnet-third-octet
  cat >"$dir/$2.env" <<E
RBRR_RUNTIME=$1
RBRN_MONIKER=$2
RBRN_BOTTLE_IMAGE=localhost/rbm-bottle:dev
RBRR_POD_SUBNET=10.249.$3.0/24
RBRR_SENTRY_IP=10.249.$3.2
RBRR_BOTTLE_IP=10.249.$3.3
RBRR_UPLINK_NETWORK=rbmb-up
E
}
plate docker rbmbd 40
plate podman rbmbp 42
cycle() { echo "sh -c '$dir/rbm start --nameplate $dir/$1.env >>$dir/$1.log 2>&1 && exec $dir/rbm stop --moniker $1 >>$dir/$1.log 2>&1'"; }
eval "farm-bench -n $RUNS --timeout 600 --vs \"$(cycle rbmbp)\" -- $(cycle rbmbd)"
