#!/usr/bin/env bash
# docker-setup.sh: Docker Engine for the project's CI/test machines.
#
# FOR CI AND TEST SETUP ONLY; rbm never runs it. Installs Debian's docker.io
# when missing, starts dockerd by hand when none answers (these machines
# have no systemd; see shared/PODMAN-CI.md) and copies the test images
# from Podman's store (no registry is reachable). The dockerd it starts
# runs in a network namespace of its own, $RBM_DOCKER_NETNS: its bridges,
# its iptables chains (DOCKER-USER too) and its published ports stay there,
# away from Podman's, so the Docker tests run beside the Podman tests when
# run in it (scripts/test.sh: ip netns exec rbm-docker go test ...), and it
# cannot reach the machine's network. It writes its pid to
# $RBM_DOCKERD_PID; `docker-setup.sh stop` stops it and deletes the
# namespace. Idempotent; needs root.
set -euo pipefail
PIDFILE="${RBM_DOCKERD_PID:-/run/rbm-ci-dockerd.pid}"
NETNS="${RBM_DOCKER_NETNS:-rbm-docker}"
# The same variables as build-images.sh name other tags (a run's own images).
IMAGES=("${RBRR_SENTRY_IMAGE:-localhost/rbm-sentry:dev}" "${RBM_BOTTLE_IMAGE:-localhost/rbm-bottle:dev}" localhost/rbm-base:bookworm)
say() { printf 'docker-setup: %s\n' "$*"; }
die() { printf 'docker-setup: ERROR: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"

if [ "${1:-}" = stop ]; then
  [ -f "$PIDFILE" ] || { say "no dockerd of ours to stop"; exit 0; }
  pid=$(cat "$PIDFILE")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  rm -f "$PIDFILE"
  if [ -e "/run/netns/$NETNS" ]; then
    ip netns del "$NETNS" # its bridges and chains go with it
  else
    # A dockerd of an older version of this script ran in the host's
    # namespace and left its chains and docker0 there.
    for t in filter nat; do
      iptables -t "$t" -S 2>/dev/null | grep -E '^-A (FORWARD|PREROUTING|OUTPUT|POSTROUTING) .*DOCKER' | sed 's/^-A/-D/' |
        while read -r rule; do eval "iptables -t $t $rule" || true; done
      for c in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
        iptables -t "$t" -F "$c" 2>/dev/null && iptables -t "$t" -X "$c" 2>/dev/null || true
      done
    done
    ip link del docker0 2>/dev/null || true
  fi
  say "stopped dockerd $pid"
  exit 0
fi

if ! dpkg-query -W -f='${Status}' docker.io 2>/dev/null | grep -q 'install ok installed'; then
  say "installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq docker.io >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq docker.io >/dev/null; }
fi

if ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  say "starting dockerd in network namespace $NETNS"
  [ -e "/run/netns/$NETNS" ] || ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  # nsenter, not ip netns exec: that one remounts /sys in a mount namespace
  # of its own, which hides the cgroup mounts dockerd needs.
  nohup nsenter --net="/run/netns/$NETNS" /usr/sbin/dockerd >/var/log/rbm-ci-dockerd.log 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break; sleep 1; done
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { tail -n 20 /var/log/rbm-ci-dockerd.log >&2; die "dockerd did not come up"; }
fi
say "Docker Engine $(docker version --format '{{.Server.Version}}')"

# Copy each test image unless Docker holds the same one (same image id).
for img in "${IMAGES[@]}"; do
  want=$(podman image inspect --format '{{.Id}}' "$img" 2>/dev/null) || die "$img missing in Podman: run scripts/build-images.sh first"
  have=$(docker image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)
  if [ "${have#sha256:}" = "$want" ]; then
    say "reusing $img"
    continue
  fi
  podman save "$img" | docker load -q >/dev/null
  say "loaded $img"
done
