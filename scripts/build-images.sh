#!/usr/bin/env bash
# build-images.sh: build the images the Podman tests use, without any registry.
#
#   1. base   $RBM_BASE_IMAGE     debootstrap (minbase) of Debian bookworm with
#                                 iptables, ipset, nftables, dnsmasq-base, iproute2,
#                                 ca-certificates, imported with `podman import`. Built
#                                 once, then reused while its package list is the same.
#   2. sentry $RBRR_SENTRY_IMAGE  internal/image/Containerfile (what rbm image build uses) on the base,
#                                 `podman build --pull=never`.
#   3. bottle $RBM_BOTTLE_IMAGE   testdata/podman/Containerfile.bottle: base + rbm.
#
# The sentry and bottle images carry a label rbm.build.hash (hash of their
# Containerfile, the rbm binary and the base image ID); they are rebuilt only
# when it changes. Set RBM_REBUILD=1 to rebuild them anyway, RBM_REBUILD_BASE=1
# to redo the debootstrap.
#
# For CI and tests (run scripts/podman-setup.sh first). Needs root, podman,
# debootstrap and Go. Env (defaults):
#   RBM_BASE_IMAGE=localhost/rbm-base:bookworm
#   RBRR_SENTRY_IMAGE=localhost/rbm-sentry:dev
#   RBM_BOTTLE_IMAGE=localhost/rbm-bottle:dev
#   RBM_DEBIAN_MIRROR=<the bookworm mirror of this machine's apt sources>
set -euo pipefail

RBM_BASE_IMAGE="${RBM_BASE_IMAGE:-localhost/rbm-base:bookworm}"
RBRR_SENTRY_IMAGE="${RBRR_SENTRY_IMAGE:-localhost/rbm-sentry:dev}"
RBM_BOTTLE_IMAGE="${RBM_BOTTLE_IMAGE:-localhost/rbm-bottle:dev}"
SUITE=bookworm
LABEL=rbm.build.hash

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SENTRY_FILE="$REPO/internal/image/Containerfile"
BOTTLE_FILE="$REPO/testdata/podman/Containerfile.bottle"

say() { printf 'build-images: %s\n' "$*"; }
die() { printf 'build-images: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in podman go sha256sum; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' not found (run scripts/podman-setup.sh?)"
done

# One build at a time on this machine (parallel test packages may all call us).
exec 9>/run/lock/rbm-build-images.lock
flock 9

WORK="$(mktemp -d /var/tmp/rbm-build.XXXXXX)"
cleanup() {
  set +e
  # debootstrap mounts proc/sys inside its target; never rm through a mount.
  if [ -d "$WORK" ]; then
    findmnt -rn -o TARGET | grep -F "$WORK/" | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null
    done
    rm -rf --one-file-system "$WORK"
  fi
}
trap cleanup EXIT

# First URI of an enabled "deb" source for $SUITE in this machine's apt config.
detect_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" '$1 == "deb" { i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && enabled != "no" && uri != "")
          { print uri; found = 1 }
        types = suites = uri = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); if (found) exit; next }
      { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
        if (key == "types") types = $0
        else if (key == "suites") suites = $0
        else if (key == "uris") { split($0, u, " "); uri = u[1] }
        else if (key == "enabled") enabled = tolower($0) }
      END { if (!found) flush() }' "$f"
  done
}

# --- 1. the rbm binary -----------------------------------------------------------
CTX="$WORK/ctx"
mkdir -p "$CTX"
t=$(now)
# -trimpath: the binary (and so the image hash) does not depend on the checkout path.
(cd "$REPO" && CGO_ENABLED=0 go build -trimpath -o "$CTX/rbm" ./cmd/rbm) || die "go build ./cmd/rbm failed"
say "built rbm ($(since "$t"))"

# --- 2. base image ------------------------------------------------------------------
# The base is reused only if it was built with today's package list (its
# rbm.base.packages label), so adding a package to the sentry rebuilds it.
BASE_PKGS="iptables,ipset,nftables,dnsmasq-base,iproute2,ca-certificates"
base_pkgs() { podman image inspect --format '{{index .Labels "rbm.base.packages"}}' "$RBM_BASE_IMAGE" 2>/dev/null || true; }
if [ "${RBM_REBUILD_BASE:-0}" != 1 ] && [ "$(base_pkgs)" = "$BASE_PKGS" ]; then
  say "reusing base image $RBM_BASE_IMAGE"
else
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (run scripts/podman-setup.sh)"
  MIRROR="${RBM_DEBIAN_MIRROR:-$(detect_mirror | head -n 1)}"
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
  ROOT="$WORK/rootfs"
  say "debootstrap $SUITE from $MIRROR (about a minute)"
  t=$(now)
  debootstrap --variant=minbase --include="$BASE_PKGS" \
    "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  say "debootstrap done ($(since "$t"))"
  # Podman provides these at run time; drop the host's copies and the caches.
  rm -f "$ROOT/etc/resolv.conf" "$ROOT/etc/hostname"
  rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/tmp/* "$ROOT"/var/log/*.log
  t=$(now)
  tar --numeric-owner -C "$ROOT" -c . | podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL rbm.base.packages=$BASE_PKGS" \
    --message "rbm base: debootstrap --variant=minbase $SUITE $MIRROR" \
    - "$RBM_BASE_IMAGE" >/dev/null
  say "imported $RBM_BASE_IMAGE ($(since "$t"))"
  rm -rf --one-file-system "$ROOT"
fi
BASE_ID="$(podman image inspect --format '{{.Id}}' "$RBM_BASE_IMAGE")"

# --- 3. sentry and bottle images ------------------------------------------------------
# build IMAGE CONTAINERFILE: build unless the image's label matches the inputs.
build() {
  local image="$1" file="$2" want have old t
  [ -f "$file" ] || die "$file not found"
  want="$( { sha256sum <"$file"; sha256sum <"$CTX/rbm"; echo "$BASE_ID"; } | sha256sum | cut -c1-64)"
  have=""
  old=""
  if podman image exists "$image"; then
    have="$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$image")"
    old="$(podman image inspect --format '{{.Id}}' "$image")"
  fi
  if [ "${RBM_REBUILD:-0}" != 1 ] && [ "$have" = "$want" ]; then
    say "reusing $image (unchanged)"
    return
  fi
  t=$(now)
  podman build -q --pull=never --build-arg "BASE=$RBM_BASE_IMAGE" --label "$LABEL=$want" \
    -f "$file" -t "$image" "$CTX" >"$WORK/build.log" 2>&1 \
    || { tail -n 30 "$WORK/build.log" >&2; die "podman build of $image failed"; }
  say "built $image ($(since "$t"))"
  # Drop the image this one replaced, if nothing else uses it (keeps reruns tidy).
  if [ -n "$old" ] && [ "$old" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
    podman rmi "$old" >/dev/null 2>&1 || true
  fi
}
build "$RBRR_SENTRY_IMAGE" "$SENTRY_FILE"
build "$RBM_BOTTLE_IMAGE" "$BOTTLE_FILE"
say "ok: $RBM_BASE_IMAGE $RBRR_SENTRY_IMAGE $RBM_BOTTLE_IMAGE"
