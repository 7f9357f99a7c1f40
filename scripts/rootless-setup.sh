#!/usr/bin/env bash
# rootless-setup.sh: a dedicated non-root user for the rootless Podman tests.
#
# FOR CI AND TEST SETUP ONLY; rbm never runs it. Creates the user
# (default rbmci; Debian's useradd gives it subordinate ids), makes the two
# host settings rootless Podman needs on these machines (shared/PODMAN-CI.md:
# /dev/net/tun is 0600 here, so slirp4netns cannot open it; the user needs
# an existing XDG_RUNTIME_DIR) and copies the test images into the user's
# own store. Prints the user's name. `rootless-setup.sh remove` removes the
# user, its store and its runtime directory. Idempotent; needs root.
set -euo pipefail
USER_NAME="${RBM_ROOTLESS_USER:-rbmci}"
IMAGES=(localhost/rbm-sentry:dev localhost/rbm-bottle:dev)
say() { printf 'rootless-setup: %s\n' "$*" >&2; }
die() { printf 'rootless-setup: ERROR: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"

as_user() {
  local uid; uid=$(id -u "$USER_NAME")
  runuser -u "$USER_NAME" -- env -C / HOME="$(getent passwd "$USER_NAME" | cut -d: -f6)" \
    XDG_RUNTIME_DIR="/run/user/$uid" PATH="$PATH" "$@"
}

if [ "${1:-}" = remove ]; then
  id "$USER_NAME" >/dev/null 2>&1 || exit 0
  uid=$(id -u "$USER_NAME")
  as_user podman system reset -f >/dev/null 2>&1 || true
  pkill -u "$USER_NAME" 2>/dev/null || true
  sleep 1
  userdel -r "$USER_NAME" 2>/dev/null || true
  rm -rf "/run/user/$uid"
  say "removed $USER_NAME"
  exit 0
fi

{ command -v slirp4netns && command -v newuidmap; } >/dev/null || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq slirp4netns uidmap >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq slirp4netns uidmap >/dev/null; }
}
id "$USER_NAME" >/dev/null 2>&1 || useradd -m -s /bin/bash "$USER_NAME"
grep -q "^$USER_NAME:" /etc/subuid || usermod --add-subuids 200000-265535 --add-subgids 200000-265535 "$USER_NAME"
uid=$(id -u "$USER_NAME")
chmod 0666 /dev/net/tun
install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "/run/user/$uid"

for img in "${IMAGES[@]}"; do
  want=$(podman image inspect --format '{{.Id}}' "$img" 2>/dev/null) || die "$img missing: run scripts/build-images.sh first"
  have=$(as_user podman image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then
    say "reusing $img for $USER_NAME"
    continue
  fi
  podman save "$img" | as_user podman load -q >/dev/null
  say "loaded $img for $USER_NAME"
done
as_user podman info --format '{{.Host.Security.Rootless}} {{.Host.NetworkBackend}}' >&2
echo "$USER_NAME"
