#!/usr/bin/env bash
# podman-setup.sh: make rootful Podman usable on the project's CI/test machines.
#
# FOR CI AND TEST SETUP ONLY. rbm itself never runs this, and it must not be
# run on a user's workstation: it installs packages and writes a system-wide
# containers.conf drop-in that works around facts of the CI machines (see
# shared/PODMAN-CI.md): Podman's default nofile/nproc ulimits exceed this VM's
# hard limits (EPERM on every `podman run`), and crun refuses hybrid cgroups
# (runc works).
#
# Idempotent: installs only missing packages, rewrites the drop-in only when its
# content changes, and ends by proving Podman works with `podman info`.
# Needs root. Env: RBM_PODMAN_CONF (drop-in path, default below).
set -euo pipefail

CONF="${RBM_PODMAN_CONF:-/etc/containers/containers.conf.d/90-rbm-ci.conf}"
PACKAGES=(podman runc netavark aardvark-dns iptables dnsmasq-base iproute2 debootstrap)

say() { printf 'podman-setup: %s\n' "$*"; }
die() { printf 'podman-setup: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"

# --- 1. packages --------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  say "packages already installed"
else
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Try with the current package lists first; refresh them only if that fails
  # (stale or absent lists), so a second run needs no network at all.
  if ! apt-get install -y -q "${missing[@]}" >/tmp/rbm-podman-setup-apt.log 2>&1; then
    say "apt-get install failed with current lists; running apt-get update"
    apt-get update -q >>/tmp/rbm-podman-setup-apt.log 2>&1 \
      || { tail -n 20 /tmp/rbm-podman-setup-apt.log >&2; die "apt-get update failed"; }
    apt-get install -y -q "${missing[@]}" >>/tmp/rbm-podman-setup-apt.log 2>&1 \
      || { tail -n 20 /tmp/rbm-podman-setup-apt.log >&2; die "apt-get install failed"; }
  fi
  say "packages installed (log: /tmp/rbm-podman-setup-apt.log)"
fi

# --- 2. limits, computed on this machine ----------------------------------------
# min of the arguments; "unlimited" counts as infinity.
minlim() {
  local best="" v
  for v in "$@"; do
    [ "$v" = unlimited ] && continue
    [[ "$v" =~ ^[0-9]+$ ]] || die "unexpected limit value '$v'"
    if [ -z "$best" ] || [ "$v" -lt "$best" ]; then best="$v"; fi
  done
  printf '%s' "$best"
}
hard_nofile="$(ulimit -Hn)"
hard_nproc="$(ulimit -Hu)"
pid_max="$(cat /proc/sys/kernel/pid_max)"
# 1048576 is Podman's own default for nofile; never ask for more than that.
N="$(minlim 1048576 "$hard_nofile")"
P="$(minlim "$pid_max" "$hard_nproc")"
say "limits: ulimit -Hn=$hard_nofile ulimit -Hu=$hard_nproc pid_max=$pid_max -> nofile=$N nproc=$P"

# --- 3. containers.conf drop-in ---------------------------------------------------
want="# Written by rbm scripts/podman-setup.sh (CI/test machines only; see shared/PODMAN-CI.md).
# nofile/nproc computed on this machine: Podman's defaults exceed its hard limits.
# runc, not crun: crun refuses hybrid cgroup mode here.
[containers]
default_ulimits = [\"nofile=$N:$N\", \"nproc=$P:$P\"]

[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\"

[network]
network_backend = \"netavark\"
"
mkdir -p "$(dirname "$CONF")"
if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$(printf '%s' "$want")" ]; then
  say "$CONF unchanged"
else
  tmp="$(mktemp "$CONF.XXXXXX")"
  printf '%s' "$want" >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$CONF"
  say "wrote $CONF"
fi

# --- 4. prove it ------------------------------------------------------------------
info="$(podman info --format '{{.Version.Version}}|{{.Host.OCIRuntime.Name}}|{{.Host.CgroupManager}}|{{.Host.NetworkBackend}}|{{.Host.EventLogger}}|{{.Store.GraphDriverName}}' 2>&1)" \
  || die "podman info failed: $info"
IFS='|' read -r ver rt cgm netb evl drv <<<"$info"
say "podman $ver runtime=$rt cgroup_manager=$cgm network_backend=$netb events=$evl storage=$drv"
[ "$rt" = runc ] || die "OCI runtime is '$rt', expected runc (is $CONF read?)"
[ "$cgm" = cgroupfs ] || die "cgroup manager is '$cgm', expected cgroupfs"
[ "$netb" = netavark ] || die "network backend is '$netb', expected netavark"
say "ok"
