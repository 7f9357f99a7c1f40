#!/usr/bin/env bash
# install-deps.sh: the Debian packages rbm's sentry, lab and tests need.
# Installs only what is missing; runs `apt-get update` only when needed.
set -euo pipefail
pkgs=(iptables ipset nftables dnsmasq-base iproute2 procps util-linux ca-certificates iperf3 tmux)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" -eq 0 ] || { echo "install-deps: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}
